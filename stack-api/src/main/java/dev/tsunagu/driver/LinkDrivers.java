package dev.tsunagu.driver;

import dev.tsunagu.util.ServiceProviders;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The installed {@link LinkDriverProvider}s, keyed by name, and the one place that turns a
 * spec string into a driver.
 *
 * <p>Discovery follows the JDK's own SPIs, by the rules of {@link ServiceProviders}: every
 * provider on the class or module path is found; a provider that fails to load is logged and
 * skipped rather than breaking start-up; when two share a name the first found wins and the
 * other is logged.
 */
public final class LinkDrivers {
    private final Map<String, LinkDriverProvider> providers;

    private LinkDrivers(Map<String, LinkDriverProvider> providers) {
        this.providers = Collections.unmodifiableMap(providers);
    }

    /** The providers visible to this module's class loader (and the thread's, if different), by name. */
    public static LinkDrivers installed() {
        return new LinkDrivers(ServiceProviders.load(LinkDriverProvider.class, LinkDriverProvider::name, "link driver"));
    }

    /** A fixed set, for embedders and tests that wire drivers explicitly. */
    public static LinkDrivers of(LinkDriverProvider... providers) {
        Map<String, LinkDriverProvider> m = new LinkedHashMap<>();
        for (LinkDriverProvider p : providers) {
            m.putIfAbsent(p.name(), p);
        }
        return new LinkDrivers(m);
    }

    /** Every provider, unavailable ones included: by name if installed, in the order given if wired with {@link #of}. */
    public List<LinkDriverProvider> providers() {
        return new ArrayList<>(providers.values());
    }

    /** The provider called {@code name}, or null if none is installed. */
    public LinkDriverProvider provider(String name) {
        return providers.get(name);
    }

    /**
     * Makes a driver from a spec such as {@code cable:lan0}.
     *
     * @throws DriverException if no provider has that name, the provider is unavailable on
     *         this machine, or it fails to create the driver; the message says which
     */
    public LinkDriver create(String spec) throws DriverException {
        DriverSpec parsed;
        try {
            parsed = DriverSpec.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new DriverException(e.getMessage(), e);
        }
        LinkDriverProvider p = providers.get(parsed.name());
        if (p == null) {
            throw new DriverException("no link driver named '" + parsed.name() + "' (installed: "
                    + String.join(", ", providers.keySet()) + ")");
        }
        var cause = p.unavailabilityCause();
        if (cause.isPresent()) {
            throw new DriverException("link driver '" + p.name() + "' is not available here: " + cause.get());
        }
        try {
            return p.create(parsed);
        } catch (IllegalArgumentException e) {
            throw new DriverException("bad spec '" + spec + "': " + e.getMessage(), e);
        }
    }
}
