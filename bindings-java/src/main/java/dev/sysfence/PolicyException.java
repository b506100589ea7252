// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * The policy is invalid ({@code SYSFENCE_ERR_POLICY}): malformed JSON, wrong types, unknown
 * syscalls, out-of-range values, or a {@code Map} holding something JSON cannot (NaN, a key that
 * is not a string, itself). {@link #path()} names the first problem; the message names every
 * one. Nothing was compiled or loaded.
 */
public final class PolicyException extends SysfenceException {
    private static final long serialVersionUID = 1L;

    PolicyException(String message, String path) {
        super(message, path, 0);
    }

    /**
     * Always {@link ErrorCode#POLICY}.
     *
     * @return {@link ErrorCode#POLICY}
     */
    @Override
    public ErrorCode code() {
        return ErrorCode.POLICY;
    }
}
