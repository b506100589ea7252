// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * A wrong argument ({@code SYSFENCE_ERR_INVALID_ARGUMENT}): text holding a NUL byte or a lone
 * surrogate (refused before it reaches the library), an unknown syscall or architecture name
 * given to {@link Filter#simulate}, more than 6 syscall arguments.
 */
public final class InvalidArgumentException extends SysfenceException {
    private static final long serialVersionUID = 1L;

    InvalidArgumentException(String message) {
        super(message, null, 0);
    }

    /**
     * Always {@link ErrorCode#INVALID_ARGUMENT}.
     *
     * @return {@link ErrorCode#INVALID_ARGUMENT}
     */
    @Override
    public ErrorCode code() {
        return ErrorCode.INVALID_ARGUMENT;
    }
}
