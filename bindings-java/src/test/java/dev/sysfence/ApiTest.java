// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The API without loading anything (loads are in KernelTest's forked JVMs). */
class ApiTest {
    static final Map<String, Object> NO_IPV4 = Map.of("default_action", "allow", "rules", List.of(Map.of(
            "action", "errno:EAFNOSUPPORT", "syscalls", List.of("socket"),
            "args", List.of(Map.of("index", 0, "op", "eq", "value", 2)))));

    static final String TYPO = "{\"default_action\": \"allow\", \"rules\": "
            + "[{\"action\": \"errno:EACCES\", \"syscalls\": [\"execve\", \"exceve\"]}]}";

    @Test
    void convertResolvesADockerProfileForAContext() {
        String docker = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
                + "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                + "{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\","
                + " \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}";
        String plain = Sysfence.convert(docker, "oci", null);
        assertTrue(plain.contains("\"read\"") && !plain.contains("\"mount\""), plain);
        String admin = Sysfence.convert(docker, "oci", "{\"caps\": \"default,CAP_SYS_ADMIN\"}");
        assertTrue(admin.contains("\"mount\""), admin);
        PolicyException e = assertThrows(PolicyException.class,
                () -> Sysfence.convert("{\"defaultAction\": \"SCMP_ACT_NOPE\"}", "oci", null));
        assertEquals(Optional.of("defaultAction"), e.path());
        assertThrows(InvalidArgumentException.class, () -> Sysfence.convert(docker, "yaml", null));
        assertTrue(Sysfence.convert("{\"default_action\": \"errno\", \"extends\": [\"docker-default\"]}",
                "docker", null).contains("SCMP_ACT_ALLOW"));
    }

    @Test
    void version() {
        assertTrue(Sysfence.version().matches("\\d+\\.\\d+\\.\\d+.* \\(libseccomp 2\\.\\d+\\.\\d+\\)"),
                Sysfence.version());
    }

    @Test
    void compileSimulateBpfPfc() {
        try (Filter f = Sysfence.compile(NO_IPV4)) {
            assertEquals(new Verdict("errno:EAFNOSUPPORT"), f.simulate("socket", 2, 1, 0));
            Verdict allow = f.simulate("socket", 1, 1, 0);
            assertTrue(allow.isAllowed());
            assertEquals("allow", allow.toString());
            assertEquals(Optional.empty(), allow.detail());
            Verdict refused = f.simulate("socket", 2);
            assertEquals("errno", refused.kind());
            assertEquals(Optional.of("EAFNOSUPPORT"), refused.detail());
            assertEquals("allow", f.simulate("read").action());
            assertEquals("kill_process", f.simulateOn("x86", "read").action());
            assertEquals("allow", f.simulate("0").action()); // a number as text: read on x86_64
            byte[] bpf = f.bpf();
            assertTrue(bpf.length >= 32 && bpf.length % 8 == 0, "bpf length " + bpf.length);
            ByteBuffer b = ByteBuffer.wrap(bpf).order(ByteOrder.nativeOrder());
            assertEquals(0x20, b.getShort(0)); // BPF_LD|BPF_W|BPF_ABS
            assertEquals(4, b.getInt(4));      // seccomp_data.arch
            assertArrayEquals(bpf, f.bpf());
            assertFalse(f.pfc().isEmpty());
        }
    }

    @Test
    void simulateErrorsAreInvalidArguments() {
        try (Filter f = Sysfence.compile(NO_IPV4)) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> f.simulate("exceve"));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertEquals(-5, e.code().value());
            assertTrue(e.getMessage().contains("\"execve\""), e.getMessage());
            assertEquals(Optional.empty(), e.path());
            assertThrows(InvalidArgumentException.class, () -> f.simulate("read", 0, 0, 0, 0, 0, 0, 0));
            assertThrows(InvalidArgumentException.class, () -> f.simulateOn("vax", "read"));
            assertThrows(InvalidArgumentException.class, () -> f.simulate("re\0ad"));
        }
    }

    @Test
    void explainNamesWhatDecided() {
        try (Filter f = Sysfence.compile(NO_IPV4)) {
            Explanation e = f.explain("socket", 2, 1, 0);
            assertEquals("socket", e.syscall());
            assertEquals(new Verdict("errno:EAFNOSUPPORT"), e.verdict());
            assertEquals("rules[0].syscalls[0] (errno:EAFNOSUPPORT)", e.decidedBy());
            assertEquals(1, e.arguments().size());
            assertTrue(e.instructions() > 0);
            assertEquals(Optional.empty(), e.multiplexedVerdict());
            Explanation read = f.explain("read");
            assertEquals(List.of("allow", "default_action"), List.of(read.verdict().action(), read.decidedBy()));
            assertEquals(List.of(), read.arguments());
            assertTrue(f.explainOn("x86", "read").decidedBy().startsWith("bad_arch_action "));
        }
    }

    @Test
    void explainReadsAMultiplexedCall() {
        try (Filter f = Sysfence.compile(Map.of("default_action", "allow", "architectures", List.of("x86_64", "x86"),
                "rules", List.of(Map.of("action", "errno:EPERM", "syscalls", List.of("@network")))))) {
            Explanation e = f.explainOn("x86", "socket", 2, 1, 0);
            assertEquals(List.of("socket", "x86", "errno:EPERM"), List.of(e.syscall(), e.arch(), e.verdict().action()));
            assertEquals(359, e.nr());
            Explanation.Multiplexed m = e.multiplexedVerdict().orElseThrow();
            assertEquals(List.of("socketcall", 102L, 1L, "errno:EPERM"),
                    List.of(m.multiplexer(), m.nr(), m.call(), m.verdict().action()));
            assertTrue(m.instructions() > 0);
            assertEquals("rules[0].syscalls[0] (errno:EPERM)", e.multiplexedDecidedBy());
        }
    }

    @Test
    void explainErrorsAreSimulates() {
        try (Filter f = Sysfence.compile(NO_IPV4)) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> f.explain("exceve"));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertTrue(e.getMessage().contains("\"execve\""), e.getMessage());
            assertThrows(InvalidArgumentException.class, () -> f.explain("read", 0, 0, 0, 0, 0, 0, 0));
            assertThrows(InvalidArgumentException.class, () -> f.explainOn("vax", "read"));
        }
    }

    @Test
    void argumentsAreUnsigned64Bit() {
        try (Filter f = Sysfence.compile(Map.of("default_action", "allow", "rules", List.of(Map.of(
                "action", "errno:EPERM", "syscalls", List.of("dup"),
                "args", List.of(Map.of("index", 0, "op", "eq", "value", "0xffffffffffffffff"))))))) {
            assertEquals("errno:EPERM", f.simulate("dup", Long.parseUnsignedLong("18446744073709551615")).action());
            assertEquals("errno:EPERM", f.simulate("dup", -1L).action());
            assertEquals("allow", f.simulate("dup", Long.MAX_VALUE).action());
        }
    }

    @Test
    void oneFilterServesManyThreadsAtOnce() throws Exception {
        try (Filter f = Sysfence.compile(NO_IPV4)) {
            List<Thread> threads = new ArrayList<>();
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 8; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 40; i++) {
                        seen.add(f.simulate("socket", 2 - (i % 2)).action() + " " + f.bpf().length);
                        // Each thread's errors are its own (the C library's last error is per thread).
                        try {
                            f.simulate(i % 2 == 0 ? "exceve" : "opnat");
                        } catch (InvalidArgumentException e) {
                            seen.add(e.getMessage().contains(i % 2 == 0 ? "\"execve\"" : "\"openat\"")
                                    ? "right error" : "wrong error: " + e.getMessage());
                        }
                        try {
                            Sysfence.compile(TYPO);
                        } catch (PolicyException e) {
                            seen.add(e.path().orElse("-"));
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(8 * 40 * 3, seen.size());
            int len = f.bpf().length;
            assertEquals(java.util.Set.of("errno:EAFNOSUPPORT " + len, "allow " + len, "right error",
                    "rules[0].syscalls[1]"), java.util.Set.copyOf(seen));
        }
    }

    @Test
    void aClosedFilterIsRefused() {
        Filter f = Sysfence.compile("{\"default_action\": \"allow\", \"extends\": [\"no-exec\"]}");
        f.close();
        f.close(); // twice is harmless
        assertThrows(IllegalStateException.class, () -> f.simulate("execve"));
        assertThrows(IllegalStateException.class, f::bpf);
        assertThrows(IllegalStateException.class, f::pfc);
        assertThrows(IllegalStateException.class, f::load);
    }

    @Test
    void policyErrorsNameThePath() {
        PolicyException e = assertThrows(PolicyException.class, () -> Sysfence.compile(TYPO));
        assertEquals(Optional.of("rules[0].syscalls[1]"), e.path());
        assertEquals(ErrorCode.POLICY, e.code());
        assertEquals(0, e.errno());
        assertTrue(e.getMessage().contains("rules[0].syscalls[1]") && e.getMessage().contains("\"execve\""),
                e.getMessage());
        assertEquals(Optional.of("$"),
                assertThrows(PolicyException.class, () -> Sysfence.compile("{\"default_action\": ")).path());
        assertEquals(Optional.of("$"), assertThrows(PolicyException.class, () -> Sysfence.compile("[]")).path());
    }

    @Test
    void textThatCannotCrossTheAbiIsRefusedBeforeIt() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Sysfence.compile("{\"a\0\": 1}"));
        assertTrue(e.getMessage().contains("NUL"), e.getMessage());
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertThrows(InvalidArgumentException.class, () -> Sysfence.applyPolicy("{\"a\0\": 1}"));
        assertThrows(InvalidArgumentException.class, () -> Sysfence.applyPreset("no-exec\0"));
        assertThrows(InvalidArgumentException.class, () -> Sysfence.check("\0"));
        assertThrows(InvalidArgumentException.class, () -> Sysfence.compile("{\"\ud800\": 1}"));
        assertThrows(NullPointerException.class, () -> Sysfence.compile((String) null));
        assertThrows(NullPointerException.class, () -> Sysfence.applyPolicy((Map<String, ?>) null));
    }

    @Test
    void checkReportsEveryErrorAndWarningWithItsPath() {
        CheckReport r = Sysfence.check(TYPO);
        List<Diagnostic> d = r.diagnostics();
        assertEquals(List.of("rules[0].syscalls[1]"), d.stream().filter(Diagnostic::isError).map(Diagnostic::path).toList());
        assertEquals(Diagnostic.Severity.ERROR, d.get(0).severity());
        assertEquals(false, r.ok());
        assertEquals(1, r.errors());
        assertEquals(List.of(), Sysfence.check(NO_IPV4).diagnostics().stream().filter(Diagnostic::isError).toList());
        CheckReport clean = new CheckReport(true, 0, 0, List.of());
        assertEquals(clean, Sysfence.check("{\"default_action\": \"allow\", \"extends\": [\"no-exec\"]}"));
        // A string is JSON text or a preset name, as in every language.
        assertEquals(clean, Sysfence.check("no-exec"));
        Diagnostic unknown = Sysfence.check("no-exce").diagnostics().get(0);
        assertEquals(List.of("unknown_preset", "$", "no-exec"), List.of(unknown.kind(), unknown.path(), unknown.suggestion()));
        List<Diagnostic> w = Sysfence.check(Map.of("default_action", "allow", "rules",
                List.of(Map.of("action", "errno:EPERM", "syscalls", List.of("@network"))))).diagnostics();
        assertTrue(w.stream().anyMatch(x -> x.severity() == Diagnostic.Severity.WARNING && x.path().equals("rules[0]")
                && x.kind().equals("io_uring_bypass")), w.toString());
        assertEquals(List.of("invalid_json"), Sysfence.check("{").diagnostics().stream().map(Diagnostic::kind).toList());
        // Values JSON cannot hold are an error diagnostic too, not an exception.
        List<Diagnostic> nan = Sysfence.check(Map.of("default_action", Double.POSITIVE_INFINITY)).diagnostics();
        assertEquals(1, nan.size());
        assertEquals("default_action", nan.get(0).path());
        assertTrue(nan.get(0).isError());
    }

    @Test
    void statusOfThisThread() {
        Status s = Sysfence.status();
        assertTrue(s.mode() != null && s.filters() != null);
    }

    @Test
    void oneExceptionClassPerResultCodeOfTheHeader() throws Exception {
        // The header's enum, parsed: every SYSFENCE_ERR_* has an ErrorCode of the same value.
        String header = Files.readString(Support.root().resolve("bindings-c/include/sysfence.h"));
        Matcher m = Pattern.compile("SYSFENCE_ERR_([A-Z_]+) = (-\\d+)").matcher(header);
        Map<String, Integer> codes = new TreeMap<>();
        while (m.find()) {
            codes.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Map<String, Integer> ours = new TreeMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            ours.put(c.name(), c.value());
        }
        assertEquals(codes, ours);
        List<Class<?>> classes = new ArrayList<>();
        for (ErrorCode c : ErrorCode.values()) {
            SysfenceException e = SysfenceException.of(c, "m", null, 0);
            assertEquals(c, e.code());
            assertTrue(e.getClass().getSuperclass() == SysfenceException.class);
            assertFalse(classes.contains(e.getClass()));
            classes.add(e.getClass());
        }
        assertEquals(Arrays.asList(SysfenceException.class.getPermittedSubclasses()).size(), classes.size());
        assertTrue(RuntimeException.class.isAssignableFrom(SysfenceException.class));
        assertEquals(ErrorCode.INTERNAL, ErrorCode.of(-99));
    }
}
