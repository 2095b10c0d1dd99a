package dev.tsunagu.driver;

import dev.tsunagu.net.MacAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed driver spec: {@code NAME[:ARGUMENT][,KEY=VALUE...]}.
 *
 * @param name the provider name ({@code cable})
 * @param argument what follows the colon ({@code lan0}), or empty
 * @param parameters the {@code key=value} pairs after it, in order
 */
public record DriverSpec(String name, String argument, Map<String, String> parameters) {
    /** Copies {@code parameters}, keeping their order; the copy is unmodifiable. */
    public DriverSpec {
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Parses {@code NAME[:ARGUMENT][,KEY=VALUE...]}, e.g. {@code cable:lan0,mtu=9000}.
     *
     * @throws IllegalArgumentException with a one-line reason if {@code spec} is empty or malformed
     */
    public static DriverSpec parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty driver spec (want NAME[:ARG][,KEY=VALUE...], e.g. cable:lan0)");
        }
        String[] parts = spec.trim().split(",");
        String head = parts[0];
        int colon = head.indexOf(':');
        String name = colon < 0 ? head : head.substring(0, colon);
        String argument = colon < 0 ? "" : head.substring(colon + 1);
        if (name.isEmpty() || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("bad driver name in spec '" + spec + "'");
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("bad parameter '" + parts[i] + "' in driver spec '" + spec + "' (want KEY=VALUE)");
            }
            params.put(parts[i].substring(0, eq).trim(), parts[i].substring(eq + 1).trim());
        }
        return new DriverSpec(name, argument, params);
    }

    /**
     * Refuses a parameter the driver does not take, naming those it does: a misspelt key is an
     * error, not a silent default.
     *
     * @throws IllegalArgumentException {@code unknown NAME parameter 'KEY' (known: ...)}
     */
    public void requireKnownParameters(String... known) {
        List<String> keys = List.of(known);
        for (String key : parameters.keySet()) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(
                        "unknown " + name + " parameter '" + key + "' (known: " + String.join(", ", keys) + ")");
            }
        }
    }

    /** A MAC address parameter ({@code 02:00:00:00:00:01}), or null when absent. */
    public MacAddress macParameter(String key) {
        String v = parameters.get(key);
        try {
            return v == null ? null : MacAddress.parse(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    name + " parameter " + key + "= wants a MAC like 02:00:00:00:00:01: " + v, e);
        }
    }

    /** An integer parameter, or {@code fallback} when absent. */
    public int intParameter(String key, int fallback) {
        String v = parameters.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("driver spec parameter " + key + " must be a number: " + v, e);
        }
    }

    /**
     * An on/off parameter ({@code on}, {@code yes}, {@code true} or {@code off}, {@code no},
     * {@code false}), or {@code fallback} when absent.
     */
    public boolean switchParameter(String key, boolean fallback) {
        String v = parameters.get(key);
        return v == null ? fallback : parseSwitch(name + " " + key, v);
    }

    /**
     * {@code on}/{@code yes}/{@code true} or {@code off}/{@code no}/{@code false}, in any case.
     *
     * @param what what the value is for, for the error ({@code "tap offload"})
     * @throws IllegalArgumentException for anything else: "{@code what} must be on or off"
     */
    public static boolean parseSwitch(String what, String text) {
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new IllegalArgumentException(what + " must be on or off: " + text);
        };
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name);
        if (!argument.isEmpty()) {
            sb.append(':').append(argument);
        }
        parameters.forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
        return sb.toString();
    }
}
