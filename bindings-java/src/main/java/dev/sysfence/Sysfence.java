// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Declarative seccomp-bpf policies for the JVM: the entry points.
 *
 * <pre>{@code
 * Sysfence.applyPreset("no-exec");   // every thread: execve, execveat, fork, vfork -> EACCES
 * }</pre>
 *
 * <p>A policy is JSON text or a {@link Map} in the format of docs/policy.md
 * ({@code {"default_action": "allow", "rules": [...]}}). A loaded filter covers every thread of
 * the JVM (TSYNC) and the processes it starts afterwards, and cannot be removed. Every failure is
 * an unchecked {@link SysfenceException}. Null arguments throw {@link NullPointerException}.
 *
 * <p>The library is {@code libsysfence.so}, carried in the jar and loaded on first use (see
 * {@link #LIBRARY_PATH_PROPERTY} to name another). The JVM needs
 * {@code --enable-native-access=dev.sysfence} (module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (class path).
 */
public final class Sysfence {
    /**
     * The system property naming a {@code libsysfence.so} to load instead of the jar's copy,
     * such as {@code -Dsysfence.library.path=/usr/local/lib/libsysfence.so}.
     */
    public static final String LIBRARY_PATH_PROPERTY = Native.LIBRARY_PATH_PROPERTY;

    private Sysfence() {}

    /**
     * The version of sysfence and of the libseccomp linked into it.
     *
     * @return such as {@code 0.1.0 (libseccomp 2.6.1)}
     */
    public static String version() {
        return Native.get().version();
    }

    /**
     * Validates, compiles and loads a policy into this process, every thread, after setting
     * {@code PR_SET_NO_NEW_PRIVS}. All or nothing: on error nothing was loaded.
     *
     * @param json the policy as JSON text
     * @throws PolicyException           for an invalid policy ({@link PolicyException#path()})
     * @throws LoadException             when the kernel refuses the filter
     * @throws InvalidArgumentException  for text holding a NUL byte or a lone surrogate
     */
    public static void applyPolicy(String json) {
        Objects.requireNonNull(json, "json");
        Native lib = Native.get();
        try (Arena a = Arena.ofConfined()) {
            lib.check(lib.applyJson(Native.cString(json, "the policy text", a)));
        }
    }

    /**
     * Validates, compiles and loads a policy given as Java values (a {@link Map} with String
     * keys, {@link List}s, Strings, Numbers, Booleans and nulls) into this process, every
     * thread. All or nothing.
     *
     * @param policy the policy
     * @throws PolicyException for an invalid policy, or values JSON cannot hold (NaN, a key that
     *                         is not a String, a map that holds itself, a Set), at their path
     * @throws LoadException   when the kernel refuses the filter
     */
    public static void applyPolicy(Map<String, ?> policy) {
        applyPolicy(toJson(policy));
    }

    /**
     * {@link #applyPolicy(String)} in the mode the caller gives, whatever the policy's own
     * {@code mode}: {@link Mode#LOG} only logs what would be refused, {@link Mode#ENFORCE}
     * refuses it.
     *
     * @param json the policy as JSON text
     * @param mode the mode, or null for the policy's own
     * @throws PolicyException for an invalid policy
     * @throws LoadException   when the kernel refuses the filter
     */
    public static void applyPolicy(String json, Mode mode) {
        Objects.requireNonNull(json, "json");
        Native lib = Native.get();
        try (Arena a = Arena.ofConfined()) {
            lib.check(lib.applyJsonMode(Native.cString(json, "the policy text", a), modeArg(mode, a)));
        }
    }

    /**
     * {@link #applyPolicy(Map)} in the mode the caller gives (null: the policy's own).
     *
     * @param policy the policy
     * @param mode   the mode, or null
     * @throws PolicyException for an invalid policy
     * @throws LoadException   when the kernel refuses the filter
     */
    public static void applyPolicy(Map<String, ?> policy, Mode mode) {
        applyPolicy(toJson(policy), mode);
    }

    /**
     * {@link #applyPreset(String)} in the mode the caller gives (null: enforce).
     *
     * @param name the preset's name
     * @param mode the mode, or null
     * @throws PolicyException for an unknown name
     * @throws LoadException   when the kernel refuses the filter
     */
    public static void applyPreset(String name, Mode mode) {
        Objects.requireNonNull(name, "name");
        Native lib = Native.get();
        try (Arena a = Arena.ofConfined()) {
            lib.check(lib.applyPresetMode(Native.cString(name, "the preset name", a), modeArg(mode, a)));
        }
    }

    private static MemorySegment modeArg(Mode mode, Arena a) {
        return mode == null ? MemorySegment.NULL : Native.cString(mode.text(), "the mode", a);
    }

    /**
     * Applies a preset to this process, every thread: {@code no-exec} (execve, execveat, fork
     * and vfork fail with EACCES), {@code no-spawn}, {@code hardened} (docs/policy.md).
     *
     * @param name the preset's name
     * @throws PolicyException for an unknown name (the message suggests the nearest preset)
     * @throws LoadException   when the kernel refuses the filter
     */
    public static void applyPreset(String name) {
        Objects.requireNonNull(name, "name");
        Native lib = Native.get();
        try (Arena a = Arena.ofConfined()) {
            lib.check(lib.applyPreset(Native.cString(name, "the preset name", a)));
        }
    }

    /**
     * Validates and compiles a policy without loading it.
     *
     * @param json the policy as JSON text
     * @return the filter; close it when done
     * @throws PolicyException  for an invalid policy
     * @throws CompileException when libseccomp cannot build it
     */
    public static Filter compile(String json) {
        Objects.requireNonNull(json, "json");
        Native lib = Native.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = lib.compileJson(Native.cString(json, "the policy text", a));
            if (Native.isNull(f)) {
                throw lib.lastError();
            }
            return new Filter(lib, f);
        }
    }

    /**
     * Validates and compiles a policy given as Java values without loading it.
     *
     * @param policy the policy, as for {@link #applyPolicy(Map)}
     * @return the filter; close it when done
     * @throws PolicyException  for an invalid policy or values JSON cannot hold
     * @throws CompileException when libseccomp cannot build it
     */
    public static Filter compile(Map<String, ?> policy) {
        return compile(toJson(policy));
    }

    /**
     * Every error (the policy cannot load) and every lint warning of a policy, each with its
     * kind and JSON path, without loading anything. An invalid policy is what the report
     * describes, not an exception.
     *
     * @param json the policy argument: JSON text, or a preset name such as {@code no-exec} (the
     *             core tells them apart, as in every language)
     * @return the report; {@code ok()} when the policy loads
     */
    public static CheckReport check(String json) {
        Objects.requireNonNull(json, "json");
        Native lib = Native.get();
        String text;
        try (Arena a = Arena.ofConfined()) {
            text = lib.take(lib.checkJson(Native.cString(json, "the policy text", a)));
        }
        Map<?, ?> report = object(parse(text));
        List<Diagnostic> out = new ArrayList<>();
        for (Object d : list(field(report, "diagnostics"))) {
            Map<?, ?> m = object(d);
            String severity = string(field(m, "severity"));
            Object suggestion = field(m, "suggestion");
            out.add(new Diagnostic(
                    severity.equals("error") ? Diagnostic.Severity.ERROR : Diagnostic.Severity.WARNING,
                    string(field(m, "kind")), string(field(m, "path")), string(field(m, "message")),
                    suggestion == null ? null : string(suggestion)));
        }
        return new CheckReport(Boolean.TRUE.equals(field(report, "ok")),
                ((Number) field(report, "errors")).intValue(),
                ((Number) field(report, "warnings")).intValue(), out);
    }

    /**
     * Converts a policy or a container seccomp profile (a Docker/Podman profile, an OCI
     * {@code linux.seccomp} object or an OCI {@code config.json}) to {@code "oci"},
     * {@code "docker"} or {@code "sysfence"}. The core decides; see docs/containers.md.
     *
     * @param input the policy or profile as JSON text
     * @param to the target format
     * @param contextJson how a profile's conditionals are resolved, such as
     *     {@code {"caps": ["default", "CAP_SYS_ADMIN"], "arch": "x86_64", "kernel": "6.1"}};
     *     null for Docker's default capabilities, the native architecture and the running kernel
     * @return the converted JSON text
     * @throws PolicyException for an invalid input, with the profile's path
     * @throws InvalidArgumentException for an unknown target or a bad context
     */
    public static String convert(String input, String to, String contextJson) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(to, "to");
        Native lib = Native.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment context = contextJson == null
                    ? MemorySegment.NULL
                    : Native.cString(contextJson, "the context", a);
            return lib.take(lib.convertJson(Native.cString(input, "the input", a),
                    Native.cString(to, "the target", a), context));
        }
    }

    /**
     * {@link #check(String)} for a policy given as Java values. Values JSON cannot hold are an
     * error diagnostic at their path.
     *
     * @param policy the policy, as for {@link #applyPolicy(Map)}
     * @return the report
     */
    public static CheckReport check(Map<String, ?> policy) {
        String json;
        try {
            json = toJson(policy);
        } catch (PolicyException e) {
            return new CheckReport(false, 1, 0, List.of(new Diagnostic(Diagnostic.Severity.ERROR,
                    "wrong_type", e.path().orElse("$"), e.getMessage(), null)));
        }
        return check(json);
    }

    /**
     * The seccomp state of the calling thread.
     *
     * @return its mode, filter count and no_new_privs flag
     * @throws IoException when {@code /proc/thread-self/status} cannot be read
     */
    public static Status status() {
        Native lib = Native.get();
        Map<?, ?> m = object(parse(lib.take(lib.statusJson())));
        Object filters = field(m, "filters");
        Status.Mode mode = switch (string(field(m, "mode"))) {
            case "disabled" -> Status.Mode.DISABLED;
            case "strict" -> Status.Mode.STRICT;
            case "filter" -> Status.Mode.FILTER;
            default -> throw new InternalException("libsysfence returned an unknown seccomp mode " + m.get("mode"));
        };
        return new Status(mode,
                filters instanceof Long n ? OptionalInt.of(Math.toIntExact(n)) : OptionalInt.empty(),
                bool(field(m, "no_new_privs")));
    }

    /**
     * One line of the kernel log, {@code /dev/kmsg}, auditd's {@code audit.log} or journald's
     * audit stream holding a seccomp record, as an Elastic Common Schema document: nested maps
     * ({@code doc.get("seccomp")} holds {@code syscall.name}, {@code action}, ...), integers as
     * {@link Long}.
     *
     * @param line the line
     * @return the document (unmodifiable), or empty for a line that holds no seccomp record
     * @throws InvalidArgumentException for a line holding a NUL byte or a lone surrogate
     */
    public static Optional<Map<String, Object>> parseAuditLine(String line) {
        Objects.requireNonNull(line, "line");
        Native lib = Native.get();
        MemorySegment p;
        try (Arena a = Arena.ofConfined()) {
            p = lib.parseAuditLine(Native.cString(line, "the line", a));
        }
        if (Native.isNull(p)) {
            int code = lib.lastErrorCode();
            if (code != 0) {
                throw lib.lastError(code);
            }
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) object(parse(lib.take(p)));
        return Optional.of(doc);
    }

    // ---- helpers ---------------------------------------------------------------------------

    static String toJson(Map<String, ?> policy) {
        Objects.requireNonNull(policy, "policy");
        return Json.write(policy);
    }

    static Object parse(String text) {
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InternalException("libsysfence returned " + e.getMessage());
        }
    }

    static Map<?, ?> object(Object v) {
        if (v instanceof Map<?, ?> m) {
            return m;
        }
        throw new InternalException("libsysfence returned " + v + " where an object was expected");
    }

    static List<?> list(Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        throw new InternalException("libsysfence returned " + v + " where an array was expected");
    }

    static String string(Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw new InternalException("libsysfence returned " + v + " where a string was expected");
    }

    private static boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new InternalException("libsysfence returned " + v + " where a boolean was expected");
    }

    static Object field(Map<?, ?> m, String key) {
        if (!m.containsKey(key)) {
            throw new InternalException("libsysfence's report lacks \"" + key + "\"");
        }
        return m.get(key);
    }
}
