// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import java.util.Optional;

/**
 * Every error sysfence throws: unchecked, one final subclass per C result code
 * ({@link ErrorCode}). Test on the class, {@link #code()}, {@link #path()} or {@link #errno()},
 * not on the message.
 */
public abstract sealed class SysfenceException extends RuntimeException
        permits PolicyException, CompileException, LoadException, UnsupportedException,
                InvalidArgumentException, IoException, InternalException {
    private static final long serialVersionUID = 1L;

    /** The JSON path, or null. */
    private final String path;
    /** The errno, or 0. */
    private final int errno;

    SysfenceException(String message, String path, int errno) {
        super(message);
        this.path = path;
        this.errno = errno;
    }

    /**
     * The C result code this exception stands for.
     *
     * @return the code, such as {@link ErrorCode#POLICY}
     */
    public abstract ErrorCode code();

    /**
     * The JSON path of the first problem of an invalid policy, such as
     * {@code rules[0].syscalls[1]}, or {@code $} for the whole document.
     *
     * @return the path; empty for errors other than policy errors
     */
    public Optional<String> path() {
        return Optional.ofNullable(path);
    }

    /**
     * The errno behind the error: the kernel's for a {@link LoadException}.
     *
     * @return the errno, or 0 when there is none (as for a TSYNC conflict)
     */
    public int errno() {
        return errno;
    }

    /** The exception for a C result code, with the last error's message, path and errno. */
    static SysfenceException of(ErrorCode code, String message, String path, int errno) {
        return switch (code) {
            case POLICY -> new PolicyException(message, path);
            case COMPILE -> new CompileException(message, errno);
            case LOAD -> new LoadException(message, errno);
            case UNSUPPORTED -> new UnsupportedException(message, errno);
            case INVALID_ARGUMENT -> new InvalidArgumentException(message);
            case IO -> new IoException(message, errno);
            case INTERNAL -> new InternalException(message);
        };
    }
}
