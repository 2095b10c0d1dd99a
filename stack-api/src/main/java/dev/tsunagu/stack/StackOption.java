package dev.tsunagu.stack;

import java.util.Objects;

/**
 * A typed setting with a name and a default, declared by the layer that reads it (for
 * example {@code ArpOptions.CACHE_TIMEOUT}) and set on the {@link NetworkStack.Builder}.
 *
 * @param <T> the value's type
 */
public record StackOption<T>(String name, Class<T> type, T defaultValue, String description) {
    /**
     * Checks that nothing is null and the default has the declared type.
     *
     * @throws IllegalArgumentException if {@code defaultValue} is not a {@code type}
     */
    public StackOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        if (!type.isInstance(defaultValue)) {
            throw new IllegalArgumentException(name + ": default " + defaultValue + " is not a " + type.getSimpleName());
        }
    }

    /** Declares an option; shorthand for the constructor. */
    public static <T> StackOption<T> of(String name, Class<T> type, T defaultValue, String description) {
        return new StackOption<>(name, type, defaultValue, description);
    }
}
