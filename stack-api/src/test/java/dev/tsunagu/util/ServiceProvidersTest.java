package dev.tsunagu.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.ServiceConfigurationError;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ServiceProvidersTest {

    /** A provider with a name; {@code alias} makes a second class with the same name. */
    record Named(String name) {
    }

    record Alias(String name) {
    }

    /** A scripted ServiceLoader iterator: each step yields a provider or throws what a broken one does. */
    private static <P> Iterator<P> scripted(List<Supplier<P>> steps) {
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < steps.size();
            }

            @Override
            public P next() {
                if (i >= steps.size()) {
                    throw new NoSuchElementException();
                }
                return steps.get(i++).get();
            }
        };
    }

    private static Supplier<Object> ok(Object p) {
        return () -> p;
    }

    private static Supplier<Object> failing(Throwable t) {
        return () -> {
            if (t instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) t;
        };
    }

    private static String nameOf(Object p) {
        return switch (p) {
            case Named n -> n.name();
            case Alias a -> a.name();
            default -> throw new IllegalStateException("provider has no name");
        };
    }

    @Test
    void aProviderThatFailsToLoadIsSkippedAndTheRestAreFound() {
        var found = ServiceProviders.collect(List.of(scripted(List.of(
                        ok(new Named("tap")),
                        failing(new ServiceConfigurationError("Provider x.Broken could not be instantiated")),
                        ok(new Named("pcap"))))),
                ServiceProvidersTest::nameOf, "test");
        assertThat(found).containsOnlyKeys("tap", "pcap");
    }

    @Test
    void aProviderCompiledAgainstAMissingClassIsSkipped() {
        var found = ServiceProviders.collect(List.of(scripted(List.of(
                        failing(new NoClassDefFoundError("org/absent/Thing")),
                        ok(new Named("cable"))))),
                ServiceProvidersTest::nameOf, "test");
        assertThat(found).containsOnlyKeys("cable");
    }

    @Test
    void aProviderWhoseNameThrowsOrIsBlankIsSkipped() {
        var found = ServiceProviders.collect(List.of(scripted(List.of(
                        ok(42), ok(new Named(" ")), ok(new Named("ok"))))),
                ServiceProvidersTest::nameOf, "test");
        assertThat(found).containsOnlyKeys("ok");
    }

    @Test
    void theFirstFoundOfTwoWithOneNameWinsAcrossLoaders() {
        Named first = new Named("tcp");
        var found = ServiceProviders.collect(List.of(
                        scripted(List.of(ok(first))),
                        scripted(List.of(ok(new Alias("tcp")), ok(new Named("tcp"))))),
                ServiceProvidersTest::nameOf, "test");
        assertThat(found).hasSize(1).containsEntry("tcp", first);
    }

    @Test
    void theResultIsInNameOrderWhateverTheDiscoveryOrder() {
        var found = ServiceProviders.collect(List.of(
                        scripted(List.of(ok(new Named("udp")), ok(new Named("ethernet")))),
                        scripted(List.of(ok(new Named("tcp")), ok(new Named("ipv4"))))),
                ServiceProvidersTest::nameOf, "test");
        assertThat(found.keySet()).containsExactly("ethernet", "ipv4", "tcp", "udp");
    }

    @Test
    void aLoaderThatKeepsFailingIsGivenUpOnInsteadOfSpunOn() {
        Iterator<Object> forever = new Iterator<>() {
            int calls;

            @Override
            public boolean hasNext() {
                if (++calls > 10_000) {
                    throw new AssertionError("still asking after 10,000 failures");
                }
                throw new ServiceConfigurationError("META-INF/services: syntax error");
            }

            @Override
            public Object next() {
                throw new NoSuchElementException();
            }
        };
        List<Iterator<Object>> sources = new ArrayList<>();
        sources.add(forever);
        sources.add(scripted(List.of(ok(new Named("after")))));
        var found = ServiceProviders.collect(sources, ServiceProvidersTest::nameOf, "test");
        assertThat(found).containsOnlyKeys("after");
    }

    /** A service type that no module-info declares {@code uses} for. */
    public interface Undeclared {
        String name();
    }

    @Test
    void loadServesATypeThisModuleDoesNotDeclare() {
        // ServiceLoader would throw ServiceConfigurationError without the `uses` the helper adds.
        assertThat(ServiceProviders.load(Undeclared.class, Undeclared::name, "test")).isEmpty();
    }
}
