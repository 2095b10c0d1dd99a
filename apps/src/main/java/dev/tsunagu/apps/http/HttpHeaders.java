package dev.tsunagu.apps.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The header fields of an HTTP message, in the order they came, with names looked up without
 * regard to case (RFC 9110 5.1). Immutable.
 */
public final class HttpHeaders {
    /** One field line: {@code name: value}, with the value's surrounding whitespace removed. */
    public record Field(String name, String value) {
        @Override
        public String toString() {
            return name + ": " + value;
        }
    }

    private final List<Field> fields;

    private HttpHeaders(List<Field> fields) {
        this.fields = List.copyOf(fields);
    }

    public static HttpHeaders of(List<Field> fields) {
        return new HttpHeaders(fields);
    }

    /** Every field, in order. */
    public List<Field> fields() {
        return fields;
    }

    /** The first value of {@code name}, if present. */
    public Optional<String> first(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                return Optional.of(f.value());
            }
        }
        return Optional.empty();
    }

    /** Every value of {@code name}, in order (a repeated field, or none). */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) {
                values.add(f.value());
            }
        }
        return values;
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    /**
     * Whether the comma-separated list field {@code name} (over all its lines) contains
     * {@code token}, ignoring case: {@code hasToken("Connection", "close")}.
     */
    public boolean hasToken(String name, String token) {
        return tokens(name).contains(token.toLowerCase(Locale.ROOT));
    }

    /** The comma-separated elements of the list field {@code name}, trimmed and lower-cased. */
    public List<String> tokens(String name) {
        List<String> tokens = new ArrayList<>();
        for (String value : all(name)) {
            for (String t : value.split(",")) {
                String s = t.strip().toLowerCase(Locale.ROOT);
                if (!s.isEmpty()) {
                    tokens.add(s);
                }
            }
        }
        return tokens;
    }

    public int size() {
        return fields.size();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        fields.forEach(f -> sb.append(f).append("\r\n"));
        return sb.toString();
    }

    /**
     * Parses one field line (RFC 9112 5): a token, a colon with no whitespace before it, and a
     * value. Obsolete line folding is not accepted.
     *
     * @throws java.net.ProtocolException naming what is wrong
     */
    static Field parseField(String line) throws java.net.ProtocolException {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new java.net.ProtocolException("malformed header line (no name or no colon): " + Http.quote(line));
        }
        String name = line.substring(0, colon);
        if (!Http.isToken(name)) {
            throw new java.net.ProtocolException("malformed header name: " + Http.quote(name));
        }
        return new Field(name, line.substring(colon + 1).strip());
    }
}
