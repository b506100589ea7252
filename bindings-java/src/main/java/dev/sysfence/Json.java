// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON both ways, just what crosses the C ABI: {@link #write} turns a policy given as Java
 * values into text (refusing, with the path, what JSON cannot hold), {@link #parse} reads the
 * library's reports (strict RFC 8259).
 */
final class Json {
    /** At most this many entries in one list or map (as the Python and Node bindings). */
    static final int MAX_ITEMS = 65_536;
    /** At most this many levels of nesting. */
    static final int MAX_DEPTH = 128;
    /** At most this much text in all. */
    static final int MAX_CHARS = 4 << 20;

    private static final BigInteger MIN_I64 = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private Json() {}

    // ---- writing ---------------------------------------------------------------------------

    /**
     * JSON text for {@code value}: a {@link Map} with {@link String} keys, a {@link List}, a
     * {@link String}, a {@link Boolean}, null, or an {@link Integer}, {@link Long},
     * {@link Short}, {@link Byte}, {@link BigInteger} (within 64 bits), finite {@link Double} or
     * {@link Float}, or {@link BigDecimal}. Anything else, a container that holds itself, or more
     * than the limits is a {@link PolicyException} naming the path.
     */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        new Writer(out).value(value, "$", 0);
        if (out.length() > MAX_CHARS) {
            throw Writer.error("$", "the policy is larger than " + MAX_CHARS + " characters of JSON");
        }
        return out.toString();
    }

    private static final class Writer {
        private final StringBuilder out;
        private final IdentityHashMap<Object, Boolean> open = new IdentityHashMap<>();

        Writer(StringBuilder out) {
            this.out = out;
        }

        private static PolicyException error(String path, String problem) {
            return new PolicyException(path + ": " + problem, path);
        }

        private static String key(String path, String key) {
            return "$".equals(path) ? key : path + "." + key;
        }

        private static String index(String path, int i) {
            return ("$".equals(path) ? "" : path) + "[" + i + "]";
        }

        void value(Object v, String path, int depth) {
            if (out.length() > MAX_CHARS) {
                throw error(path, "the policy is larger than " + MAX_CHARS + " characters of JSON");
            }
            switch (v) {
                case null -> out.append("null");
                case String s -> string(s, path);
                case Boolean b -> out.append(b.booleanValue());
                case Integer i -> out.append(i.intValue());
                case Long l -> out.append(l.longValue());
                case Short s -> out.append(s.shortValue());
                case Byte b -> out.append(b.byteValue());
                case BigInteger b -> {
                    if (b.compareTo(MIN_I64) < 0 || b.compareTo(MAX_U64) > 0) {
                        throw error(path, b + " does not fit in 64 bits");
                    }
                    out.append(b);
                }
                case Double d -> finite(d, path);
                case Float f -> finite(f.doubleValue(), path);
                case BigDecimal d -> out.append(d.toString());
                case Map<?, ?> m -> object(m, path, depth);
                case List<?> l -> array(l, path, depth);
                default -> throw error(path, "a " + v.getClass().getName()
                        + " has no JSON form (use a Map, List, String, Number, Boolean or null)");
            }
        }

        private void finite(double d, String path) {
            if (!Double.isFinite(d)) {
                throw error(path, d + " is not a JSON number (NaN and infinities have no JSON form)");
            }
            out.append(d);
        }

        private void enter(Object container, String path, int depth) {
            if (depth >= MAX_DEPTH) {
                throw error(path, "nested deeper than " + MAX_DEPTH + " levels");
            }
            if (open.put(container, Boolean.TRUE) != null) {
                throw error(path, "contains itself (a cycle has no JSON form)");
            }
        }

        private void object(Map<?, ?> m, String path, int depth) {
            enter(m, path, depth);
            out.append('{');
            Set<String> seen = new HashSet<>();
            int n = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw error(path, "the key " + e.getKey() + " ("
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName())
                            + ") is not a String");
                }
                if (++n > MAX_ITEMS) {
                    throw error(path, "more than " + MAX_ITEMS + " entries (at most " + MAX_ITEMS + ")");
                }
                if (!seen.add(k)) {
                    throw error(key(path, k), "the key appears twice");
                }
                if (n > 1) {
                    out.append(',');
                }
                string(k, path);
                out.append(':');
                value(e.getValue(), key(path, k), depth + 1);
            }
            out.append('}');
            open.remove(m);
        }

        private void array(List<?> l, String path, int depth) {
            enter(l, path, depth);
            out.append('[');
            int i = 0;
            for (Object item : l) {
                if (i >= MAX_ITEMS) {
                    throw error(path, "more than " + MAX_ITEMS + " items (at most " + MAX_ITEMS + ")");
                }
                if (i > 0) {
                    out.append(',');
                }
                value(item, index(path, i), depth + 1);
                i++;
            }
            out.append(']');
            open.remove(l);
        }

        private void string(String s, String path) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    out.append(c).append(s.charAt(++i));
                    continue;
                }
                if (Character.isSurrogate(c)) {
                    throw error(path, "a lone surrogate (U+" + Integer.toHexString(c).toUpperCase()
                            + ") is not valid Unicode");
                }
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20 || c == 0x7f) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }

    // ---- reading ---------------------------------------------------------------------------

    /**
     * The value of strict JSON text: objects as unmodifiable insertion-ordered {@link Map}s
     * (a key twice is an error), arrays as unmodifiable {@link List}s, integers as {@link Long}
     * (or {@link BigInteger} beyond it), other numbers as {@link Double}, and {@link String},
     * {@link Boolean} and null. Text that is not JSON throws {@link IllegalArgumentException}.
     */
    static Object parse(String text) {
        Parser p = new Parser(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.i != text.length()) {
            throw p.fail("text after the value");
        }
        return v;
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException fail(String what) {
            return new IllegalArgumentException("invalid JSON at offset " + i + ": " + what);
        }

        void ws() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw fail("unexpected end");
            }
            return s.charAt(i);
        }

        private void expect(String word) {
            if (!s.startsWith(word, i)) {
                throw fail("expected " + word);
            }
            i += word.length();
        }

        Object value(int depth) {
            if (depth > 512) {
                throw fail("nested too deep");
            }
            char c = peek();
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return string();
                case 't':
                    expect("true");
                    return Boolean.TRUE;
                case 'f':
                    expect("false");
                    return Boolean.FALSE;
                case 'n':
                    expect("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw fail("unexpected character '" + c + "'");
            }
        }

        private Map<String, Object> object(int depth) {
            i++;
            Map<String, Object> m = new LinkedHashMap<>();
            ws();
            if (peek() == '}') {
                i++;
                return Collections.unmodifiableMap(m);
            }
            while (true) {
                ws();
                if (peek() != '"') {
                    throw fail("expected a key");
                }
                String k = string();
                ws();
                expect(":");
                ws();
                if (m.containsKey(k)) {
                    throw fail("the key \"" + k + "\" appears twice");
                }
                m.put(k, value(depth + 1));
                ws();
                char c = peek();
                i++;
                if (c == '}') {
                    return Collections.unmodifiableMap(m);
                }
                if (c != ',') {
                    i--;
                    throw fail("expected , or }");
                }
            }
        }

        private List<Object> array(int depth) {
            i++;
            List<Object> l = new ArrayList<>();
            ws();
            if (peek() == ']') {
                i++;
                return Collections.unmodifiableList(l);
            }
            while (true) {
                ws();
                l.add(value(depth + 1));
                ws();
                char c = peek();
                i++;
                if (c == ']') {
                    return Collections.unmodifiableList(l);
                }
                if (c != ',') {
                    i--;
                    throw fail("expected , or ]");
                }
            }
        }

        private String string() {
            i++;
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    i--;
                    throw fail("a control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = peek();
                i++;
                switch (e) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '/' -> b.append('/');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw fail("a short \\u escape");
                        }
                        int cp = 0;
                        for (int k = 0; k < 4; k++) {
                            int d = Character.digit(s.charAt(i + k), 16);
                            if (d < 0) {
                                throw fail("a bad \\u escape");
                            }
                            cp = cp * 16 + d;
                        }
                        i += 4;
                        b.append((char) cp);
                    }
                    default -> {
                        i--;
                        throw fail("a bad escape \\" + e);
                    }
                }
            }
        }

        private Object number() {
            int start = i;
            if (peek() == '-') {
                i++;
            }
            if (peek() == '0') {
                i++;
            } else if (peek() >= '1' && peek() <= '9') {
                digits();
            } else {
                throw fail("a digit expected");
            }
            boolean integral = true;
            if (i < s.length() && s.charAt(i) == '.') {
                integral = false;
                i++;
                if (!(peek() >= '0' && peek() <= '9')) {
                    throw fail("a digit expected after '.'");
                }
                digits();
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                integral = false;
                i++;
                if (peek() == '+' || peek() == '-') {
                    i++;
                }
                if (!(peek() >= '0' && peek() <= '9')) {
                    throw fail("a digit expected in the exponent");
                }
                digits();
            }
            String t = s.substring(start, i);
            if (!integral) {
                return Double.parseDouble(t);
            }
            BigInteger b = new BigInteger(t);
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }

        private void digits() {
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
        }
    }
}
