package dev.tsunagu.ip;

import dev.tsunagu.stack.StackOption;
import java.time.Duration;

/** IPv4 and ICMP settings, set with {@code NetworkStack.Builder.option}. */
public final class IpOptions {
    /** Whether the stack routes datagrams between its interfaces (RFC 1812); off for a host. */
    public static final StackOption<Boolean> FORWARDING = StackOption.of("ip.forwarding", Boolean.class, false,
            "route datagrams between interfaces");

    /** TTL of datagrams we originate (RFC 1700 recommends 64). */
    public static final StackOption<Integer> DEFAULT_TTL = StackOption.of("ip.defaultTtl", Integer.class, 64,
            "TTL of originated datagrams");

    /** How long a fragmented datagram may take to arrive whole (RFC 1122 3.3.2: 60–120 s suggested; Linux 30 s). */
    public static final StackOption<Duration> REASSEMBLY_TIMEOUT = StackOption.of("ip.reassemblyTimeout", Duration.class,
            Duration.ofSeconds(30), "time allowed to reassemble a datagram");

    public static final StackOption<Integer> REASSEMBLY_MAX_DATAGRAMS = StackOption.of("ip.reassemblyMaxDatagrams",
            Integer.class, 64, "datagrams being reassembled at once");

    /** Buffer memory held for reassembly (Linux: ipfrag_high_thresh, 4 MiB). */
    public static final StackOption<Integer> REASSEMBLY_MAX_BYTES = StackOption.of("ip.reassemblyMaxBytes",
            Integer.class, 4 << 20, "buffer memory held for reassembly, in bytes");

    /** ICMP errors per second we send at most (token bucket; RFC 1812 4.3.2.8 asks for a limit). */
    public static final StackOption<Integer> ICMP_ERROR_RATE = StackOption.of("icmp.errorRate", Integer.class, 100,
            "ICMP error messages sent per second at most");

    /** Burst of ICMP errors allowed before the rate applies. */
    public static final StackOption<Integer> ICMP_ERROR_BURST = StackOption.of("icmp.errorBurst", Integer.class, 20,
            "ICMP error messages sent in a burst at most");

    /** Answer echo requests sent to a broadcast address (Linux: icmp_echo_ignore_broadcasts=1, i.e. no). */
    public static final StackOption<Boolean> ECHO_BROADCAST = StackOption.of("icmp.echoBroadcast", Boolean.class, false,
            "answer pings sent to broadcast addresses");

    /** RFC 1191 6.3: how long a learnt path MTU lasts before the first hop's is tried again ("at least 10 minutes"). */
    public static final StackOption<Duration> PMTU_EXPIRY = StackOption.of("ip.pmtuExpiry", Duration.class,
            Duration.ofMinutes(10), "lifetime of a path MTU learnt from ICMP fragmentation needed");

    /** Destinations whose path MTU is remembered at most (the entry learnt longest ago goes first). */
    public static final StackOption<Integer> PMTU_CACHE_SIZE = StackOption.of("ip.pmtuCacheSize", Integer.class, 1024,
            "destinations in the path MTU cache");

    /**
     * Transparent mode: datagrams from outside to any address in these prefixes (comma-separated,
     * {@code 0.0.0.0/0} for every address; empty, the default, for none) are taken as if they were
     * for one of our own addresses, so a transport's "any" listener sees them with the destination
     * the peer asked for (a gateway on a TUN, as Linux's TPROXY). ICMP errors about them come from
     * that destination. Only from other hosts: the stack's own output never enters this way.
     */
    public static final StackOption<String> TRANSPARENT = StackOption.of("ip.transparent", String.class, "",
            "IPv4 prefixes whose every address is taken as ours (transparent mode), comma-separated");

    private IpOptions() {}
}
