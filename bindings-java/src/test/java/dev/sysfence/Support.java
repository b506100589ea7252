// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Paths the build passes in, and forked JVMs: filters are loaded only there. */
final class Support {
    private Support() {}

    /** The repository root. */
    static Path root() {
        return Path.of(System.getProperty("sysfence.test.root", "..")).toAbsolutePath().normalize();
    }

    static Path classes() {
        return Path.of(System.getProperty("sysfence.test.classes", "target/classes"));
    }

    static Path testClasses() {
        return Path.of(System.getProperty("sysfence.test.testClasses", "target/test-classes"));
    }

    static Path javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** What a forked JVM did. */
    record Run(int exit, String stdout, String stderr) {
        List<String> lines() {
            return stdout.lines().toList();
        }

        Run ok() {
            assertTrue(exit == 0, "child exited " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr);
            return this;
        }
    }

    /** Runs {@code command} (a JVM, usually) and waits for it, at most a minute. */
    static Run run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        File err = File.createTempFile("sysfence-child", ".err");
        err.deleteOnExit();
        pb.redirectError(err);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child timed out: " + command);
        }
        String stderr = java.nio.file.Files.readString(err.toPath());
        err.delete();
        return new Run(p.exitValue(), out, stderr);
    }

    /** The test main {@code dev.sysfence.child.Child} in a forked JVM on the class path. */
    static Run child(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin().toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classes() + File.pathSeparator + testClasses());
        cmd.add("dev.sysfence.child.Child");
        cmd.addAll(List.of(args));
        return run(cmd);
    }
}
