// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * libseccomp could not build the filter ({@code SYSFENCE_ERR_COMPILE}).
 */
public final class CompileException extends SysfenceException {
    private static final long serialVersionUID = 1L;

    CompileException(String message, int errno) {
        super(message, null, errno);
    }

    /**
     * Always {@link ErrorCode#COMPILE}.
     *
     * @return {@link ErrorCode#COMPILE}
     */
    @Override
    public ErrorCode code() {
        return ErrorCode.COMPILE;
    }
}
