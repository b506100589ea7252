package dev.sysfence;

import java.util.Objects;

/**
 * One problem {@link Sysfence#check(String)} found: an error (the policy cannot load) or a lint
 * warning (it loads, but probably does not do what was meant).
 *
 * @param severity whether the policy can load
 * @param path     the JSON path, such as {@code rules[0].syscalls[1]}, or {@code $} for the whole
 *                 document
 * @param message  what is wrong, with a "did you mean" for misspelt names
 */
public record Diagnostic(Severity severity, String path, String message) {
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
     * @param severity not null
     * @param path     not null
     * @param message  not null
     */
    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
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
