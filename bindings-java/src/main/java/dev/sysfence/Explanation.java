// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Filter#explain} found: the verdict of {@link Filter#simulate}, and what in the
 * policy gave it. The core builds it; every language returns the same fields.
 *
 * @param syscall              the syscall as the filter saw it (the sub-call for
 *                             {@code socketcall}/{@code ipc})
 * @param verdict              the action
 * @param instructions         how many BPF instructions ran to reach it
 * @param arch                 the architecture evaluated, such as {@code x86_64}
 * @param nr                   the syscall number on that architecture
 * @param decidedBy            what decided: a rule's path and action
 *                             ({@code rules[0].syscalls[0] (errno:EACCES)}),
 *                             {@code default_action}, or {@code bad_arch_action (...)} and why
 * @param arguments            the conditions that decided, each with the call's value; empty
 *                             when none did
 * @param multiplexed          for a socket or SysV IPC call that {@code arch} multiplexes
 *                             ({@code socketcall}, {@code ipc}): the verdict of that form; else
 *                             null
 * @param multiplexedDecidedBy what decided the multiplexed form, or null
 */
public record Explanation(String syscall, Verdict verdict, int instructions, String arch, long nr,
        String decidedBy, List<String> arguments, Multiplexed multiplexed, String multiplexedDecidedBy) {
    /**
     * What the filter does with the multiplexed form of a call ({@code socketcall(SYS_SOCKET, ...)}).
     *
     * @param multiplexer  {@code socketcall} or {@code ipc}
     * @param nr           the multiplexer's syscall number
     * @param call         the sub-call number, its first argument
     * @param verdict      the action
     * @param instructions how many BPF instructions ran to reach it
     */
    public record Multiplexed(String multiplexer, long nr, long call, Verdict verdict, int instructions) {
        /**
         * A multiplexed verdict.
         *
         * @param multiplexer  not null
         * @param nr           the multiplexer's number
         * @param call         the sub-call number
         * @param verdict      not null
         * @param instructions the instruction count
         */
        public Multiplexed {
            Objects.requireNonNull(multiplexer, "multiplexer");
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /**
     * An explanation.
     *
     * @param syscall              not null
     * @param verdict              not null
     * @param instructions         the instruction count
     * @param arch                 not null
     * @param nr                   the syscall number
     * @param decidedBy            not null
     * @param arguments            not null; copied
     * @param multiplexed          null for a call that is not multiplexed
     * @param multiplexedDecidedBy null for a call that is not multiplexed
     */
    public Explanation {
        Objects.requireNonNull(syscall, "syscall");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(decidedBy, "decidedBy");
        arguments = List.copyOf(Objects.requireNonNull(arguments, "arguments"));
    }

    /**
     * The verdict of the multiplexed form, for a call {@code arch} multiplexes.
     *
     * @return it, or empty
     */
    public Optional<Multiplexed> multiplexedVerdict() {
        return Optional.ofNullable(multiplexed);
    }

    /** Reads the core's JSON object ({@code sysfence_filter_explain}). */
    static Explanation fromJson(String text) {
        Map<?, ?> m = Sysfence.object(Sysfence.parse(text));
        List<String> arguments = m.containsKey("arguments")
                ? Sysfence.list(m.get("arguments")).stream().map(Sysfence::string).toList()
                : List.of();
        Multiplexed multiplexed = null;
        if (m.get("multiplexed") != null) {
            Map<?, ?> x = Sysfence.object(m.get("multiplexed"));
            multiplexed = new Multiplexed(Sysfence.string(Sysfence.field(x, "multiplexer")),
                    number(Sysfence.field(x, "nr")), number(Sysfence.field(x, "call")),
                    new Verdict(Sysfence.string(Sysfence.field(x, "action"))),
                    Math.toIntExact(number(Sysfence.field(x, "instructions"))));
        }
        Object by = m.get("multiplexed_decided_by");
        return new Explanation(Sysfence.string(Sysfence.field(m, "syscall")),
                new Verdict(Sysfence.string(Sysfence.field(m, "action"))),
                Math.toIntExact(number(Sysfence.field(m, "instructions"))),
                Sysfence.string(Sysfence.field(m, "arch")), number(Sysfence.field(m, "nr")),
                Sysfence.string(Sysfence.field(m, "decided_by")), arguments, multiplexed,
                by == null ? null : Sysfence.string(by));
    }

    private static long number(Object v) {
        if (v instanceof Long n) {
            return n;
        }
        throw new InternalException("libsysfence returned " + v + " where an integer was expected");
    }
}
