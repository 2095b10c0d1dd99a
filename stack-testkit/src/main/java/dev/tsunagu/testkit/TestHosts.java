package dev.tsunagu.testkit;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds test networks: stacks on one {@link VirtualEventLoop}, joined by {@link Cable}s, with
 * seeded randomness, so a whole network runs deterministically on the test thread.
 *
 * <pre>{@code
 * VirtualEventLoop loop = new VirtualEventLoop();
 * Cable lan = new Cable("lan");
 * NetworkStack a = TestHosts.host(loop, "a", 1).on(lan, "10.0.0.1/24").build();
 * }</pre>
 */
public final class TestHosts {
    private final NetworkStack.Builder builder;
    private final List<InterfaceConfig> interfaces = new ArrayList<>();

    private TestHosts(VirtualEventLoop loop, String name, long seed) {
        builder = NetworkStack.builder().name(name).eventLoop(loop).seed(seed);
    }

    public static TestHosts host(VirtualEventLoop loop, String name, long seed) {
        return new TestHosts(loop, name, seed);
    }

    /** An interface on {@code cable} with one address. */
    public TestHosts on(Cable cable, String address) {
        interfaces.add(InterfaceConfig.of(cable.attach()).address(address));
        return this;
    }

    public TestHosts with(InterfaceConfig config) {
        interfaces.add(config);
        return this;
    }

    public <T> TestHosts option(StackOption<T> option, T value) {
        builder.option(option, value);
        return this;
    }

    public TestHosts layers(List<LayerProvider> layers) {
        builder.layers(layers);
        return this;
    }

    public TestHosts gateway(String address) {
        builder.gateway(address);
        return this;
    }

    public NetworkStack.Builder builder() {
        interfaces.forEach(builder::addInterface);
        interfaces.clear();
        return builder;
    }

    public NetworkStack build() {
        return builder().buildUnchecked();
    }

    /** Several named stacks, closed together. */
    public static final class Network implements AutoCloseable {
        private final Map<String, NetworkStack> stacks = new LinkedHashMap<>();

        public NetworkStack add(NetworkStack s) {
            stacks.put(s.name(), s);
            return s;
        }

        public NetworkStack get(String name) {
            return stacks.get(name);
        }

        @Override
        public void close() {
            stacks.values().forEach(NetworkStack::close);
        }
    }
}
