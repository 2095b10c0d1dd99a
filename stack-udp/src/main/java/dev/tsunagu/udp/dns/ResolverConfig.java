package dev.tsunagu.udp.dns;

import dev.tsunagu.net.Ipv4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Resolver} asks: which servers, how long to wait, how often to ask again, and
 * how much to remember.
 *
 * @param servers DNS servers (recursive resolvers) to ask, in order of preference
 * @param timeout how long one attempt waits for its answer (default 1 s)
 * @param attempts queries sent per lookup at most, cycling over {@code servers} (default 3)
 * @param cacheEntries names (and types) remembered at most; 0 turns the cache off (default 1024)
 * @param maxTtl the longest any answer is remembered, whatever its TTL (default 1 h)
 * @param negativeTtl how long a "no such name" is remembered (default 30 s)
 */
public record ResolverConfig(List<InetSocketAddress> servers, Duration timeout, int attempts, int cacheEntries,
                             Duration maxTtl, Duration negativeTtl) {
    /** The port DNS servers listen on. */
    public static final int DNS_PORT = 53;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_ATTEMPTS = 3;
    public static final int DEFAULT_CACHE_ENTRIES = 1024;
    public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);

    public ResolverConfig {
        servers = List.copyOf(servers);
        for (InetSocketAddress s : servers) {
            if (s.isUnresolved() || s.getPort() == 0) {
                throw new IllegalArgumentException("DNS server needs an address and a port: " + s);
            }
        }
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(maxTtl, "maxTtl");
        Objects.requireNonNull(negativeTtl, "negativeTtl");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        }
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cacheEntries must not be negative: " + cacheEntries);
        }
        if (maxTtl.isNegative() || negativeTtl.isNegative()) {
            throw new IllegalArgumentException("TTL limits must not be negative: " + maxTtl + ", " + negativeTtl);
        }
    }

    /** The defaults, asking {@code servers}. */
    public static ResolverConfig of(List<InetSocketAddress> servers) {
        return new ResolverConfig(servers, DEFAULT_TIMEOUT, DEFAULT_ATTEMPTS, DEFAULT_CACHE_ENTRIES, DEFAULT_MAX_TTL,
                DEFAULT_NEGATIVE_TTL);
    }

    /** The defaults, asking {@code servers}. */
    public static ResolverConfig of(InetSocketAddress... servers) {
        return of(List.of(servers));
    }

    /** The defaults, asking the servers in {@code serverList} (see {@link #parseServers}). */
    public static ResolverConfig parse(String serverList) {
        return of(parseServers(serverList));
    }

    public ResolverConfig withServers(List<InetSocketAddress> s) {
        return new ResolverConfig(s, timeout, attempts, cacheEntries, maxTtl, negativeTtl);
    }

    public ResolverConfig withTimeout(Duration t) {
        return new ResolverConfig(servers, t, attempts, cacheEntries, maxTtl, negativeTtl);
    }

    public ResolverConfig withAttempts(int n) {
        return new ResolverConfig(servers, timeout, n, cacheEntries, maxTtl, negativeTtl);
    }

    public ResolverConfig withCacheEntries(int n) {
        return new ResolverConfig(servers, timeout, attempts, n, maxTtl, negativeTtl);
    }

    public ResolverConfig withMaxTtl(Duration d) {
        return new ResolverConfig(servers, timeout, attempts, cacheEntries, d, negativeTtl);
    }

    public ResolverConfig withNegativeTtl(Duration d) {
        return new ResolverConfig(servers, timeout, attempts, cacheEntries, maxTtl, d);
    }

    /** The longest one lookup can take: every attempt timing out. */
    public Duration totalTimeout() {
        return timeout.multipliedBy(attempts);
    }

    /**
     * Parses a server list such as {@code "10.0.0.53, 10.0.0.54:5353"}: entries separated by
     * commas and/or white space, each an IPv4 address with an optional {@code :port}, an IPv6
     * address, or {@code [IPv6]:port}. The port defaults to 53. Only literal addresses are
     * accepted: finding the name server must not need a name server.
     *
     * @throws IllegalArgumentException naming the entry that is not an address
     */
    public static List<InetSocketAddress> parseServers(String serverList) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String entry : serverList.trim().split("[,\\s]+")) {
            if (!entry.isEmpty()) {
                out.add(parseServer(entry));
            }
        }
        return out;
    }

    /** One entry of {@link #parseServers}. */
    public static InetSocketAddress parseServer(String entry) {
        String host = entry;
        int port = DNS_PORT;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("DNS server \"" + entry + "\": missing ']'");
            }
            host = entry.substring(1, close);
            String rest = entry.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("DNS server \"" + entry + "\": want [address]:port");
                }
                port = port(entry, rest.substring(1));
            }
        } else {
            int colon = entry.indexOf(':');
            if (colon >= 0 && colon == entry.lastIndexOf(':')) {
                host = entry.substring(0, colon);
                port = port(entry, entry.substring(colon + 1));
            }
        }
        InetAddress address = literal(host);
        if (address == null) {
            throw new IllegalArgumentException("DNS server \"" + entry + "\" is not an IP address");
        }
        return new InetSocketAddress(address, port);
    }

    private static int port(String entry, String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("DNS server \"" + entry + "\": bad port \"" + text + "\"");
        }
        int p = Integer.parseInt(text);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("DNS server \"" + entry + "\": port " + p + " out of range 1..65535");
        }
        return p;
    }

    /**
     * {@code text} as an IP address if it is a literal one (strict dotted quad, or IPv6 with or
     * without brackets), else null. Never asks anybody.
     */
    static InetAddress literal(String text) {
        if (text.isEmpty()) {
            return null;
        }
        boolean dottedQuad = text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        if (dottedQuad) {
            try {
                return Ipv4Address.parse(text).toInetAddress();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        String v6 = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (v6.indexOf(':') < 0) {
            return null;
        }
        try {
            return Inet6Address.ofLiteral(v6);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
