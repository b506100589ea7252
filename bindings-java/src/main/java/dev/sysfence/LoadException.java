// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * The kernel refused the filter ({@code SYSFENCE_ERR_LOAD}); nothing was loaded.
 * {@link #errno()} is the kernel's errno (0 when TSYNC found a thread under another filter).
 */
public final class LoadException extends SysfenceException {
    private static final long serialVersionUID = 1L;

    LoadException(String message, int errno) {
        super(message, null, errno);
    }

    /**
     * Always {@link ErrorCode#LOAD}.
     *
     * @return {@link ErrorCode#LOAD}
     */
    @Override
    public ErrorCode code() {
        return ErrorCode.LOAD;
    }
}
