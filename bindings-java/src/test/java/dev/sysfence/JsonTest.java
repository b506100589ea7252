// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Java values to JSON text (policies) and JSON text to Java values (the library's reports). */
class JsonTest {
    private static PolicyException refused(Object v) {
        return assertThrows(PolicyException.class, () -> Json.write(v));
    }

    @Test
    void writesWhatJsonCanHold() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\t\u0001\u007f é 😀");
        m.put("n", null);
        m.put("b", true);
        m.put("i", List.of(1, 2L, (short) 3, (byte) 4, new BigInteger("18446744073709551615"),
                new BigInteger("-9223372036854775808"), 1.5, 2.5f, new BigDecimal("1E+3")));
        m.put("e", Map.of());
        String text = Json.write(m);
        assertEquals("{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f é 😀\",\"n\":null,\"b\":true,"
                + "\"i\":[1,2,3,4,18446744073709551615,-9223372036854775808,1.5,2.5,1E+3],\"e\":{}}", text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals(m.get("s"), back.get("s"));
        assertEquals(new BigInteger("18446744073709551615"), ((List<?>) back.get("i")).get(4));
        assertEquals(Long.MIN_VALUE, ((List<?>) back.get("i")).get(5));
    }

    @Test
    void refusesWhatJsonCannotHoldAtItsPath() {
        assertEquals("rules[0].args[0].value", refused(Map.of("rules", List.of(Map.of("args",
                List.of(Map.of("value", Double.NaN)))))).path().orElseThrow());
        assertEquals("x", refused(Map.of("x", Float.NEGATIVE_INFINITY)).path().orElseThrow());
        assertEquals("x", refused(Map.of("x", new BigInteger("18446744073709551616"))).path().orElseThrow());
        assertEquals("x", refused(Map.of("x", new BigInteger("-9223372036854775809"))).path().orElseThrow());
        assertEquals("x[1]", refused(Map.of("x", List.of(1, Set.of(2)))).path().orElseThrow());
        assertEquals("x", refused(Map.of("x", new byte[] {1})).path().orElseThrow());
        assertEquals("x", refused(Map.of("x", new java.util.concurrent.atomic.AtomicLong(1))).path().orElseThrow());
        assertEquals("x", refused(Map.of("x", "\udc00")).path().orElseThrow());
        Map<Object, Object> badKey = new HashMap<>();
        badKey.put(1, "one");
        PolicyException e = refused(Map.of("rules", List.of(badKey)));
        assertEquals("rules[0]", e.path().orElseThrow());
        assertTrue(e.getMessage().contains("not a String"), e.getMessage());
        Map<Object, Object> nullKey = new HashMap<>();
        nullKey.put(null, "x");
        assertEquals("$", refused(nullKey).path().orElseThrow());
    }

    @Test
    void refusesCycles() {
        Map<String, Object> m = new HashMap<>();
        m.put("self", m);
        PolicyException e = refused(m);
        assertEquals("self", e.path().orElseThrow());
        assertTrue(e.getMessage().contains("itself"), e.getMessage());
        List<Object> l = new ArrayList<>();
        l.add(l);
        assertEquals("x[0]", refused(Map.of("x", l)).path().orElseThrow());
        // The same list twice, side by side, is no cycle.
        List<Integer> shared = List.of(1);
        assertEquals("{\"a\":[[1],[1]]}", Json.write(Map.of("a", List.of(shared, shared))));
    }

    @Test
    void refusesPastTheLimits() {
        Object deep = "x";
        for (int i = 0; i < Json.MAX_DEPTH + 1; i++) {
            deep = List.of(deep);
        }
        Object tooDeep = deep;
        assertTrue(refused(Map.of("d", tooDeep)).getMessage().contains("deeper than"));
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i <= Json.MAX_ITEMS; i++) {
            many.add(i);
        }
        assertEquals("extends", refused(Map.of("extends", many)).path().orElseThrow());
        List<String> big = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            big.add("a".repeat(1 << 20));
        }
        assertTrue(refused(Map.of("big", big)).getMessage().contains("larger than"));
        assertEquals("$", refused(Map.of("one", "a".repeat(Json.MAX_CHARS))).path().orElseThrow());
    }

    @Test
    void aMapThatRepeatsAKeyIsRefused() {
        // A Map whose entrySet repeats a key: JSON parsers disagree on which one wins.
        Map<String, Object> twice = new AbstractMap<>() {
            @Override
            public Set<Entry<String, Object>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public java.util.Iterator<Entry<String, Object>> iterator() {
                        return List.<Entry<String, Object>>of(Map.entry("mode", "log"), Map.entry("mode", "enforce"))
                                .iterator();
                    }

                    @Override
                    public int size() {
                        return 2;
                    }
                };
            }
        };
        assertEquals("mode", refused(twice).path().orElseThrow());
    }

    @Test
    void parsesStrictly() {
        assertEquals(List.of(1L, -2L, 0.5, 1e3, "\u00e9\ud83d\ude00/"),
                Json.parse(" [1, -2, 0.5, 1e3, \"\\u00e9\\ud83d\\ude00\\/\"] "));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", null);
        m.put("b", false);
        assertEquals(m, Json.parse("{\"a\":null,\"b\":false}"));
        for (String bad : List.of("", "[", "[1,]", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "01", "1.", ".5", "+1",
                "\"\t\"", "\"\\x\"", "[1] 2", "nul", "{a:1}", "'a'", "\"\\u12\"", "-", "1e")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
