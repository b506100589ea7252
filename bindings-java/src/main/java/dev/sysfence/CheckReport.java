// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Sysfence#check(String)} found, the same report in every language:
 * {@code {ok, errors, warnings, diagnostics}}.
 *
 * @param ok          true when there is no error (warnings may remain): the policy loads
 * @param errors      how many diagnostics are errors
 * @param warnings    how many diagnostics are warnings
 * @param diagnostics every finding, in the order found
 */
public record CheckReport(boolean ok, int errors, int warnings, List<Diagnostic> diagnostics) {
    /**
     * A report.
     *
     * @param ok          no error
     * @param errors      the error count
     * @param warnings    the warning count
     * @param diagnostics not null; copied
     */
    public CheckReport {
        diagnostics = List.copyOf(Objects.requireNonNull(diagnostics, "diagnostics"));
    }
}
