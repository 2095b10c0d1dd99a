package dev.tsunagu.apps.iperf3;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small JSON codec iperf3's control messages need (RFC 8259): objects as
 * {@code LinkedHashMap<String, Object>}, arrays as {@code List<Object>}, strings, numbers as
 * {@code Long} when integral and in range else {@code Double}, {@code Boolean}, and
 * {@link #NULL} for {@code null}.
 *
 * <p>Hand-written rather than a library: the messages are a few hundred bytes of flat objects,
 * and a parser this size is easier to bound (depth, length) than to configure. Bad input is a
 * {@link JsonException} with a one-line reason and the offset, never anything else.
 */
final class Json {
    /** JSON's {@code null} (Java null would be ambiguous in a map lookup). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Nesting deeper than this is refused: iperf3's messages are two levels deep. */
    static final int MAX_DEPTH = 32;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** A JSON text that must be one value with nothing but white space after it. */
    static Object parse(String text) {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return v;
    }

    /** A JSON text that must be an object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        if (parse(text) instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new JsonException("expected a JSON object");
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        pos++; // {
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a member name");
            }
            String name = string();
            skipSpace();
            expect(':');
            skipSpace();
            m.put(name, value(depth + 1));
            skipSpace();
            char c = next();
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        pos++; // [
        List<Object> a = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return a;
        }
        while (true) {
            skipSpace();
            a.add(value(depth + 1));
            skipSpace();
            char c = next();
            if (c == ']') {
                return a;
            }
            if (c != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        pos++; // "
        StringBuilder s = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return s.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> s.append(e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        s.append((char) Integer.parseInt(text, pos, pos + 4, 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape '\\" + e + "'");
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        int digits = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digits) {
            throw error("a number needs digits");
        }
        boolean integral = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            integral = false;
            pos++;
            int frac = pos;
            while (pos < text.length() && isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos == frac) {
                throw error("digits expected after '.'");
            }
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            int exp = pos;
            while (pos < text.length() && isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos == exp) {
                throw error("digits expected in the exponent");
            }
        }
        String literal = text.substring(start, pos);
        if (integral && literal.length() <= 18) {
            return Long.parseLong(literal);
        }
        if (integral) {
            // iperf3 writes a 64-bit -1 as 18446744073709551615: keep what fits, else the double.
            BigDecimal big = new BigDecimal(literal);
            try {
                return big.longValueExact();
            } catch (ArithmeticException tooBig) {
                return big.doubleValue();
            }
        }
        return Double.parseDouble(literal);
    }

    /**
     * RFC 8259 6: a digit is ASCII {@code 0}-{@code 9}. Not {@link Character#isDigit}, which
     * takes other scripts' digits too: {@code Long.parseLong} would read those, but
     * {@code Double.parseDouble} throws a {@link NumberFormatException} on them (found by
     * fuzzing: {@code 6e0٤} escaped the parser).
     */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unknown literal");
        }
        pos += word.length();
        return value;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private JsonException error(String what) {
        return new JsonException(what + " at offset " + Math.min(pos, text.length()));
    }

    // ---- writing ----

    /** Compact JSON for a value made of the types {@link #parse} returns (any {@link Number}, any {@link Map} with string keys). */
    static String write(Object value) {
        StringBuilder s = new StringBuilder();
        write(s, value);
        return s.toString();
    }

    private static void write(StringBuilder s, Object v) {
        switch (v) {
            case null -> s.append("null");
            case String str -> writeString(s, str);
            case Boolean b -> s.append(b);
            case Double d -> s.append(d.isNaN() || d.isInfinite() ? "0" : d.toString());
            case Float f -> write(s, f.doubleValue());
            case Number n -> s.append(n.longValue());
            case Map<?, ?> m -> {
                s.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        s.append(',');
                    }
                    first = false;
                    writeString(s, String.valueOf(e.getKey()));
                    s.append(':');
                    write(s, e.getValue());
                }
                s.append('}');
            }
            case List<?> l -> {
                s.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        s.append(',');
                    }
                    write(s, l.get(i));
                }
                s.append(']');
            }
            default -> {
                if (v == NULL) {
                    s.append("null");
                } else {
                    throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
                }
            }
        }
    }

    private static void writeString(StringBuilder s, String str) {
        s.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }

    // ---- typed member access ----

    static long longMember(Map<String, Object> m, String name, long fallback) {
        return switch (m.get(name)) {
            case Number n -> n.longValue();
            case Boolean b -> b ? 1 : 0;
            case null, default -> fallback;
        };
    }

    static double doubleMember(Map<String, Object> m, String name, double fallback) {
        return m.get(name) instanceof Number n ? n.doubleValue() : fallback;
    }

    /** iperf3 sends flags as JSON {@code true} (cJSON_AddTrueToObject), present only when set. */
    static boolean flagMember(Map<String, Object> m, String name) {
        return switch (m.get(name)) {
            case Boolean b -> b;
            case Number n -> n.doubleValue() != 0;
            case null, default -> false;
        };
    }

    static String stringMember(Map<String, Object> m, String name, String fallback) {
        return m.get(name) instanceof String s ? s : fallback;
    }

    /** Bad JSON: a one-line reason with the offset. */
    static final class JsonException extends IllegalArgumentException {
        JsonException(String message) {
            super(message);
        }
    }
}
