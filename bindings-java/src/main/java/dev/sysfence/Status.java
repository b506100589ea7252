// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The seccomp state of the calling thread, from {@code /proc/thread-self/status}.
 *
 * @param mode       the thread's seccomp mode
 * @param filters    how many filters are loaded; empty on kernels before 5.9, which do not say
 * @param noNewPrivs whether {@code PR_SET_NO_NEW_PRIVS} is set (every load sets it)
 */
public record Status(Mode mode, OptionalInt filters, boolean noNewPrivs) {
    /** A thread's seccomp mode. */
    public enum Mode {
        /** No seccomp. */
        DISABLED,
        /** {@code SECCOMP_MODE_STRICT}. */
        STRICT,
        /** One or more filters are loaded. */
        FILTER
    }

    /**
     * A status.
     *
     * @param mode       not null
     * @param filters    not null
     * @param noNewPrivs whether {@code PR_SET_NO_NEW_PRIVS} is set
     */
    public Status {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(filters, "filters");
    }
}
