// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every case in tests/vectors/ (format in tests/vectors/README.md), through the Java binding. */
class VectorsTest {
    static List<Path> cases() throws IOException {
        try (Stream<Path> s = Files.list(Support.root().resolve("tests/vectors"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void thereAreVectors() throws IOException {
        assertTrue(cases().size() >= 10, "tests/vectors has " + cases().size() + " cases");
    }

    @TestFactory
    Stream<DynamicTest> everyVector() throws IOException {
        return cases().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> run(p)));
    }

    private static void run(Path file) throws IOException {
        String name = file.getFileName().toString();
        String raw = Files.readString(file);
        Map<?, ?> c = (Map<?, ?>) Json.parse(raw);
        // The policy as the file has it: a Java Map could not hold its 2^64 (err-ranges.json).
        // An "argument" is text too: JSON or a preset name, which the core tells apart.
        String text = c.containsKey("policy_text") ? (String) c.get("policy_text")
                : c.containsKey("argument") ? (String) c.get("argument") : member(raw, "policy");
        CheckReport report = Sysfence.check(text);
        List<Diagnostic> diags = report.diagnostics();
        if (c.get("policy") instanceof Map<?, ?> m && !raw.contains("18446744073709551616")) {
            // The same policy as a Java Map: the same report.
            @SuppressWarnings("unchecked")
            Map<String, ?> policy = (Map<String, ?>) m;
            assertEquals(report, Sysfence.check(policy), name + " (as a Map)");
        }
        List<Diagnostic> errors = diags.stream().filter(Diagnostic::isError).toList();
        assertEquals(errors.isEmpty(), report.ok(), name);
        assertEquals(List.of(errors.size(), diags.size() - errors.size()), List.of(report.errors(), report.warnings()), name);
        if (c.containsKey("errors")) {
            List<?> want = (List<?>) c.get("errors");
            assertEquals(pairs(want), pairs(errors), name);
            if (c.get("suggestions") instanceof Map<?, ?> suggestions) {
                suggestions.forEach((path, s) -> assertEquals(List.of(s),
                        errors.stream().filter(d -> d.path().equals(path)).map(Diagnostic::suggestion).toList(),
                        name + ": " + path));
            }
            PolicyException e = assertThrows(PolicyException.class, () -> Sysfence.compile(text), name);
            assertEquals(pairs(want).get(0).get(0), e.path().orElseThrow(), name);
            assertEquals(ErrorCode.POLICY, e.code());
            return;
        }
        assertEquals(pairs((List<?>) c.get("warnings")), pairs(diags), name);
        try (Filter f = Sysfence.compile(text)) {
            if (c.get("simulate") instanceof List<?> sims) {
                for (Object o : sims) {
                    Map<?, ?> s = (Map<?, ?>) o;
                    long[] args = s.get("args") instanceof List<?> l
                            ? l.stream().mapToLong(VectorsTest::u64).toArray() : new long[0];
                    String syscall = (String) s.get("syscall");
                    Verdict v = s.get("arch") instanceof String arch
                            ? f.simulateOn(arch, syscall, args) : f.simulate(syscall, args);
                    assertEquals(s.get("action"), v.action(), name + ": " + s);
                    if (s.get("decided_by") instanceof String by) {
                        Explanation e = s.get("arch") instanceof String arch
                                ? f.explainOn(arch, syscall, args) : f.explain(syscall, args);
                        assertEquals(List.of(s.get("action"), by),
                                List.of(e.verdict().action(), e.decidedBy()), name + ": " + s);
                    }
                }
            }
        }
    }

    /** {@code [path, kind]} of a vector's {@code errors}/{@code warnings} or of diagnostics. */
    static List<List<String>> pairs(List<?> list) {
        return list.stream().map(o -> o instanceof Diagnostic d ? List.of(d.path(), d.kind())
                : List.of((String) ((Map<?, ?>) o).get("path"), (String) ((Map<?, ?>) o).get("kind"))).toList();
    }

    /** The text of the top-level member {@code key} of the JSON object {@code text}. */
    static String member(String text, String key) {
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"') {
                int end = i + 1;
                while (text.charAt(end) != '"') {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                if (depth == 1 && text.substring(i + 1, end).equals(key)) {
                    int start = text.indexOf(':', end) + 1;
                    int j = start;
                    int d = 0;
                    boolean inString = false;
                    for (; j < text.length(); j++) {
                        char x = text.charAt(j);
                        if (inString) {
                            if (x == '\\') {
                                j++;
                            } else if (x == '"') {
                                inString = false;
                            }
                        } else if (x == '"') {
                            inString = true;
                        } else if (x == '{' || x == '[') {
                            d++;
                        } else if (x == '}' || x == ']') {
                            if (d == 0) {
                                break;
                            }
                            d--;
                        } else if (x == ',' && d == 0) {
                            break;
                        }
                    }
                    return text.substring(start, j).strip();
                }
                i = end;
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if (ch == '}' || ch == ']') {
                depth--;
            }
        }
        throw new AssertionError("no member " + key);
    }

    /** A vector's argument as the 64 bits the kernel compares (values above 2^63 wrap). */
    private static long u64(Object v) {
        return v instanceof BigInteger b ? b.longValue() : (Long) v;
    }
}
