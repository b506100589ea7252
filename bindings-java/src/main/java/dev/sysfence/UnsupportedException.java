// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * The kernel or the library lacks a feature the request needs
 * ({@code SYSFENCE_ERR_UNSUPPORTED}); also: no libsysfence in this jar for this platform.
 */
public final class UnsupportedException extends SysfenceException {
    private static final long serialVersionUID = 1L;

    UnsupportedException(String message, int errno) {
        super(message, null, errno);
    }

    /**
     * Always {@link ErrorCode#UNSUPPORTED}.
     *
     * @return {@link ErrorCode#UNSUPPORTED}
     */
    @Override
    public ErrorCode code() {
        return ErrorCode.UNSUPPORTED;
    }
}
