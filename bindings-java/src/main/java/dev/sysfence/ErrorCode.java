// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * The C ABI's result codes ({@code sysfence_result} in {@code sysfence.h}), one constant per
 * error code. Each has its own {@link SysfenceException} subclass.
 */
public enum ErrorCode {
    /** {@code SYSFENCE_ERR_POLICY}: the policy is invalid; {@link PolicyException}. */
    POLICY(-1),
    /** {@code SYSFENCE_ERR_COMPILE}: libseccomp could not build the filter; {@link CompileException}. */
    COMPILE(-2),
    /** {@code SYSFENCE_ERR_LOAD}: the kernel refused the filter; {@link LoadException}. */
    LOAD(-3),
    /** {@code SYSFENCE_ERR_UNSUPPORTED}: a feature is missing; {@link UnsupportedException}. */
    UNSUPPORTED(-4),
    /** {@code SYSFENCE_ERR_INVALID_ARGUMENT}: a wrong argument; {@link InvalidArgumentException}. */
    INVALID_ARGUMENT(-5),
    /** {@code SYSFENCE_ERR_IO}: reading a file or the process's state failed; {@link IoException}. */
    IO(-6),
    /** {@code SYSFENCE_ERR_INTERNAL}: a bug in sysfence; {@link InternalException}. */
    INTERNAL(-7);

    private final int value;

    ErrorCode(int value) {
        this.value = value;
    }

    /**
     * The C value, such as {@code -1} for {@code SYSFENCE_ERR_POLICY}.
     *
     * @return the negative result code
     */
    public int value() {
        return value;
    }

    /**
     * The constant for a C result code; a code this version does not know is {@link #INTERNAL}.
     *
     * @param value a negative {@code sysfence_result}
     * @return its constant
     */
    public static ErrorCode of(int value) {
        for (ErrorCode c : values()) {
            if (c.value == value) {
                return c;
            }
        }
        return INTERNAL;
    }
}
