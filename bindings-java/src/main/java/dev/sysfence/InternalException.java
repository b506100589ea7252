// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * A bug in sysfence ({@code SYSFENCE_ERR_INTERNAL}): a panic caught at the C boundary, or
 * output the binding could not read. Nothing was loaded.
 */
public final class InternalException extends SysfenceException {
    private static final long serialVersionUID = 1L;

    InternalException(String message) {
        super(message, null, 0);
    }

    /**
     * Always {@link ErrorCode#INTERNAL}.
     *
     * @return {@link ErrorCode#INTERNAL}
     */
    @Override
    public ErrorCode code() {
        return ErrorCode.INTERNAL;
    }
}
