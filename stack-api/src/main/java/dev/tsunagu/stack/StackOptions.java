package dev.tsunagu.stack;

import java.util.LinkedHashMap;
import java.util.Map;

/** The settings a stack was built with; anything not set reads as its option's default. */
public final class StackOptions {
    private final Map<String, Object> values;

    StackOptions(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    /** No option set: every option reads as its default. */
    public static StackOptions defaults() {
        return new StackOptions(Map.of());
    }

    /** The value of {@code option}: as set, or its default. */
    public <T> T get(StackOption<T> option) {
        Object v = values.get(option.name());
        return v == null ? option.defaultValue() : option.type().cast(v);
    }

    /** The options that were set explicitly. */
    public Map<String, Object> explicit() {
        return new LinkedHashMap<>(values);
    }
}
