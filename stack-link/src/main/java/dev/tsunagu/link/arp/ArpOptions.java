package dev.tsunagu.link.arp;

import dev.tsunagu.stack.StackOption;
import java.time.Duration;

/** ARP settings, set with {@code NetworkStack.Builder.option}. */
public final class ArpOptions {
    /** How long a resolved entry lives without being refreshed (Linux: about 30 s; smoltcp: 60 s). */
    public static final StackOption<Duration> CACHE_TIMEOUT = StackOption.of("arp.cacheTimeout", Duration.class,
            Duration.ofSeconds(60), "lifetime of a resolved neighbour entry");

    /** Time between requests for an address that has not answered (RFC 1122 2.3.2.1: at most one per second). */
    public static final StackOption<Duration> REQUEST_INTERVAL = StackOption.of("arp.requestInterval", Duration.class,
            Duration.ofSeconds(1), "time between ARP requests for one unresolved address");

    /** Requests sent before resolution gives up and drops the queued packets. */
    public static final StackOption<Integer> MAX_REQUESTS = StackOption.of("arp.maxRequests", Integer.class, 3,
            "ARP requests sent before giving up");

    /** Entries the cache holds at most; the one closest to expiry makes room for a new one. */
    public static final StackOption<Integer> CACHE_SIZE = StackOption.of("arp.cacheSize", Integer.class, 1024,
            "maximum neighbour entries");

    /**
     * Packets that may wait for one resolution; more are dropped. 101 as Linux's
     * {@code unres_qlen}: a burst to a new neighbour (a resolver's retries, a UDP fan-out) should
     * not lose datagrams while the first ARP request is answered.
     */
    public static final StackOption<Integer> QUEUE_PER_ENTRY = StackOption.of("arp.queuePerEntry", Integer.class, 101,
            "packets queued per unresolved address");

    /** Packets that may wait for all resolutions together. */
    public static final StackOption<Integer> QUEUE_TOTAL = StackOption.of("arp.queueTotal", Integer.class, 256,
            "packets queued for all unresolved addresses");

    private ArpOptions() {}
}
