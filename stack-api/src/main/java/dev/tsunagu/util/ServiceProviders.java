package dev.tsunagu.util;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the providers of one service type the way the JDK's own SPIs do (charsets, file
 * systems): with {@link ServiceLoader}, tolerating the providers that fail.
 *
 * <p>The rules, the same for layers, link drivers and TCP policies:
 * <ul>
 *   <li>Both this module's class loader and the thread's context class loader are searched,
 *       so a provider on the module path and one an application server put on its own loader
 *       are both found.</li>
 *   <li>A provider that fails to load (a class missing, a constructor that throws, a name
 *       that throws) is logged as a warning and skipped: one broken plugin must not stop a
 *       stack from starting.</li>
 *   <li>Names are unique: when two providers share one, the first found wins and the other is
 *       logged (the same class seen through both loaders is not a conflict).</li>
 *   <li>The result is ordered by name, so listings and defaults do not depend on the order in
 *       which the module system happens to enumerate modules.</li>
 * </ul>
 */
public final class ServiceProviders {
    private static final Logger log = LoggerFactory.getLogger(ServiceProviders.class);

    /** A loader that keeps failing is given up on rather than spun on. */
    static final int MAX_CONSECUTIVE_FAILURES = 64;

    private ServiceProviders() {
    }

    /**
     * The providers of {@code service} on the class and module path, by name, in name order.
     *
     * @param service a public type (ServiceLoader loads only those on another class's behalf)
     * @param kind what the providers are, for log messages ({@code "link driver"})
     */
    public static <P> SequencedMap<String, P> load(Class<P> service, Function<? super P, String> nameOf, String kind) {
        // ServiceLoader needs the calling module to declare `uses`; this module may add it for
        // itself, which lets the helper serve any service type, not only the ones stack-api names.
        ServiceProviders.class.getModule().addUses(service);
        List<Iterator<P>> sources = new ArrayList<>(2);
        ClassLoader own = ServiceProviders.class.getClassLoader();
        sources.add(ServiceLoader.load(service, own).iterator());
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        if (tccl != null && tccl != own) {
            sources.add(ServiceLoader.load(service, tccl).iterator());
        }
        return collect(sources, nameOf, kind);
    }

    /** The rules above applied to already-open iterators (tests feed failing ones). */
    static <P> SequencedMap<String, P> collect(List<Iterator<P>> sources, Function<? super P, String> nameOf, String kind) {
        Map<String, P> found = new LinkedHashMap<>();
        for (Iterator<P> it : sources) {
            drain(it, nameOf, kind, found);
        }
        List<String> names = new ArrayList<>(found.keySet());
        Collections.sort(names);
        SequencedMap<String, P> ordered = new LinkedHashMap<>();
        for (String name : names) {
            ordered.put(name, found.get(name));
        }
        return ordered;
    }

    private static <P> void drain(Iterator<P> it, Function<? super P, String> nameOf, String kind, Map<String, P> into) {
        int failures = 0;
        while (failures < MAX_CONSECUTIVE_FAILURES) {
            P p;
            String name;
            try {
                if (!it.hasNext()) {
                    return;
                }
                p = it.next();
                name = nameOf.apply(p);
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                // LinkageError: a provider compiled against a class that is not there at run time.
                failures++;
                log.warn("skipping a {} provider that failed to load: {}", kind, e.toString());
                continue;
            }
            failures = 0;
            if (name == null || name.isBlank()) {
                log.warn("skipping a {} provider with no name: {}", kind, p.getClass().getName());
                continue;
            }
            P prior = into.putIfAbsent(name, p);
            if (prior != null && prior.getClass() != p.getClass()) {
                log.warn("two {} providers are named '{}': using {}, ignoring {}", kind, name,
                        prior.getClass().getName(), p.getClass().getName());
            }
        }
        log.warn("gave up looking for {} providers after {} failures in a row", kind, failures);
    }
}
