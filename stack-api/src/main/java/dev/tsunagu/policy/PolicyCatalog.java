package dev.tsunagu.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(PolicyCatalog.class);

    private final String kind;
    private final String defaultName;
    private final Map<String, P> providers;

    private PolicyCatalog(String kind, String defaultName, Map<String, P> providers) {
        this.kind = kind;
        this.defaultName = defaultName;
        this.providers = providers;
    }

    /** Everything {@link ServiceLoader} finds for {@code type}. */
    public static <P extends NamedProvider> PolicyCatalog<P> load(String kind, String defaultName, Class<P> type) {
        Map<String, P> found = new LinkedHashMap<>();
        loadInto(ServiceLoader.load(type, type.getClassLoader()), found, kind);
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        if (tccl != null && tccl != type.getClassLoader()) {
            loadInto(ServiceLoader.load(type, tccl), found, kind);
        }
        return new PolicyCatalog<>(kind, defaultName, found);
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

    private static <P extends NamedProvider> void loadInto(ServiceLoader<P> loader, Map<String, P> into, String kind) {
        var it = loader.iterator();
        while (true) {
            P p;
            try {
                if (!it.hasNext()) {
                    return;
                }
                p = it.next();
            } catch (ServiceConfigurationError e) {
                log.warn("skipping a {} provider that failed to load: {}", kind, e.getMessage());
                continue;
            }
            P prior = into.putIfAbsent(p.name(), p);
            if (prior != null && prior.getClass() != p.getClass()) {
                log.warn("two {} providers are named '{}': using {}, ignoring {}", kind, p.name(),
                        prior.getClass().getName(), p.getClass().getName());
            }
        }
    }

    /** The policy kind, e.g. {@code congestion-control}. */
    public String kind() {
        return kind;
    }

    /** The name used when none is asked for and the system property is unset ({@code newreno}…). */
    public String defaultName() {
        return defaultName;
    }

    /** Every installed provider, in the order found. */
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
