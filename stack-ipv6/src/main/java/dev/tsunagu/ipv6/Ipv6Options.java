package dev.tsunagu.ipv6;

import dev.tsunagu.stack.StackOption;
import java.time.Duration;

/** IPv6, ICMPv6 and Neighbor Discovery settings, set with {@code NetworkStack.Builder.option}. */
public final class Ipv6Options {
    /** Whether the stack forwards packets between its interfaces (RFC 8200 as a router); off for a host. */
    public static final StackOption<Boolean> FORWARDING = StackOption.of("ipv6.forwarding", Boolean.class, false,
            "forward IPv6 packets between interfaces");

    /** Hop limit of packets we originate (RFC 4861 6.3.2: the Cur Hop Limit default, 64). */
    public static final StackOption<Integer> DEFAULT_HOP_LIMIT = StackOption.of("ipv6.hopLimit", Integer.class, 64,
            "hop limit of originated packets");

    /** RFC 8200 4.5: reassembly is abandoned 60 seconds after the first fragment arrived. */
    public static final StackOption<Duration> REASSEMBLY_TIMEOUT = StackOption.of("ipv6.reassemblyTimeout",
            Duration.class, Duration.ofSeconds(60), "time allowed to reassemble a packet");

    public static final StackOption<Integer> REASSEMBLY_MAX_DATAGRAMS = StackOption.of("ipv6.reassemblyMaxPackets",
            Integer.class, 64, "packets being reassembled at once");

    public static final StackOption<Integer> REASSEMBLY_MAX_BYTES = StackOption.of("ipv6.reassemblyMaxBytes",
            Integer.class, 4 << 20, "buffer memory held for reassembly, in bytes");

    /** ICMPv6 errors per second at most (RFC 4443 2.4 (f) requires a limit; the same token bucket as ICMPv4's). */
    public static final StackOption<Integer> ICMP_ERROR_RATE = StackOption.of("icmpv6.errorRate", Integer.class, 100,
            "ICMPv6 error messages sent per second at most");

    public static final StackOption<Integer> ICMP_ERROR_BURST = StackOption.of("icmpv6.errorBurst", Integer.class, 20,
            "ICMPv6 error messages sent in a burst at most");

    /** Answer echo requests sent to a multicast group (Linux: net.ipv6.icmp.echo_ignore_multicast=0, i.e. yes). */
    public static final StackOption<Boolean> ECHO_MULTICAST = StackOption.of("icmpv6.echoMulticast", Boolean.class, true,
            "answer pings sent to multicast groups");

    /** DupAddrDetectTransmits (RFC 4862 5.1): Neighbor Solicitations sent to check an address; 0 turns DAD off. */
    public static final StackOption<Integer> DAD_TRANSMITS = StackOption.of("ipv6.dadTransmits", Integer.class, 1,
            "duplicate address detection probes per address (0: none)");

    /** RetransTimer (RFC 4861 10): time between Neighbor Solicitations. */
    public static final StackOption<Duration> RETRANS_TIMER = StackOption.of("nd.retransTimer", Duration.class,
            Duration.ofSeconds(1), "time between neighbor solicitations");

    /** BaseReachableTime (RFC 4861 10): how long a confirmed neighbour stays REACHABLE (randomised 0.5-1.5x). */
    public static final StackOption<Duration> REACHABLE_TIME = StackOption.of("nd.reachableTime", Duration.class,
            Duration.ofSeconds(30), "time a neighbour stays reachable after confirmation");

    /** Neighbour cache entries at most (across interfaces); new resolutions beyond it are refused and counted. */
    public static final StackOption<Integer> NEIGHBOR_CACHE_SIZE = StackOption.of("nd.cacheSize", Integer.class, 1024,
            "neighbour cache entries at most");

    /** Packets queued per unresolved neighbour (RFC 4861 7.2.2: a small queue; Linux keeps 3). */
    public static final StackOption<Integer> QUEUE_PER_NEIGHBOR = StackOption.of("nd.queuePerNeighbor", Integer.class, 3,
            "packets waiting per neighbour being resolved");

    /** Whether Router Advertisements configure default routers, prefixes and the MTU (RFC 4861 6.3.4). */
    public static final StackOption<Boolean> ACCEPT_RA = StackOption.of("ipv6.acceptRa", Boolean.class, true,
            "learn routers, prefixes and MTU from router advertisements");

    /** How SLAAC makes the interface identifier of an address from a Router Advertisement's prefix. */
    public enum AddressGeneration {
        /** The modified EUI-64 identifier of the MAC (RFC 4291 appendix A), the same on every network. */
        EUI64,
        /** RFC 7217: a hash of the prefix, the interface and a secret, stable per network, opaque across them. */
        STABLE
    }

    /**
     * SLAAC's interface identifiers for addresses from Router Advertisement prefixes (RFC 4862
     * 5.5.3). EUI-64 by default: addresses that follow from the MAC are what this stack's tests,
     * tour and captures read at a glance, and what the stack has always made; a host that moves
     * between networks and should not be followed by its address sets {@code stable} (RFC 7217,
     * as RFC 8064 recommends for general use). Link-local addresses keep the EUI-64 identifier
     * either way.
     */
    public static final StackOption<AddressGeneration> ADDRESS_GENERATION = StackOption.of("ipv6.addressGeneration",
            AddressGeneration.class, AddressGeneration.EUI64, "SLAAC interface identifiers: EUI64 or STABLE (RFC 7217)");

    /**
     * RFC 7217's secret_key for {@link AddressGeneration#STABLE}: any text (its UTF-8 bytes; at
     * least 16 of them, section 5's 128 bits). Empty, the default, draws 128 bits from the stack's
     * random generator when the first such address is made: stable for a seeded stack, new for
     * each run otherwise; set it for addresses that survive a restart.
     */
    public static final StackOption<String> STABLE_SECRET = StackOption.of("ipv6.stableSecret", String.class, "",
            "RFC 7217 secret for stable addresses (empty: random per run)");

    /**
     * Transparent mode: packets from outside to any unicast address in these prefixes
     * (comma-separated, {@code ::/0} for every address; empty, the default, for none) are taken as
     * if they were for one of our own addresses, so a transport's "any" listener sees them with the
     * destination the peer asked for (a gateway on a TUN). IPv4's {@code ip.transparent} for IPv6:
     * ICMPv6 errors about them come from that destination; link-local destinations are never taken
     * (they name a neighbour on this link, which a relay could not reach elsewhere).
     */
    public static final StackOption<String> TRANSPARENT = StackOption.of("ipv6.transparent", String.class, "",
            "IPv6 prefixes whose every unicast address is taken as ours (transparent mode), comma-separated");

    private Ipv6Options() {}
}
