// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ```java example in docs/java.md runs in a JVM of its own (source-file mode, the main
 * classes on the class path, as a user would) and prints what its {@code // =>} comments say.
 */
class DocsTest {
    static List<String> examples() throws IOException {
        String doc = Files.readString(Support.root().resolve("docs/java.md"));
        Matcher m = Pattern.compile("(?ms)^```java\\n(.*?)^```").matcher(doc);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @TempDir
    Path tmp;

    @Test
    void theGuideHasExamples() throws IOException {
        assertTrue(examples().size() >= 4, "docs/java.md has " + examples().size() + " java examples");
    }

    @TestFactory
    Stream<DynamicTest> everyExamplePrintsWhatItSays() throws IOException {
        List<String> all = examples();
        return java.util.stream.IntStream.range(0, all.size()).mapToObj(i ->
                DynamicTest.dynamicTest("example" + (i + 1), () -> run(all.get(i), i + 1)));
    }

    private void run(String code, int n) throws Exception {
        List<String> expected = new ArrayList<>();
        Matcher m = Pattern.compile("// => (.*)$", Pattern.MULTILINE).matcher(code);
        while (m.find()) {
            expected.add(m.group(1).strip());
        }
        assertTrue(expected.size() >= 1, "example " + n + " has no // => lines");
        Path src = tmp.resolve("Example" + n + ".java");
        Files.writeString(src, code);
        Support.Run r = Support.run(List.of(Support.javaBin().toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", Support.classes().toString(), src.toString())).ok();
        assertEquals(expected, r.lines(), "example " + n + ":\n" + code + "\n--- stderr\n" + r.stderr());
    }
}
