package dev.tsunagu.policy;

import dev.tsunagu.util.ServiceProviders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The installed providers of one policy kind, by name, and the rule that picks one.
 *
 * <p>A name is resolved by one documented chain: the name asked for (builder or socket
 * option) → the system property {@code tsunagu.tcp.<kind>} → the built-in default name. If
 * the chosen name is not installed, the error lists what is.
 *
 * @param <P> the provider type
 */
public final class PolicyCatalog<P extends NamedProvider> {
    private final String kind;
    private final String defaultName;
    private final Map<String, P> providers;

    private PolicyCatalog(String kind, String defaultName, Map<String, P> providers) {
        this.kind = kind;
        this.defaultName = defaultName;
        this.providers = providers;
    }

    /** Everything {@link java.util.ServiceLoader} finds for {@code type}, by the rules of {@link ServiceProviders}. */
    public static <P extends NamedProvider> PolicyCatalog<P> load(String kind, String defaultName, Class<P> type) {
        return new PolicyCatalog<>(kind, defaultName, ServiceProviders.load(type, NamedProvider::name, kind));
    }

    /** Exactly these providers (explicit wiring for embedders and tests). */
    @SafeVarargs
    public static <P extends NamedProvider> PolicyCatalog<P> of(String kind, String defaultName, P... providers) {
        Map<String, P> m = new LinkedHashMap<>();
        for (P p : providers) {
            m.putIfAbsent(p.name(), p);
        }
        return new PolicyCatalog<>(kind, defaultName, m);
    }

    /** The policy kind, e.g. {@code congestion-control}. */
    public String kind() {
        return kind;
    }

    /** The name used when none is asked for and the system property is unset ({@code cubic}…). */
    public String defaultName() {
        return defaultName;
    }

    /** Every installed provider: by name if loaded, in the order given if wired with {@link #of}. */
    public List<P> providers() {
        return new ArrayList<>(providers.values());
    }

    /** The provider called {@code name}, or empty; unlike {@link #resolve} this consults no fallback. */
    public Optional<P> find(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    /** The system property consulted when no name is given: {@code tsunagu.tcp.<kind>}. */
    public String systemProperty() {
        return "tsunagu.tcp." + kind;
    }

    /**
     * Resolves {@code requested} (may be null) through the chain described above.
     *
     * @throws IllegalArgumentException naming what is installed, if the chosen name is not
     */
    public P resolve(String requested) {
        String name = requested;
        String how = "asked for";
        if (name == null || name.isBlank()) {
            name = System.getProperty(systemProperty());
            how = "system property " + systemProperty();
        }
        if (name == null || name.isBlank()) {
            name = defaultName;
            how = "the default";
        }
        P p = providers.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no " + kind + " policy named '" + name + "' (" + how + "); installed: "
                    + (providers.isEmpty() ? "none" : String.join(", ", providers.keySet())));
        }
        return p;
    }
}
