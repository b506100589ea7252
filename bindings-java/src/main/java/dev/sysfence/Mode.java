// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

/**
 * The mode a caller of {@link Sysfence#applyPolicy(String, Mode)} gives, replacing the
 * policy's own {@code mode}: a service switches between enforcing and only logging through
 * its own configuration, without rewriting the policy.
 */
public enum Mode {
    /** Actions apply as written. */
    ENFORCE("enforce"),
    /** Every action other than allow becomes {@code log}: the call runs and the kernel logs it. */
    LOG("log");

    private final String text;

    Mode(String text) {
        this.text = text;
    }

    /**
     * The name the policy format uses.
     *
     * @return {@code enforce} or {@code log}
     */
    public String text() {
        return text;
    }
}
