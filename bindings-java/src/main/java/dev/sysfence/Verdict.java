// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import java.util.Objects;
import java.util.Optional;

/**
 * What a filter does with one syscall, as {@link Filter#simulate} finds by running the filter's
 * own BPF on the data the kernel would see.
 *
 * @param action the action as text: {@code allow}, {@code log}, {@code kill_process},
 *               {@code kill_thread}, {@code trap}, {@code errno:EACCES}, {@code trace:N},
 *               {@code notify}
 */
public record Verdict(String action) {
    /**
     * A verdict for an action text.
     *
     * @param action the action as text; not null
     */
    public Verdict {
        Objects.requireNonNull(action, "action");
    }

    /**
     * Whether the syscall runs unchanged ({@code allow}; {@code log} runs it too, logged).
     *
     * @return true for {@code allow}
     */
    public boolean isAllowed() {
        return action.equals("allow");
    }

    /**
     * The action without its detail: {@code errno} for {@code errno:EACCES}.
     *
     * @return the kind of action
     */
    public String kind() {
        int colon = action.indexOf(':');
        return colon < 0 ? action : action.substring(0, colon);
    }

    /**
     * The action's detail: {@code EACCES} for {@code errno:EACCES}, the value of {@code trace:N}.
     *
     * @return the detail, or empty for actions without one
     */
    public Optional<String> detail() {
        int colon = action.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(action.substring(colon + 1));
    }

    /**
     * The action as text, as {@link #action()}.
     *
     * @return the action
     */
    @Override
    public String toString() {
        return action;
    }
}
