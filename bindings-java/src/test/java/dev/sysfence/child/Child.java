// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence.child;

import dev.sysfence.Filter;
import dev.sysfence.LoadException;
import dev.sysfence.Mode;
import dev.sysfence.PolicyException;
import dev.sysfence.Sysfence;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The forked JVM the kernel tests start (KernelTest): each scenario loads a filter into this
 * process, never into the test runner, and prints what happened, one fact a line.
 */
public final class Child {
    private Child() {}

    /** The runs /bin/true with ProcessBuilder: "ran: N" (exit status) or "refused: message". */
    static String spawnTrue() {
        try {
            Process p = new ProcessBuilder("/bin/true").start();
            return "ran: " + p.waitFor() + " pid " + p.pid();
        } catch (IOException e) {
            return "refused: " + e.getMessage().lines().findFirst().orElse("");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The Seccomp: line of /proc/self/status. */
    static String seccompLine() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Seccomp:")).findFirst().orElse("Seccomp: ?")
                .replaceAll("\\s+", " ");
    }

    /**
     * Runs the scenario named by args[0].
     *
     * @param args the scenario and its arguments
     * @throws Exception a failure, which exits non-zero
     */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "no-exec" -> noExec();
            case "log" -> {
                Sysfence.applyPolicy(Map.of("default_action", "allow", "extends", List.of("no-exec"),
                        "mode", "log"));
                System.out.println(seccompLine());
                System.out.println("main " + spawnTrue());
            }
            case "mode-log" -> {
                Sysfence.applyPreset("no-exec", Mode.LOG);
                System.out.println(seccompLine());
                System.out.println("main " + spawnTrue().replaceAll(" pid .*", ""));
            }
            case "mode-enforce" -> {
                Sysfence.applyPolicy(Map.of("default_action", "allow", "extends", List.of("no-exec"),
                        "mode", "log"), Mode.ENFORCE);
                System.out.println("main " + spawnTrue());
            }
            case "malformed" -> malformed();
            case "filter-load" -> {
                try (Filter f = Sysfence.compile("{\"default_action\": \"allow\", \"extends\": [\"no-exec\"]}")) {
                    System.out.println("before " + spawnTrue().replaceAll(" pid .*", ""));
                    f.load();
                }
                System.out.println(seccompLine());
                System.out.println("after " + spawnTrue());
            }
            case "precompiled-load" -> {
                byte[] bytes;
                try (Filter c = Sysfence.compile("{\"default_action\": \"allow\", \"extends\": [\"no-exec\"]}")) {
                    bytes = args.length > 1 ? c.bpf() : c.toBytes();
                }
                try (Filter f = args.length > 1 ? Filter.fromRawBpf(bytes, null, 1) : Filter.fromBytes(bytes)) {
                    System.out.println("before " + spawnTrue().replaceAll(" pid .*", ""));
                    f.load();
                }
                System.out.println(seccompLine());
                System.out.println("after " + spawnTrue());
            }
            case "load-error" -> {
                Sysfence.applyPolicy("{\"default_action\": \"allow\", \"rules\": "
                        + "[{\"action\": \"errno:EPERM\", \"syscalls\": [\"seccomp\"]}]}");
                try {
                    Sysfence.applyPreset("no-exec");
                    System.out.println("apply: loaded");
                } catch (LoadException e) {
                    System.out.println("apply: " + e.code() + " errno " + e.errno());
                }
                try (Filter f = Sysfence.compile("{\"default_action\": \"allow\", \"extends\": [\"no-exec\"]}")) {
                    f.load();
                    System.out.println("load: loaded");
                } catch (LoadException e) {
                    System.out.println("load: " + e.code() + " errno " + e.errno());
                }
                System.out.println("after " + spawnTrue().replaceAll(" pid .*", ""));
            }
            case "extract" -> {
                // java.io.tmpdir is a fresh directory: the extracted library must not stay there.
                System.out.println("version " + Sysfence.version());
                File[] left = new File(System.getProperty("java.io.tmpdir")).listFiles();
                System.out.println("left " + (left == null ? -1 : left.length));
            }
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    private static void noExec() throws Exception {
        System.out.println("before " + spawnTrue().replaceAll(" pid .*", ""));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        String[] seen = new String[1];
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            seen[0] = spawnTrue();
        });
        t.start();
        started.await(); // the thread runs before the filter is loaded
        Sysfence.applyPreset("no-exec");
        System.out.println(seccompLine());
        System.out.println("main " + spawnTrue());
        go.countDown();
        t.join();
        System.out.println("thread " + seen[0]);
        System.out.println("status " + Sysfence.status());
    }

    private static void malformed() throws Exception {
        try {
            Sysfence.applyPolicy(Map.of("default_action", "allow", "rules",
                    List.of(Map.of("action", "errno:EACCES", "syscalls", List.of("execve", "exceve")))));
            System.out.println("typo: loaded");
        } catch (PolicyException e) {
            System.out.println("typo: " + e.path().orElse("-") + " " + e.getMessage().contains("\"execve\""));
        }
        try {
            Sysfence.applyPolicy("{\"default_action\": ");
            System.out.println("text: loaded");
        } catch (PolicyException e) {
            System.out.println("text: " + e.path().orElse("-"));
        }
        try {
            Sysfence.applyPolicy(Map.of("default_action", "allow", "rules",
                    List.of(Map.of("action", "errno", "syscalls", List.of("socket"),
                            "args", List.of(Map.of("index", 0, "op", "eq", "value", Double.NaN))))));
            System.out.println("nan: loaded");
        } catch (PolicyException e) {
            System.out.println("nan: " + e.path().orElse("-"));
        }
        try {
            Sysfence.applyPreset("no-exce");
            System.out.println("preset: loaded");
        } catch (PolicyException e) {
            System.out.println("preset: " + e.getMessage().contains("\"no-exec\""));
        }
        System.out.println(seccompLine());
        System.out.println("status " + Sysfence.status());
        System.out.println("after " + spawnTrue().replaceAll(" pid .*", ""));
    }
}
