// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kernel decides, checked against the kernel: every filter is loaded in a forked JVM
 * (Support.child runs dev.sysfence.child.Child), never in the test runner.
 */
class KernelTest {
    /**
     * How ProcessBuilder reports an exec refused with EACCES: "error: 13 (Permission denied)"
     * (JDK 25), "error=13, Permission denied" (older JDKs).
     */
    static final Pattern EACCES = Pattern.compile("error(=13, | ?: 13 \\()Permission denied");

    private static void assertRefused(String line, String prefix) {
        assertTrue(line.startsWith(prefix + " refused: ") && EACCES.matcher(line).find(),
                "expected exec refused with EACCES: " + line);
    }

    @Test
    void noExecRefusesProcessBuilderOnEveryThread() throws Exception {
        List<String> out = Support.child(List.of(), "no-exec").ok().lines();
        assertEquals("before ran: 0", out.get(0));
        assertEquals("Seccomp: 2", out.get(1));
        assertRefused(out.get(2), "main");
        assertRefused(out.get(3), "thread"); // started before the filter: TSYNC moved it
        assertTrue(out.get(4).startsWith("status Status[mode=FILTER"), out.get(4));
        assertTrue(out.get(4).contains("noNewPrivs=true"), out.get(4));
    }

    @Test
    void everyLaunchMechanismIsRefused() throws Exception {
        // FORK: the JDK's fork (glibc clone) then execve; both exec-family routes meet EACCES.
        List<String> out = Support.child(List.of("-Djdk.lang.Process.launchMechanism=FORK"), "no-exec")
                .ok().lines();
        assertRefused(out.get(2), "main");
        assertRefused(out.get(3), "thread");
    }

    @Test
    void logModeLetsItRunAndTheKernelLogsIt() throws Exception {
        KmsgReader kmsg = KmsgReader.open();
        // The kernel rate-limits the audit lines it prints (printk_ratelimit: 10 per 5 s) and
        // other processes log too: a missed record is retried after the window, as in the core.
        for (int attempt = 1; ; attempt++) {
            List<String> out = Support.child(List.of(), "log").ok().lines();
            assertEquals("Seccomp: 2", out.get(0));
            assertTrue(out.get(1).startsWith("main ran: 0 pid "), out.get(1));
            if (kmsg == null) {
                System.err.println("KernelTest: /dev/kmsg is not readable; the kernel's log line was not checked");
                return;
            }
            long pid = Long.parseLong(out.get(1).replaceAll(".* pid ", ""));
            // The spawned process's execve (of jspawnhelper, then of /bin/true) is logged, not refused.
            Map<String, Object> doc = kmsg.await(pid, "execve", 2);
            if (doc != null) {
                assertEquals("log", ((Map<?, ?>) doc.get("seccomp")).get("action"));
                return;
            }
            if (attempt == 4) {
                fail("no seccomp log record for pid " + pid + " in /dev/kmsg");
            }
            Thread.sleep(5500);
        }
    }

    @Test
    void theModeIsAnArgumentOfApply() throws Exception {
        List<String> out = Support.child(List.of(), "mode-log").ok().lines();
        assertEquals(List.of("Seccomp: 2", "main ran: 0"), out);
        out = Support.child(List.of(), "mode-enforce").ok().lines();
        assertRefused(out.get(0), "main");
    }

    @Test
    void malformedPolicyThrowsPolicyExceptionAndLoadsNothing() throws Exception {
        List<String> out = Support.child(List.of(), "malformed").ok().lines();
        assertEquals(List.of(
                "typo: rules[0].syscalls[1] true",
                "text: $",
                "nan: rules[0].args[0].value",
                "preset: true",
                "Seccomp: 0",
                "status Status[mode=DISABLED, filters=OptionalInt[0], noNewPrivs=false]",
                "after ran: 0"), out);
    }

    @Test
    void compiledFilterLoads() throws Exception {
        List<String> out = Support.child(List.of(), "filter-load").ok().lines();
        assertEquals("before ran: 0", out.get(0));
        assertEquals("Seccomp: 2", out.get(1));
        assertRefused(out.get(2), "after");
    }

    @Test
    void precompiledAndRawFiltersLoad() throws Exception {
        for (List<String> scenario : List.of(List.of("precompiled-load"), List.of("precompiled-load", "raw"))) {
            List<String> out = Support.child(List.of(), scenario.toArray(String[]::new)).ok().lines();
            assertEquals("before ran: 0", out.get(0));
            assertEquals("Seccomp: 2", out.get(1));
            assertRefused(out.get(2), "after");
        }
    }

    @Test
    void aRefusedLoadIsALoadExceptionWithTheKernelsErrno() throws Exception {
        List<String> out = Support.child(List.of(), "load-error").ok().lines();
        assertEquals(List.of("apply: LOAD errno 1", "load: LOAD errno 1", "after ran: 0"), out);
    }

    @Test
    void theLibraryComesFromTheJarAndLeavesNothingBehind(@TempDir Path tmp) throws Exception {
        List<String> out = Support.child(List.of("-Djava.io.tmpdir=" + tmp), "extract").ok().lines();
        assertTrue(out.get(0).startsWith("version 0."), out.get(0));
        assertEquals("left 0", out.get(1));
    }

    @Test
    void aLibraryNamedBySystemPropertyIsLoaded(@TempDir Path tmp) throws Exception {
        Path lib = Path.of(System.getProperty("sysfence.test.nativeDir", "../target/debug"), "libsysfence.so");
        List<String> out = Support.child(
                List.of("-Dsysfence.library.path=" + lib.toAbsolutePath(), "-Djava.io.tmpdir=" + tmp),
                "no-exec").ok().lines();
        assertRefused(out.get(2), "main");
        Support.Run missing = Support.child(List.of("-Dsysfence.library.path=/nonexistent/libsysfence.so"), "extract");
        assertFalse(missing.exit() == 0);
        assertTrue(missing.stderr().contains("IoException") && missing.stderr().contains("/nonexistent/libsysfence.so"),
                missing.stderr());
    }

    @Test
    void onTheModulePathEnableNativeAccessSilencesTheJdk() throws Exception {
        List<String> cmd = List.of(Support.javaBin().toString(), "--enable-native-access=dev.sysfence",
                "-p", Support.classes().toString(), "--add-modules", "dev.sysfence",
                "-cp", Support.testClasses().toString(), "dev.sysfence.child.Child", "no-exec");
        Support.Run r = Support.run(cmd).ok();
        assertRefused(r.lines().get(2), "main");
        assertFalse(r.stderr().contains("WARNING"), r.stderr());
        // Without the flag the JDK warns (it names the module), and still runs.
        List<String> bare = List.of(Support.javaBin().toString(), "-p", Support.classes().toString(),
                "--add-modules", "dev.sysfence", "-cp", Support.testClasses().toString(),
                "dev.sysfence.child.Child", "extract");
        Support.Run w = Support.run(bare).ok();
        assertTrue(w.stderr().contains("--enable-native-access=dev.sysfence"), w.stderr());
    }

    private static long pidOf(Map<String, Object> doc) {
        return doc.get("process") instanceof Map<?, ?> p && p.get("pid") instanceof Long l ? l : -1;
    }

    private static String syscallOf(Map<String, Object> doc) {
        return doc.get("seccomp") instanceof Map<?, ?> s && s.get("syscall") instanceof Map<?, ?> c
                && c.get("name") instanceof String n ? n : null;
    }

    /**
     * Reads /dev/kmsg records (one per read) on a daemon thread, from the oldest the ring holds;
     * /dev/kmsg has no non-blocking read in Java, so the thread stays blocked at the end.
     */
    static final class KmsgReader {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        static KmsgReader open() {
            File f = new File("/dev/kmsg");
            InputStream in;
            try {
                in = new FileInputStream(f);
            } catch (IOException e) {
                return null;
            }
            KmsgReader r = new KmsgReader();
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    while (true) {
                        int n;
                        try {
                            n = in.read(buf);
                        } catch (IOException e) {
                            // EPIPE: records were overwritten before we read them; go on.
                            if (String.valueOf(e.getMessage()).contains("Broken pipe")) {
                                continue;
                            }
                            return;
                        }
                        if (n < 0) {
                            return;
                        }
                        r.lines.add(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // closing failed: nothing to do
                }
            }, "kmsg-reader");
            t.setDaemon(true);
            t.start();
            return r;
        }

        /** The first record (from the oldest) of {@code pid} making {@code syscall}, waiting up to {@code seconds}. */
        Map<String, Object> await(long pid, String syscall, int seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null || !line.contains("type=1326") || !line.contains(" pid=" + pid + " ")
                        || line.indexOf('\0') >= 0) {
                    continue;
                }
                var doc = Sysfence.parseAuditLine(line.strip());
                if (doc.isPresent() && pidOf(doc.get()) == pid && syscall.equals(syscallOf(doc.get()))) {
                    return doc.get();
                }
            }
            return null;
        }
    }
}
