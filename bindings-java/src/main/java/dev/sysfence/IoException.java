// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * Reading a file or the process's state failed ({@code SYSFENCE_ERR_IO}); also: the library
 * could not be extracted or loaded.
 */
public final class IoException extends SysfenceException {
    private static final long serialVersionUID = 1L;

    IoException(String message, int errno) {
        super(message, null, errno);
    }

    /**
     * Always {@link ErrorCode#IO}.
     *
     * @return {@link ErrorCode#IO}
     */
    @Override
    public ErrorCode code() {
        return ErrorCode.IO;
    }
}
