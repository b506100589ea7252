// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import java.util.Objects;
import java.util.Optional;

/**
 * One problem {@link Sysfence#check(String)} found: an error (the policy cannot load) or a lint
 * warning (it loads, but probably does not do what was meant).
 *
 * @param severity   whether the policy can load
 * @param kind       what the finding is about, a stable name for programs such as
 *                   {@code unknown_syscall} (docs/policy.md lists them)
 * @param path       the JSON path, such as {@code rules[0].syscalls[1]}, or {@code $} for the
 *                   whole document
 * @param message    what is wrong, with a "did you mean" for misspelt names
 * @param suggestion the value probably meant, or null
 */
public record Diagnostic(Severity severity, String kind, String path, String message, String suggestion) {
    /** How serious a diagnostic is. */
    public enum Severity {
        /** The policy is invalid: it cannot be compiled or loaded. */
        ERROR,
        /** The policy is valid but probably wrong (a lint warning). */
        WARNING
    }

    /**
     * A diagnostic.
     *
     * @param severity   not null
     * @param kind       not null
     * @param path       not null
     * @param message    not null
     * @param suggestion null when there is none
     */
    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The value probably meant ({@code execve} for {@code exceve}).
     *
     * @return the suggestion, if there is one
     */
    public Optional<String> suggested() {
        return Optional.ofNullable(suggestion);
    }

    /**
     * Whether this is an error (the policy cannot load).
     *
     * @return true for {@link Severity#ERROR}
     */
    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
