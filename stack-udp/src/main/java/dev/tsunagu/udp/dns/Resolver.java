package dev.tsunagu.udp.dns;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.NameResolver;
import dev.tsunagu.socket.NoSuchHostException;
import dev.tsunagu.socket.UdpService;
import dev.tsunagu.socket.UdpSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DNS stub resolver (RFC 1035, RFC 1123 6.1.3): it asks the configured recursive servers
 * over the stack's own UDP and remembers what they said.
 *
 * <h2>How a lookup goes</h2>
 * <ul>
 *   <li>A literal IP address is its own answer, and {@code localhost} (and names under it,
 *       RFC 6761 6.3) is the loopback address; neither sends a query. Names are taken as fully
 *       qualified: there is no search list.</li>
 *   <li>Otherwise the cache is consulted: answers are remembered for the smallest TTL among the
 *       records used, at most {@link ResolverConfig#maxTtl()}, measured on the event loop's clock
 *       (a TTL of 0 is not remembered); "no such name" (NXDOMAIN) and "no such record" (NODATA)
 *       for {@link ResolverConfig#negativeTtl()}. When the cache is full the entry closest to
 *       expiry makes room.</li>
 *   <li>Concurrent lookups of the same name and type share one query.</li>
 *   <li>Each attempt opens a fresh socket on a random ephemeral port, connects it to the server
 *       and sends a query with a random 16-bit id and RD set. A response counts only if it comes
 *       from that server, carries that id and repeats the question (RFC 5452 9.1); anything else
 *       is ignored and counted ({@link #mismatchedResponses()}, {@link #malformedResponses()}).</li>
 *   <li>An attempt that gets no answer within {@link ResolverConfig#timeout()}, or gets SERVFAIL,
 *       REFUSED, FORMERR or another error, or a truncated answer, is followed by the next, to the
 *       next server in the list, up to {@link ResolverConfig#attempts()} in all. The socket of an
 *       attempt is closed when the attempt ends, so a late answer to an earlier attempt is not
 *       accepted.</li>
 *   <li>A truncated response (TC) is a failed attempt: there is <b>no TCP fallback yet</b>
 *       (RFC 7766), so names whose answers do not fit 512 bytes cannot be resolved.</li>
 *   <li>A CNAME chain in the answer section is followed, at most {@value #MAX_CNAME_CHAIN} links
 *       deep; the resolver does not ask again for the end of a chain the server left out.</li>
 * </ul>
 *
 * <h2>Failures</h2>
 * Every failure is an {@link UnknownHostException} whose message says why: NXDOMAIN from which
 * server or NODATA (both a {@link NoSuchHostException}), which rcode the last attempt got, or,
 * when no attempt got any answer, a {@link ResolverTimeoutException}.
 *
 * <p>It is the stack's {@link NameResolver} (published under both types), which is how the
 * socket library in {@code stack-tcp} uses it without depending on this module.
 *
 * <h2>Threads</h2>
 * All state lives on the event loop: timers come from {@link EventLoop#newTimer}, time from
 * {@link EventLoop#now()}, and datagrams arrive through {@link UdpSocket#onReceive}.
 * {@link #resolve} may be called from any thread (it hops onto the loop) and never blocks;
 * {@link #lookup} blocks its caller (cheap on a virtual thread; on a
 * {@link dev.tsunagu.loop.VirtualEventLoop}'s own thread it drives virtual time instead). The
 * counters may be read from any thread.
 */
public final class Resolver implements NameResolver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Resolver.class);

    /** CNAME links followed at most within one answer. */
    public static final int MAX_CNAME_CHAIN = 8;

    private static final byte[] LOOPBACK_V4 = {127, 0, 0, 1};
    private static final byte[] LOOPBACK_V6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final EventLoop loop;
    private final UdpService udp;
    private final ResolverConfig config;
    private final RandomGenerator random;

    // Loop-only state.
    private final Map<Key, CacheEntry> cache = new HashMap<>();
    private final TreeSet<CacheEntry> byExpiry = new TreeSet<>(
            Comparator.comparingLong((CacheEntry e) -> e.expiresAt).thenComparingLong(e -> e.seq));
    private long cacheSeq;
    private final Map<Key, Query> inflight = new HashMap<>();
    private boolean closed;

    // Counters: written on the loop only, read anywhere.
    private volatile long queriesSent;
    private volatile long retries;
    private volatile long cacheHits;
    private volatile long timeouts;
    private volatile long mismatchedResponses;
    private volatile long malformedResponses;
    private volatile long sharedLookups;
    private volatile long evictions;
    private volatile int cacheSize;

    /**
     * @param loop the event loop that owns {@code udp}'s stack; all resolver state lives on it
     * @param udp where queries go out
     * @param config servers, timeouts, cache limits
     * @param random source of query ids; used on the loop only
     */
    public Resolver(EventLoop loop, UdpService udp, ResolverConfig config, RandomGenerator random) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.udp = Objects.requireNonNull(udp, "udp");
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
    }

    public ResolverConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------
    // API

    /** The IPv4 addresses of {@code name} (A records). Never blocks; callable from any thread. */
    @Override
    public CompletableFuture<List<InetAddress>> resolve(String name) {
        return resolve(name, DnsMessage.TYPE_A);
    }

    /**
     * The addresses of {@code name} of type {@code qtype}: {@link DnsMessage#TYPE_A} or
     * {@link DnsMessage#TYPE_AAAA}. The future fails with an {@link UnknownHostException} (a
     * {@link ResolverTimeoutException} if no server answered). Never blocks; callable from any
     * thread; the future completes on the event loop.
     *
     * @throws IllegalArgumentException if {@code qtype} is neither A nor AAAA
     */
    public CompletableFuture<List<InetAddress>> resolve(String name, int qtype) {
        Objects.requireNonNull(name, "name");
        if (qtype != DnsMessage.TYPE_A && qtype != DnsMessage.TYPE_AAAA) {
            throw new IllegalArgumentException("can resolve A or AAAA, not " + DnsMessage.typeName(qtype));
        }
        CompletableFuture<List<InetAddress>> future = new CompletableFuture<>();
        if (loop.inEventLoop()) {
            start(name, qtype, future);
        } else {
            try {
                loop.execute(() -> start(name, qtype, future));
            } catch (RejectedExecutionException e) {
                UnknownHostException u = new UnknownHostException(name + ": the resolver's event loop is closed");
                u.initCause(e);
                future.completeExceptionally(u);
            }
        }
        return future;
    }

    /** Blocking {@link #resolve(String)}. */
    @Override
    public List<InetAddress> lookup(String name) throws UnknownHostException {
        return lookup(name, DnsMessage.TYPE_A);
    }

    /** {@link DnsMessage#TYPE_A} for IPv4, {@link DnsMessage#TYPE_AAAA} for IPv6, waited for. */
    @Override
    public List<InetAddress> lookup(String name, AddressFamily family) throws UnknownHostException {
        return lookup(name, family == AddressFamily.IPV6 ? DnsMessage.TYPE_AAAA : DnsMessage.TYPE_A);
    }

    /**
     * Blocking {@link #resolve(String, int)}: waits with {@link EventLoop#await} at most every
     * attempt's timeout and one more. Not for use on a threaded loop's own thread.
     */
    public List<InetAddress> lookup(String name, int qtype) throws UnknownHostException {
        CompletableFuture<List<InetAddress>> future = resolve(name, qtype);
        Duration wait = config.totalTimeout().plus(config.timeout());
        try {
            return loop.await(future, wait);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException u) {
                throw u;
            }
            UnknownHostException u = new UnknownHostException(name + ": lookup failed: " + e.getCause());
            u.initCause(e.getCause());
            throw u;
        } catch (TimeoutException e) {
            throw new ResolverTimeoutException(name + ": no answer within " + wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            UnknownHostException u = new UnknownHostException(name + ": interrupted while resolving");
            u.initCause(e);
            throw u;
        }
    }

    /** Forgets every cached answer. Callable from any thread. */
    public void clearCache() {
        onLoop(() -> {
            cache.clear();
            byExpiry.clear();
            cacheSize = 0;
        });
    }

    /** Fails the lookups in flight, closes their sockets and empties the cache. Idempotent. */
    @Override
    public void close() {
        onLoop(() -> {
            if (closed) {
                return;
            }
            closed = true;
            for (Query q : List.copyOf(inflight.values())) {
                q.finish(null, new Failure(FailureKind.OTHER, q.key.name + ": the resolver was closed"));
            }
            cache.clear();
            byExpiry.clear();
            cacheSize = 0;
        });
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            try {
                loop.execute(r);
            } catch (RejectedExecutionException e) {
                // The loop is gone and its state with it.
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Counters

    /** Queries sent, first attempts and retries. */
    public long queriesSent() {
        return queriesSent;
    }

    /** Queries sent because an earlier attempt failed. */
    public long retries() {
        return retries;
    }

    /** Lookups answered from the cache (positively or negatively). */
    public long cacheHits() {
        return cacheHits;
    }

    /** Attempts that got no answer in time. */
    public long timeouts() {
        return timeouts;
    }

    /** Responses ignored because id, question or sender did not match the query. */
    public long mismatchedResponses() {
        return mismatchedResponses;
    }

    /** Responses ignored because they were not valid DNS messages. */
    public long malformedResponses() {
        return malformedResponses;
    }

    /** Lookups that joined a query already in flight for the same name and type. */
    public long sharedLookups() {
        return sharedLookups;
    }

    /** Cache entries dropped to make room before they expired. */
    public long evictions() {
        return evictions;
    }

    /** Entries in the cache now (some may have expired but not yet been dropped). */
    public int cacheSize() {
        return cacheSize;
    }

    @Override
    public String toString() {
        return "Resolver[servers=" + config.servers() + ", sent=" + queriesSent + ", retries=" + retries
                + ", cacheHits=" + cacheHits + ", timeouts=" + timeouts + "]";
    }

    // ------------------------------------------------------------------------------------------
    // On the loop

    private record Key(String name, int qtype) {
    }

    /** How a lookup failed, which decides the exception's type ({@link NameResolver}'s kinds). */
    private enum FailureKind { NO_SUCH_HOST, TIMEOUT, OTHER }

    /** Why a lookup failed; each waiter gets its own exception made from it. */
    private record Failure(FailureKind kind, String message) {
        UnknownHostException exception() {
            return switch (kind) {
                case NO_SUCH_HOST -> new NoSuchHostException(message);
                case TIMEOUT -> new ResolverTimeoutException(message);
                case OTHER -> new UnknownHostException(message);
            };
        }
    }

    private static final class CacheEntry {
        final Key key;
        final long expiresAt;
        final long seq;
        final List<InetAddress> addresses;
        final Failure failure;

        CacheEntry(Key key, long expiresAt, long seq, List<InetAddress> addresses, Failure failure) {
            this.key = key;
            this.expiresAt = expiresAt;
            this.seq = seq;
            this.addresses = addresses;
            this.failure = failure;
        }
    }

    private void start(String name, int qtype, CompletableFuture<List<InetAddress>> future) {
        try {
            begin(name, qtype, future);
        } catch (RuntimeException e) {
            UnknownHostException u = new UnknownHostException(name + ": resolver failed: " + e);
            u.initCause(e);
            future.completeExceptionally(u);
            loop.reportError(e);
        }
    }

    private void begin(String name, int qtype, CompletableFuture<List<InetAddress>> future) {
        if (closed) {
            future.completeExceptionally(new UnknownHostException(name + ": the resolver is closed"));
            return;
        }
        InetAddress literal = ResolverConfig.literal(name);
        if (literal != null) {
            future.complete(List.of(literal));
            return;
        }
        String canonical;
        try {
            canonical = DnsMessage.canonicalName(name);
        } catch (IllegalArgumentException e) {
            future.completeExceptionally(new UnknownHostException(name + ": not a valid host name ("
                    + e.getMessage() + ")"));
            return;
        }
        if (canonical.isEmpty()) {
            future.completeExceptionally(new UnknownHostException("\"" + name + "\": not a host name"));
            return;
        }
        if (canonical.equals("localhost") || canonical.endsWith(".localhost")) {
            future.complete(List.of(address(canonical, qtype == DnsMessage.TYPE_A ? LOOPBACK_V4 : LOOPBACK_V6)));
            return;
        }
        Key key = new Key(canonical, qtype);
        CacheEntry entry = cache.get(key);
        if (entry != null) {
            if (entry.expiresAt > loop.now()) {
                cacheHits++;
                if (entry.failure != null) {
                    future.completeExceptionally(entry.failure.exception());
                } else {
                    future.complete(entry.addresses);
                }
                return;
            }
            removeFromCache(entry);
        }
        Query running = inflight.get(key);
        if (running != null) {
            sharedLookups++;
            running.waiters.add(future);
            return;
        }
        if (config.servers().isEmpty()) {
            future.completeExceptionally(new UnknownHostException(name + ": no DNS servers configured"));
            return;
        }
        Query q = new Query(key, future);
        inflight.put(key, q);
        q.nextAttempt();
    }

    /** One lookup on the wire: its attempts, its socket and timer, and who waits for it. */
    private final class Query {
        final Key key;
        final List<CompletableFuture<List<InetAddress>>> waiters = new ArrayList<>(2);
        final Timer timer;
        final Set<InetSocketAddress> asked = new LinkedHashSet<>();
        int attempt = -1;
        int attemptTimeouts;
        String lastFailure = "";
        UdpSocket socket;
        InetSocketAddress server;
        Question question;
        int id;
        boolean done;

        Query(Key key, CompletableFuture<List<InetAddress>> first) {
            this.key = key;
            this.waiters.add(first);
            this.question = new Question(key.name, key.qtype);
            this.timer = loop.newTimer("dns " + key.name, this::onTimeout);
        }

        void nextAttempt() {
            // Bounded by the attempt count: a failed send moves straight on to the next attempt.
            while (true) {
                closeSocket();
                attempt++;
                if (attempt >= config.attempts()) {
                    giveUp();
                    return;
                }
                List<InetSocketAddress> servers = config.servers();
                server = servers.get(attempt % servers.size());
                asked.add(server);
                id = random.nextInt(0x10000);
                byte[] packet = DnsMessage.query(id, key.name, key.qtype);
                if (attempt > 0) {
                    retries++;
                }
                UdpSocket s = null;
                try {
                    s = udp.open();
                    socket = s;
                    s.bind(0);
                    s.connect(server);
                    UdpSocket mine = s;
                    s.onReceive(d -> onDatagram(mine, d));
                    s.send(packet);
                    queriesSent++;
                    log.debug("dns: query id {} for {} {} to {} (attempt {} of {})", id, key.name,
                            DnsMessage.typeName(key.qtype), format(server), attempt + 1, config.attempts());
                    timer.scheduleAfter(config.timeout().toNanos());
                    return;
                } catch (java.io.IOException | RuntimeException e) {
                    lastFailure = "cannot query " + format(server) + ": " + e;
                    log.debug("dns: {}", lastFailure);
                }
            }
        }

        void onTimeout() {
            if (done) {
                return;
            }
            timeouts++;
            attemptTimeouts++;
            lastFailure = "no answer from " + format(server) + " within " + config.timeout();
            log.debug("dns: {} for {} (id {})", lastFailure, key.name, id);
            nextAttempt();
        }

        void onDatagram(UdpSocket from, Datagram d) {
            if (done || from != socket) {
                return;
            }
            DnsMessage msg;
            try {
                msg = DnsMessage.parse(d.data());
            } catch (DnsFormatException e) {
                malformedResponses++;
                log.debug("dns: malformed response from {} ignored: {}", d.source(), e.getMessage());
                return;
            }
            if (!msg.response() || msg.id() != id || msg.opcode() != DnsMessage.OPCODE_QUERY
                    || msg.question() == null || !msg.question().matches(question)
                    || (d.source() != null && !d.source().equals(server))) {
                mismatchedResponses++;
                log.debug("dns: response not matching query id {} for {} ignored: {}", id, key.name, msg);
                return;
            }
            timer.cancel();
            closeSocket();
            onResponse(msg);
        }

        void onResponse(DnsMessage msg) {
            if (msg.truncated()) {
                lastFailure = "truncated response from " + format(server) + " (no TCP fallback)";
                nextAttempt();
                return;
            }
            switch (msg.rcode()) {
                case DnsMessage.RCODE_NOERROR -> answer(msg);
                case DnsMessage.RCODE_NXDOMAIN -> {
                    Failure f = new Failure(FailureKind.NO_SUCH_HOST, key.name + ": no such host (NXDOMAIN from " + format(server) + ")");
                    cacheNegative(key, f);
                    finish(null, f);
                }
                default -> {
                    lastFailure = DnsMessage.rcodeName(msg.rcode()) + " from " + format(server);
                    nextAttempt();
                }
            }
        }

        /** A NOERROR response: follow the CNAME chain from the question to addresses. */
        void answer(DnsMessage msg) {
            String target = key.name;
            long ttl = Long.MAX_VALUE;
            for (int links = 0; ; links++) {
                List<InetAddress> found = new ArrayList<>();
                long addressTtl = Long.MAX_VALUE;
                ResourceRecord.Cname alias = null;
                for (ResourceRecord r : msg.answers()) {
                    // Parsed names carry no trailing dot and escape uniquely: equal ignoring case is equal.
                    if (r.rrClass() != DnsMessage.CLASS_IN || !r.name().equalsIgnoreCase(target)) {
                        continue;
                    }
                    switch (r) {
                        case ResourceRecord.A a when key.qtype == DnsMessage.TYPE_A -> {
                            found.add(address(key.name, a.address().getAddress()));
                            addressTtl = Math.min(addressTtl, ttlOf(r));
                        }
                        case ResourceRecord.Aaaa a when key.qtype == DnsMessage.TYPE_AAAA -> {
                            found.add(address(key.name, a.address().getAddress()));
                            addressTtl = Math.min(addressTtl, ttlOf(r));
                        }
                        case ResourceRecord.Cname c -> {
                            if (alias == null) {
                                alias = c;
                            }
                        }
                        default -> {
                        }
                    }
                }
                if (!found.isEmpty()) {
                    ttl = Math.min(ttl, addressTtl);
                    List<InetAddress> addresses = List.copyOf(found);
                    cachePositive(key, addresses, ttl);
                    finish(addresses, null);
                    return;
                }
                if (alias == null) {
                    String how = links == 0 ? "" : " (at the end of the CNAME chain, " + target + ")";
                    Failure f = new Failure(FailureKind.NO_SUCH_HOST, key.name + ": no " + DnsMessage.typeName(key.qtype)
                            + " record" + how + " (NODATA from " + format(server) + ")");
                    if (links == 0) {
                        cacheNegative(key, f);
                    }
                    finish(null, f);
                    return;
                }
                if (links == MAX_CNAME_CHAIN) {
                    finish(null, new Failure(FailureKind.OTHER, key.name + ": CNAME chain longer than " + MAX_CNAME_CHAIN
                            + " links (from " + format(server) + ")"));
                    return;
                }
                ttl = Math.min(ttl, ttlOf(alias));
                target = alias.target();
            }
        }

        void giveUp() {
            int n = config.attempts();
            String servers = String.join(", ", asked.stream().map(Resolver::format).toList());
            Failure f = attemptTimeouts == n
                    ? new Failure(FailureKind.TIMEOUT, key.name + ": no answer from DNS server(s) " + servers + " after " + n
                            + (n == 1 ? " attempt" : " attempts") + " of " + config.timeout())
                    : new Failure(FailureKind.OTHER, key.name + ": DNS lookup failed after " + n
                            + (n == 1 ? " attempt" : " attempts") + " (last: " + lastFailure + ")");
            finish(null, f);
        }

        void finish(List<InetAddress> addresses, Failure failure) {
            if (done) {
                return;
            }
            done = true;
            timer.cancel();
            closeSocket();
            if (inflight.get(key) == this) {
                inflight.remove(key);
            }
            for (CompletableFuture<List<InetAddress>> w : waiters) {
                if (failure != null) {
                    w.completeExceptionally(failure.exception());
                } else {
                    w.complete(addresses);
                }
            }
            waiters.clear();
        }

        void closeSocket() {
            UdpSocket s = socket;
            socket = null;
            if (s != null) {
                try {
                    s.onReceive(null);
                } catch (RuntimeException e) {
                    // Closing anyway.
                }
                s.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Cache

    /** A record's TTL in seconds, with RFC 2181 8's rule: the top bit set means zero. */
    private static long ttlOf(ResourceRecord r) {
        return r.ttl() > Integer.MAX_VALUE ? 0 : r.ttl();
    }

    private void cachePositive(Key key, List<InetAddress> addresses, long ttlSeconds) {
        long nanos = Math.min(ttlSeconds * NANOS_PER_SECOND, config.maxTtl().toNanos());
        insert(key, nanos, addresses, null);
    }

    private void cacheNegative(Key key, Failure failure) {
        insert(key, config.negativeTtl().toNanos(), null, failure);
    }

    private void insert(Key key, long lifetimeNanos, List<InetAddress> addresses, Failure failure) {
        if (lifetimeNanos <= 0 || config.cacheEntries() == 0) {
            return;
        }
        long now = loop.now();
        CacheEntry old = cache.get(key);
        if (old != null) {
            removeFromCache(old);
        }
        while (!byExpiry.isEmpty() && byExpiry.first().expiresAt <= now) {
            removeFromCache(byExpiry.first());
        }
        while (cache.size() >= config.cacheEntries()) {
            removeFromCache(byExpiry.first());
            evictions++;
        }
        long expiresAt = now + lifetimeNanos;
        if (expiresAt < now) {
            expiresAt = Long.MAX_VALUE;
        }
        CacheEntry e = new CacheEntry(key, expiresAt, cacheSeq++, addresses, failure);
        cache.put(key, e);
        byExpiry.add(e);
        cacheSize = cache.size();
    }

    private void removeFromCache(CacheEntry e) {
        cache.remove(e.key);
        byExpiry.remove(e);
        cacheSize = cache.size();
    }

    // ------------------------------------------------------------------------------------------

    private static InetAddress address(String host, byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(host, bytes, -1) : InetAddress.getByAddress(host, bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes
        }
    }

    static String format(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
