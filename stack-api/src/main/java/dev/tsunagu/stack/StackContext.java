package dev.tsunagu.stack;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.policy.Policies;
import dev.tsunagu.socket.SocketTable;
import dev.tsunagu.stats.CounterGroup;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The stack as a layer sees it: the loop, buffers, randomness, counters, settings, the
 * interfaces, and the registries through which layers find each other. Registration happens
 * in {@link LayerProvider#create}; lookups of other layers' services in {@link Layer#start}.
 */
public interface StackContext {
    /** The stack's name, for log messages. */
    String stackName();

    /** The loop all of the layer's work runs on; its timers and tasks are the only way to act later. */
    EventLoop loop();

    /** Where to take buffers for packets the layer builds; whoever holds one passes it on or releases it. */
    BufferPool buffers();

    /** The stack's random source: seeded when the builder was given a seed, else from SecureRandom. */
    RandomGenerator random();

    /** The counter group called {@code name} ({@code arp}, {@code ip}…), created on first use. */
    CounterGroup counters(String name);

    /** The value of {@code option} this stack was built with, or its default. */
    <T> T option(StackOption<T> option);

    /** The host's default gateway for {@code family}, if one was configured. */
    Optional<IpAddress> defaultGateway(AddressFamily family);

    /** Every interface, loopback included, in creation order. */
    List<NetInterface> interfaces();

    /** The TCP policies installed, and the stack-wide choice of each. */
    Policies policies();

    /** The socket table, where a transport registers the rows it lists. */
    SocketTable socketTable();

    /** The stack's descriptor table (the seeds' socket descriptors), shared by all transports. */
    dev.tsunagu.socket.DescriptorTable descriptors();

    // ---- registration ----

    /** Installs the stack's link layer (exactly one). */
    void setLinkLayer(LinkLayer linkLayer);

    /**
     * Adds a link layer for media the main one does not {@linkplain LinkLayer#carries carry}
     * (IP-only media); an interface whose driver the main one does not carry takes the first
     * added that does.
     */
    void addLinkLayer(LinkLayer linkLayer);

    /**
     * The stack's link layer, once installed (null before): where a network layer registers
     * its family's {@link NeighborResolver}.
     */
    LinkLayer linkLayer();

    /** Claims an EtherType; claiming one twice is an error. */
    void registerNetworkProtocol(int etherType, NetworkProtocol protocol);

    /** Claims an IP protocol number; claiming one twice is an error. */
    void registerTransportProtocol(int protocolNumber, TransportProtocol protocol);

    /** Installs the network layer of {@code service.family()} for transports; one per family. */
    void registerIpService(IpService service);

    /** Offers a service to other layers and to users ({@code NetworkStack.service}). */
    <T> void publish(Class<T> type, T service);

    // ---- lookup (fast enough for the packet path) ----

    /** The handler for {@code etherType}, or null. */
    NetworkProtocol networkProtocol(int etherType);

    /** The handler for IP protocol {@code number}, or null. */
    TransportProtocol transportProtocol(int number);

    /** The network layer of {@code family}, or null if the stack has none (no IPv6 yet). */
    IpService ipService(AddressFamily family);

    /** A service some layer published, or empty (for instance, no {@code TcpService} without stack-tcp). */
    <T> Optional<T> service(Class<T> type);

    /**
     * What a socket bound to every address shows as its local address in the socket table:
     * {@code ::} on a stack with an IPv6 layer and an interface with an IPv6 address, where such
     * a socket takes both families (a dual-stack socket, {@code [::]:80} as Linux's {@code ss}
     * shows one), else {@code 0.0.0.0}. (The socket's own {@code localAddress()} stays
     * {@code 0.0.0.0}, as {@code java.net}'s wildcard is by default.)
     */
    default IpAddress wildcardAddress() {
        boolean dualStack = ipService(AddressFamily.IPV6) != null
                && interfaces().stream().anyMatch(i -> !i.isLoopback() && !i.ipv6Addresses().isEmpty());
        return dualStack ? Ipv6Address.ANY : Ipv4Address.ANY;
    }
}
