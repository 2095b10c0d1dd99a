package dev.tsunagu.stack;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.ThreadedEventLoop;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpPrefix;
import dev.tsunagu.net.Ipv4Prefix;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.policy.Policies;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.SocketTable;
import dev.tsunagu.socket.TcpService;
import dev.tsunagu.socket.UdpService;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.stats.Statistics;
import dev.tsunagu.stats.StatisticsSnapshot;
import dev.tsunagu.util.ServiceProviders;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's protocol stack: interfaces, the layers found on the class or module path, and
 * the event loop that runs them.
 *
 * <pre>{@code
 * NetworkStack host = NetworkStack.builder()
 *         .name("client")
 *         .addInterface(InterfaceConfig.of("cable:lan0").address("10.0.0.1/24"))
 *         .gateway("10.0.0.254")
 *         .build();
 * }</pre>
 *
 * <p>Every stack also gets a loopback interface {@code lo} with 127.0.0.1/8. All protocol work
 * happens on the stack's {@link EventLoop}; methods here that read protocol state hop onto it.
 */
public final class NetworkStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetworkStack.class);

    private final String name;
    private final EventLoop loop;
    private final boolean ownsLoop;
    private final BufferPool buffers;
    private final RandomGenerator random;
    private final Statistics statistics = new Statistics();
    private final StackOptions options;
    private final Map<AddressFamily, IpAddress> gateways;
    private final Map<AddressFamily, IpService> ipServices = new EnumMap<>(AddressFamily.class);
    private final Policies policies;
    private final SocketTable socketTable = new SocketTable();
    private final dev.tsunagu.socket.DescriptorTable descriptors = new dev.tsunagu.socket.DescriptorTable();
    private final List<NetInterface> interfaces = new ArrayList<>();
    private final List<Layer> layers = new ArrayList<>();
    private final List<String> layerNames = new ArrayList<>();
    private final Map<Class<?>, Object> services = new LinkedHashMap<>();
    private int[] etherTypes = new int[0];
    private NetworkProtocol[] networkProtocols = new NetworkProtocol[0];
    private final TransportProtocol[] transportProtocols = new TransportProtocol[256];
    private LinkLayer linkLayer;
    private final List<LinkLayer> otherLinkLayers = new ArrayList<>();
    private volatile boolean closed;
    private final Context context = new Context();

    private NetworkStack(Builder b) {
        this.name = b.name;
        this.ownsLoop = b.loop == null;
        this.loop = b.loop != null ? b.loop : new ThreadedEventLoop("tsunagu-" + b.name);
        this.buffers = b.buffers != null ? b.buffers : new BufferPool();
        this.random = b.seed != null
                ? RandomGeneratorFactory.of("L64X128MixRandom").create(b.seed)
                : RandomGeneratorFactory.of("L64X128MixRandom").create(new SecureRandom().nextLong());
        this.options = new StackOptions(b.options);
        this.gateways = Map.copyOf(b.gateways);
        this.policies = b.policies != null
                ? b.policies.choosing(b.congestionControl, b.retransmission, b.sendBuffering)
                : Policies.installed(b.congestionControl, b.retransmission, b.sendBuffering);
    }

    /**
     * A builder with the defaults: a loop of its own, a loopback interface, the installed layers,
     * drivers and policies.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The name given to the builder ({@code stack} by default); for logs and the socket table. */
    public String name() {
        return name;
    }

    /** The loop that runs all of this stack's protocol work. */
    public EventLoop loop() {
        return loop;
    }

    /** The pool that receive and transmit buffers come from. */
    public BufferPool buffers() {
        return buffers;
    }

    /** The stack-wide settings (timeouts, limits) its layers read. */
    public StackOptions options() {
        return options;
    }

    /** The TCP policies installed, and the stack-wide choice of each. */
    public Policies policies() {
        return policies;
    }

    /** The names of the layers this stack found, in order ({@code ethernet}, {@code ipv4}, …). */
    public List<String> layers() {
        return List.copyOf(layerNames);
    }

    /** Every interface, loopback included. The list is fixed once the stack is built. */
    public List<NetInterface> interfaces() {
        return List.copyOf(interfaces);
    }

    /** The interface called {@code name}, or empty. */
    public Optional<NetInterface> interfaceNamed(String ifName) {
        return interfaces.stream().filter(i -> i.name().equals(ifName)).findFirst();
    }

    /** The first non-loopback interface (the one most examples talk about). */
    public NetInterface primaryInterface() {
        return interfaces.stream().filter(i -> !i.name().equals("lo")).findFirst()
                .orElseThrow(() -> new IllegalStateException("stack " + name + " has only loopback"));
    }

    /**
     * Whether an interface other than loopback has an IPv6 address beyond its link-local one:
     * then names are worth looking up for both families
     * ({@link dev.tsunagu.socket.NameResolver#lookupBothFamilies}), since a link-local source
     * cannot reach the global or unique-local addresses DNS answers with (RFC 6724 rule 2).
     */
    public boolean hasIpv6Address() {
        return interfaces.stream().filter(i -> !i.name().equals("lo"))
                .flatMap(i -> i.ipv6Addresses().stream())
                .anyMatch(p -> !p.address().toInetAddress().isLinkLocalAddress());
    }

    /**
     * Completes when every address of every family may be used as a source: at once for IPv4, on
     * IPv6 once Duplicate Address Detection is over (RFC 4862 5.4: about a second after the
     * stack starts, or after a router's prefix adds an address). A program that connects the
     * moment the stack is built waits for this (bounded) so it does not find its IPv6 address
     * tentative and no route from it. Thread-safe.
     */
    public CompletableFuture<Void> addressesReady() {
        return CompletableFuture.allOf(ipServices.values().stream().map(IpService::addressesReady)
                .toArray(CompletableFuture[]::new));
    }

    /**
     * Waits, at most {@code limit}, for {@link #addressesReady} on a stack with an IPv6 address
     * beyond its link-local one ({@link #hasIpv6Address}); any other stack has nothing a program
     * would miss and does not wait. For a command or program about to connect; not on the loop's
     * thread. An interrupt ends the wait (the thread stays interrupted).
     *
     * @return whether the addresses are ready (false: the limit passed, or interrupted)
     */
    public boolean awaitAddressesReady(Duration limit) {
        if (!hasIpv6Address()) {
            return true;
        }
        try {
            loop.await(addressesReady(), limit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for the addresses failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The counters of every layer and interface now. Thread-safe. */
    public StatisticsSnapshot statistics() {
        StatisticsSnapshot s = statistics.snapshot();
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>(s.groups());
        Map<String, Long> loopGroup = new LinkedHashMap<>();
        loopGroup.put("Tasks", loop.statistics().tasks());
        loopGroup.put("TimersFired", loop.statistics().timersFired());
        loopGroup.put("FramesPolled", loop.statistics().polled());
        loopGroup.put("Errors", loop.statistics().errors());
        groups.put("loop", loopGroup);
        return new StatisticsSnapshot(groups);
    }

    /** The socket table now: every socket of every transport (taken on the loop). */
    public List<SocketInfo> sockets() {
        return call(socketTable::snapshot);
    }

    /** The descriptor table: every open socket by its number. */
    public dev.tsunagu.socket.DescriptorTable descriptors() {
        return descriptors;
    }

    /** The neighbour (ARP) table now (taken on the loop). */
    public List<Neighbors.Entry> neighbors() {
        Neighbors n = service(Neighbors.class).orElseThrow(() -> MissingLayerException.forService(
                "link layer", "stack-link", "dev.tsunagu.link"));
        return call(n::entries);
    }

    /** A service some layer published, or empty. */
    public <T> Optional<T> service(Class<T> type) {
        return Optional.ofNullable(type.cast(services.get(type)));
    }

    /** This stack's TCP. @throws MissingLayerException naming {@code stack-tcp} if it has none */
    public TcpService tcp() {
        return service(TcpService.class).orElseThrow(() -> MissingLayerException.forService(
                "TCP", "stack-tcp", "dev.tsunagu.tcp"));
    }

    /** This stack's UDP. @throws MissingLayerException naming {@code stack-udp} if it has none */
    public UdpService udp() {
        return service(UdpService.class).orElseThrow(() -> MissingLayerException.forService(
                "UDP", "stack-udp", "dev.tsunagu.udp"));
    }

    /** Runs {@code task} on this stack's loop and returns its result (see {@link EventLoop#call}). */
    public <T> T call(Callable<T> task) {
        return loop.call(task);
    }

    /** Runs {@code task} on this stack's loop and waits for it. */
    public void run(Runnable task) {
        loop.run(task);
    }

    /**
     * Closes every layer (sockets, timers) and driver. If the stack made its own loop, the loop
     * stops too. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.run(this::shutDownOnLoop);
        } finally {
            if (ownsLoop) {
                loop.close();
            }
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    private void shutDownOnLoop() {
        for (int i = layers.size() - 1; i >= 0; i--) {
            try {
                layers.get(i).close();
            } catch (RuntimeException e) {
                log.warn("{}: layer {} failed to close cleanly", name, layerNames.get(i), e);
            }
        }
        for (NetInterface iface : interfaces) {
            loop.removeSource(iface.pollSource());
            iface.closeDriver();
        }
    }

    @Override
    public String toString() {
        return "NetworkStack[" + name + ", " + interfaces + "]";
    }

    // ---- construction ----

    private void start(Builder b, List<LayerProvider> providers) throws DriverException {
        List<LayerProvider> ordered = new ArrayList<>(providers);
        ordered.sort(Comparator.comparing(LayerProvider::kind));
        for (LayerProvider p : ordered) {
            layers.add(Objects.requireNonNull(p.create(context), p.name() + " made no layer"));
            layerNames.add(p.name());
        }
        if (linkLayer == null) {
            throw new MissingLayerException("stack " + name + " has no link layer: add the Maven artifact "
                    + "dev.tsunagu:tsunagu-stack-link (JPMS module dev.tsunagu.link) to the class path or module path");
        }
        LinkDrivers drivers = null;
        List<InterfaceConfig> configs = new ArrayList<>();
        if (b.loopback) {
            configs.add(InterfaceConfig.of("loopback").name("lo").address("127.0.0.1/8"));
        }
        configs.addAll(b.interfaces);
        int ethIndex = 0;
        for (InterfaceConfig c : configs) {
            LinkDriver driver = c.driver();
            if (driver == null) {
                if (drivers == null) {
                    drivers = b.drivers != null ? b.drivers : LinkDrivers.installed();
                }
                driver = drivers.create(c.driverSpec());
            }
            String ifName = c.name() != null ? c.name() : "eth" + ethIndex++;
            DriverCapabilities caps = driver.capabilities();
            long mac;
            if (c.mac() != null) {
                mac = c.mac().bits();
            } else if (caps.hardwareAddress() != null) {
                mac = caps.hardwareAddress().bits();
            } else if (!caps.needsAddressResolution()) {
                mac = 0; // loopback: frames carry zero MACs, as on Linux's lo
            } else {
                mac = MacAddress.randomLocal(random).bits();
            }
            int mtu = caps.mtu();
            if (c.mtu() > 0) {
                if (c.mtu() > mtu) {
                    throw new IllegalArgumentException(ifName + ": MTU " + c.mtu() + " exceeds the driver's " + mtu);
                }
                mtu = c.mtu();
            }
            for (IpPrefix p : c.addresses()) {
                // IPv4 addresses are the link layer's business too (ARP answers for them), so a
                // stack without an IPv4 layer may carry them; another family is only its layer's.
                if (p.family() != AddressFamily.IPV4 && context.ipService(p.family()) == null) {
                    throw new IllegalArgumentException(ifName + ": " + p + " is an " + p.family().displayName()
                            + " address and this stack has no " + p.family().displayName() + " layer");
                }
            }
            CounterGroup counters = statistics.group("if." + ifName);
            LinkLayer framing = linkLayerFor(caps, ifName, driver);
            NetInterface iface = new NetInterface(interfaces.size(), ifName, driver, mac, mtu, c.addresses(),
                    loop, buffers, framing, counters);
            interfaces.add(iface);
            framing.attach(iface);
        }
        for (Layer layer : layers) {
            layer.start();
        }
        for (NetInterface iface : interfaces) {
            loop.addSource(iface.pollSource());
            iface.driver().open(iface.driverContext());
            iface.setUp(true);
            log.debug("{}: {} up", name, iface);
        }
        log.info("stack {} up: layers {}, interfaces {}", name, layerNames,
                interfaces.stream().map(NetInterface::name).toList());
    }

    /** The main link layer if it carries the driver's medium, else the first other one that does. */
    private LinkLayer linkLayerFor(DriverCapabilities caps, String ifName, LinkDriver driver) {
        if (linkLayer.carries(caps)) {
            return linkLayer;
        }
        for (LinkLayer l : otherLinkLayers) {
            if (l.carries(caps)) {
                return l;
            }
        }
        throw new MissingLayerException(ifName + ": no link layer carries " + driver.name() + "'s medium ("
                + (caps.isIpOnly() ? "IP-only: the ip-only layer of dev.tsunagu:tsunagu-stack-link" : caps) + ")");
    }

    private static List<LayerProvider> discoverLayers() {
        return new ArrayList<>(ServiceProviders.load(LayerProvider.class, LayerProvider::name, "layer").values());
    }

    /** The context handed to layers; it is the stack's registry. */
    private final class Context implements StackContext {
        @Override
        public String stackName() {
            return name;
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public BufferPool buffers() {
            return buffers;
        }

        @Override
        public RandomGenerator random() {
            return random;
        }

        @Override
        public CounterGroup counters(String group) {
            return statistics.group(group);
        }

        @Override
        public <T> T option(StackOption<T> option) {
            return options.get(option);
        }

        @Override
        public Optional<IpAddress> defaultGateway(AddressFamily family) {
            return Optional.ofNullable(gateways.get(family));
        }

        @Override
        public void registerIpService(IpService service) {
            if (ipServices.putIfAbsent(service.family(), Objects.requireNonNull(service)) != null) {
                throw new IllegalStateException(service.family().displayName() + " has two network layers");
            }
        }

        @Override
        public IpService ipService(AddressFamily family) {
            return ipServices.get(family);
        }

        @Override
        public List<NetInterface> interfaces() {
            return List.copyOf(interfaces);
        }

        @Override
        public Policies policies() {
            return policies;
        }

        @Override
        public SocketTable socketTable() {
            return socketTable;
        }

        @Override
        public dev.tsunagu.socket.DescriptorTable descriptors() {
            return descriptors;
        }

        @Override
        public LinkLayer linkLayer() {
            return linkLayer;
        }

        @Override
        public void addLinkLayer(LinkLayer l) {
            otherLinkLayers.add(Objects.requireNonNull(l));
        }

        @Override
        public void setLinkLayer(LinkLayer l) {
            if (linkLayer != null) {
                throw new IllegalStateException("stack " + name + " already has a link layer");
            }
            linkLayer = Objects.requireNonNull(l);
        }

        @Override
        public void registerNetworkProtocol(int etherType, NetworkProtocol protocol) {
            for (int t : etherTypes) {
                if (t == etherType) {
                    throw new IllegalStateException(String.format("EtherType 0x%04x is claimed twice", etherType));
                }
            }
            int n = etherTypes.length;
            etherTypes = java.util.Arrays.copyOf(etherTypes, n + 1);
            networkProtocols = java.util.Arrays.copyOf(networkProtocols, n + 1);
            etherTypes[n] = etherType;
            networkProtocols[n] = Objects.requireNonNull(protocol);
        }

        @Override
        public void registerTransportProtocol(int number, TransportProtocol protocol) {
            if (number < 0 || number > 255) {
                throw new IllegalArgumentException("IP protocol numbers are 0..255: " + number);
            }
            if (transportProtocols[number] != null) {
                throw new IllegalStateException("IP protocol " + number + " is claimed twice");
            }
            transportProtocols[number] = Objects.requireNonNull(protocol);
        }

        @Override
        public <T> void publish(Class<T> type, T service) {
            if (services.putIfAbsent(type, type.cast(service)) != null) {
                throw new IllegalStateException(type.getSimpleName() + " is published twice");
            }
        }

        @Override
        public NetworkProtocol networkProtocol(int etherType) {
            // A handful of entries: a linear scan beats any map.
            int[] types = etherTypes;
            for (int i = 0; i < types.length; i++) {
                if (types[i] == etherType) {
                    return networkProtocols[i];
                }
            }
            return null;
        }

        @Override
        public TransportProtocol transportProtocol(int number) {
            return transportProtocols[number & 0xFF];
        }

        @Override
        public <T> Optional<T> service(Class<T> type) {
            return NetworkStack.this.service(type);
        }
    }

    /** Builds a {@link NetworkStack}. */
    public static final class Builder {
        private String name = "stack";
        private EventLoop loop;
        private BufferPool buffers;
        private Long seed;
        private final Map<String, Object> options = new LinkedHashMap<>();
        private final List<InterfaceConfig> interfaces = new ArrayList<>();
        private boolean loopback = true;
        private final Map<AddressFamily, IpAddress> gateways = new EnumMap<>(AddressFamily.class);
        private String congestionControl;
        private String retransmission;
        private String sendBuffering;
        private Policies policies;
        private List<LayerProvider> layers;
        private LinkDrivers drivers;

        private Builder() {}

        /** A name for logs and the socket table ({@code client}, {@code server}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        /**
         * Runs the stack on {@code loop} (for instance a {@link dev.tsunagu.loop.VirtualEventLoop}
         * shared by every stack of a test). By default the stack makes its own threaded loop and
         * stops it on close; a loop given here is left running.
         */
        public Builder eventLoop(EventLoop loop) {
            this.loop = loop;
            return this;
        }

        /** Takes buffers from {@code pool} (shared by several stacks, say) instead of a pool of its own. */
        public Builder buffers(BufferPool pool) {
            this.buffers = pool;
            return this;
        }

        /** Makes every random choice (MACs, ISNs, ports) reproducible. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Adds an interface; interfaces come up in the order added, after {@code lo}. */
        public Builder addInterface(InterfaceConfig config) {
            interfaces.add(Objects.requireNonNull(config));
            return this;
        }

        /** Shorthand: an interface on {@code driverSpec} with one address. */
        public Builder addInterface(String driverSpec, String addressWithPrefix) {
            return addInterface(InterfaceConfig.of(driverSpec).address(addressWithPrefix));
        }

        /** Whether to add the loopback interface {@code lo} (default true). */
        public Builder loopback(boolean enabled) {
            this.loopback = enabled;
            return this;
        }

        /**
         * The default route's next hop for the address's family, as a literal
         * ({@code 10.0.0.254}, {@code fe80::1}).
         *
         * @throws IllegalArgumentException if {@code address} is not an IP address literal
         */
        public Builder gateway(String address) {
            return gateway(IpAddress.parse(address));
        }

        /** The default route's next hop for the address's family (on one of the interfaces' subnets). */
        public Builder gateway(IpAddress address) {
            gateways.put(address.family(), address);
            return this;
        }

        /**
         * Sets a stack option ({@code TcpOptions.MSL}, {@code UdpOptions.DNS_SERVERS}…).
         *
         * @throws IllegalArgumentException if {@code value} is not of the option's type
         */
        public <T> Builder option(StackOption<T> option, T value) {
            if (!option.type().isInstance(value)) {
                throw new IllegalArgumentException(option.name() + " takes a " + option.type().getSimpleName());
            }
            options.put(option.name(), value);
            return this;
        }

        /** The stack-wide congestion control by name (default {@code cubic}; {@code newreno} is the other shipped). */
        public Builder congestionControl(String policyName) {
            this.congestionControl = policyName;
            return this;
        }

        /** The stack-wide retransmission policy by name (default {@code rfc6298}). */
        public Builder retransmissionPolicy(String policyName) {
            this.retransmission = policyName;
            return this;
        }

        /** The stack-wide send-buffering policy by name (default {@code nagle}). */
        public Builder sendBufferingPolicy(String policyName) {
            this.sendBuffering = policyName;
            return this;
        }

        /**
         * Uses these TCP policies instead of discovering them, for embedders and tests that wire
         * the stack explicitly: {@code policies(Policies.of(cc, rto, buffering))} for exactly three
         * providers, or a {@link Policies} of whole catalogs. The stack-wide choice of each kind
         * is then, first to last: the name given to {@link #congestionControl} (and its siblings),
         * the choice in {@code policies}, the system property {@code tsunagu.tcp.<kind>}, the
         * built-in default name. Without this call the catalogs are the providers on the class
         * and module path.
         */
        public Builder policies(Policies policies) {
            this.policies = Objects.requireNonNull(policies);
            return this;
        }

        /** Uses exactly these layers instead of discovering them (explicit wiring for tests and embedders). */
        public Builder layers(List<LayerProvider> providers) {
            this.layers = List.copyOf(providers);
            return this;
        }

        /** Resolves driver specs with these providers instead of discovering them. */
        public Builder drivers(LinkDrivers drivers) {
            this.drivers = drivers;
            return this;
        }

        /**
         * Makes the stack: discovers layers, creates drivers, brings interfaces up.
         *
         * @throws DriverException if a driver cannot be made or opened (the message says why)
         * @throws MissingLayerException if no link layer is installed
         * @throws IllegalArgumentException if a policy asked for by name is not installed
         */
        public NetworkStack build() throws DriverException {
            NetworkStack stack = new NetworkStack(this);
            // Policies named explicitly must exist; fail now rather than at the first connect.
            if (congestionControl != null) {
                stack.policies.congestionControl(null);
            }
            if (retransmission != null) {
                stack.policies.retransmission(null);
            }
            if (sendBuffering != null) {
                stack.policies.sendBuffering(null);
            }
            List<LayerProvider> providers = layers != null ? layers : discoverLayers();
            try {
                stack.loop.call(() -> {
                    stack.start(this, providers);
                    return null;
                });
            } catch (RuntimeException e) {
                stack.abandon();
                if (e instanceof java.util.concurrent.CompletionException && e.getCause() instanceof DriverException de) {
                    throw de;
                }
                throw e;
            }
            return stack;
        }

        /** Builds, wrapping a {@link DriverException} as unchecked (tests and examples). */
        public NetworkStack buildUnchecked() {
            try {
                return build();
            } catch (DriverException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    private void abandon() {
        try {
            close();
        } catch (RuntimeException e) {
            log.debug("{}: cleanup after a failed build also failed", name, e);
        }
    }
}
