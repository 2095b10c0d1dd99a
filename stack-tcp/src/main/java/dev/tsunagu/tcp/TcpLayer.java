package dev.tsunagu.tcp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.PolicyContext;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.socket.HappyEyeballs;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.FlowFilter;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpService;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stack.StackOption;
import dev.tsunagu.stack.TransportProtocol;
import dev.tsunagu.tcp.buffer.RingPool;
import dev.tsunagu.tcp.wire.TcpHeader;
import dev.tsunagu.trace.TraceHandle;
import dev.tsunagu.trace.TraceSink;
import dev.tsunagu.util.LongObjectMap;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * TCP as IP protocol 6: demultiplexes segments to connections (by remote address and both
 * ports) and listeners (by port), answers segments for no socket with RST (RFC 9293 3.10.7.1),
 * builds outgoing segments, and is the stack's {@link TcpService}. Loop thread only, except the
 * {@link TcpService} methods, which hop onto the loop.
 */
public final class TcpLayer implements Layer, TransportProtocol, TcpService {
    static final int EPHEMERAL_LOW = 49152;
    static final int EPHEMERAL_HIGH = 65535;

    private final StackContext ctx;
    private final EventLoop loop;
    final TcpCounters counters;
    private final IsnGenerator isn;
    /** RFC 4987 cookies for listeners whose SYN queue is full (secrets drawn at first use). */
    final SynCookies synCookies;
    private final Segment segment = new Segment();
    private final LongObjectMap<TcpConnection> connections = new LongObjectMap<>();
    private final LongObjectMap<TcpListener> listeners = new LongObjectMap<>();
    /** The transparent listener ({@link #listenAny}): takes SYNs no other socket takes; null if none. */
    private TcpListener anyListener;
    private int connectionCount;
    /** Where every connection's trace goes, or null: no connection of the stack is traced ({@link TcpTrace}). */
    private TraceSink traceSink;
    private final List<TraceSink> traceSinks = new ArrayList<>();

    /** The settings every connection reads, and the stack-wide challenge-ACK budget. */
    final TcpSettings settings;
    /** The options of the segment being sent (the loop sends one at a time; connections build theirs here too). */
    final TcpHeader.Options outOptions = new TcpHeader.Options();
    /** Send and receive rings of emptied buffers, reused by the next that needs room (no allocation per segment in bulk). */
    final RingPool rings = new RingPool();

    TcpLayer(StackContext ctx) {
        this.ctx = ctx;
        this.loop = ctx.loop();
        this.counters = new TcpCounters(ctx.counters("tcp"));
        this.isn = new IsnGenerator(ctx.random());
        this.settings = new TcpSettings(ctx);
        this.synCookies = new SynCookies(ctx.random());
        ctx.registerTransportProtocol(IpProtocol.TCP, this);
        ctx.publish(TcpService.class, this);
        ctx.publish(TcpLayer.class, this);
        ctx.socketTable().register(sink -> {
            listeners.forEach((port, l) -> sink.accept(l.info()));
            if (anyListener != null) {
                sink.accept(anyListener.info());
            }
            connections.forEach((key, c) -> {
                for (TcpConnection x = c; x != null; x = x.nextInBucket) {
                    sink.accept(x.info());
                }
            });
        });
    }

    @Override
    public void start() {
        if (ctx.ipService(AddressFamily.IPV4) == null) {
            throw MissingLayerException.forService("IPv4 (needed by TCP)", "stack-ip", "dev.tsunagu.ip");
        }
        // Fail now, not at the first connect, if a policy named for the stack is missing.
        ctx.policies().congestionControl(null);
        ctx.policies().retransmission(null);
        ctx.policies().sendBuffering(null);
    }

    @Override
    public void close() {
        List<TcpConnection> all = new ArrayList<>();
        connections.forEach((k, c) -> {
            for (TcpConnection x = c; x != null; x = x.nextInBucket) {
                all.add(x);
            }
        });
        for (TcpConnection c : all) {
            c.fail(new SocketException("the stack was closed"), false);
        }
        List<TcpListener> ls = new ArrayList<>();
        listeners.forEach((p, l) -> ls.add(l));
        if (anyListener != null) {
            ls.add(anyListener);
        }
        ls.forEach(TcpListener::closeOnLoop);
    }

    // ---- settings, for connections ----

    EventLoop loop() {
        return loop;
    }

    /**
     * The network layer for {@code address}'s family.
     *
     * @throws IllegalStateException if the stack has none (callers check first: {@link #networkFor})
     */
    IpService network(IpAddress address) {
        IpService ip = ctx.ipService(address.family());
        if (ip == null) {
            throw new IllegalStateException("no " + address.family().displayName() + " layer for " + address);
        }
        return ip;
    }

    /** {@link #network} for an address from the application: a family the stack lacks is an IOException. */
    private IpService networkFor(IpAddress address) throws NoRouteToHostException {
        IpService ip = ctx.ipService(address.family());
        if (ip == null) {
            throw new NoRouteToHostException("no route to " + address + ": this stack has no "
                    + address.family().displayName() + " layer");
        }
        return ip;
    }

    int timestampOffset(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort) {
        return isn.timestampOffset(localIp, localPort, remoteIp, remotePort);
    }

    /** Connections in the table (TIME_WAIT included); for tests and benchmarks. */
    public int connectionCount() {
        return connectionCount;
    }

    private PolicyContext policyContext(int mss) {
        return new PolicyContext() {
            @Override
            public <T> T option(StackOption<T> option) {
                return ctx.option(option);
            }

            @Override
            public int mss() {
                return mss;
            }

            @Override
            public RandomGenerator random() {
                return ctx.random();
            }
        };
    }

    CongestionControl newCongestionControl(String name, int mss) {
        return ctx.policies().congestionControl(name).create(policyContext(mss));
    }

    RetransmissionPolicy newRetransmissionPolicy(String name, int mss) {
        return ctx.policies().retransmission(name).create(policyContext(mss));
    }

    SendBufferingPolicy newSendBufferingPolicy(String name, int mss) {
        return ctx.policies().sendBuffering(name).create(policyContext(mss));
    }

    // ---- the connection table ----

    /**
     * The bucket of a connection: for IPv4 the remote address and both ports packed exactly, as
     * before addresses had families (no allocation, one probe); for another family the same
     * with a hash of the remote address in the high half. Either way the bucket's chain compares
     * the whole identity, so a collision costs a step along it, never a wrong match.
     */
    private static long key(IpAddress remoteIp, int remotePort, int localPort) {
        int high = remoteIp instanceof Ipv4Address v4 ? v4.bits() : remoteIp.hashCode();
        return ((long) high << 32) | ((long) remotePort << 16) | localPort;
    }

    TcpConnection lookup(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort) {
        for (TcpConnection c = connections.get(key(remoteIp, remotePort, localPort)); c != null; c = c.nextInBucket) {
            if (c.localPort == localPort && c.remotePort == remotePort && c.remoteIp.equals(remoteIp)
                    && c.localIp.equals(localIp)) {
                return c;
            }
        }
        return null;
    }

    void register(TcpConnection c) {
        long k = key(c.remoteIp, c.remotePort, c.localPort);
        c.nextInBucket = connections.get(k);
        connections.put(k, c);
        connectionCount++;
        if (traceSink != null) {
            c.snd.trace = new TcpTrace(c, loop, ctx.stackName(), traceSink, false);
            if (c.passive) {
                c.snd.trace.received(segment); // the SYN (or cookie's ACK) that made it, which no connection had yet
            }
        }
    }

    void remove(TcpConnection c) {
        long k = key(c.remoteIp, c.remotePort, c.localPort);
        TcpConnection head = connections.get(k);
        if (head == c) {
            if (c.nextInBucket == null) {
                connections.remove(k);
            } else {
                connections.put(k, c.nextInBucket);
            }
            connectionCount--;
        } else {
            for (TcpConnection p = head; p != null; p = p.nextInBucket) {
                if (p.nextInBucket == c) {
                    p.nextInBucket = c.nextInBucket;
                    connectionCount--;
                    break;
                }
            }
        }
        c.nextInBucket = null;
        if (c.snd.trace != null) {
            c.snd.trace.removed();
        }
    }

    void removeListener(TcpListener l) {
        if (l == anyListener) {
            anyListener = null;
        } else if (listeners.get(l.port) == l) {
            listeners.remove(l.port);
        }
    }

    /**
     * A free local port for a connection to {@code remoteIp:remotePort}, or for a listener when
     * {@code remoteIp} is null (RFC 6056 algorithm 1).
     */
    private int ephemeralPort(IpAddress localIp, IpAddress remoteIp, int remotePort) {
        int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        int start = ctx.random().nextInt(range);
        for (int i = 0; i < range; i++) {
            int p = EPHEMERAL_LOW + (start + i) % range;
            if (!listeners.containsKey(p) && (remoteIp == null || lookup(localIp, p, remoteIp, remotePort) == null)) {
                return p;
            }
        }
        return 0;
    }

    // ---- receiving ----

    @Override
    public void receive(IpPacketInfo info, PacketBuffer p) {
        counters.inSegs.increment();
        try {
            if (info.isBroadcastOrMulticast()) {
                counters.dropBroadcast.increment(); // RFC 1122 4.2.3.10: TCP is unicast only
                return;
            }
            switch (TcpHeader.check(p, info)) {
                case OK -> { }
                case TRUNCATED -> {
                    counters.inErrs.increment();
                    counters.dropTruncated.increment();
                    return;
                }
                case BAD_DATA_OFFSET -> {
                    counters.inErrs.increment();
                    counters.dropBadDataOffset.increment();
                    return;
                }
                case BAD_CHECKSUM -> {
                    counters.inErrs.increment();
                    counters.inCsumErrors.increment();
                    return;
                }
            }
            IpAddress src = info.source();
            IpAddress dst = info.destination();
            Segment s = segment;
            Segment.Verdict verdict = s.parse(p, src, dst);
            if (verdict != Segment.Verdict.OK) {
                counters.inErrs.increment();
                counters.rejected(verdict).increment();
                return;
            }
            s.ecn = Ecn.of(info.tos());
            TcpConnection c = lookup(dst, s.destinationPort, src, s.sourcePort);
            if (c != null) {
                TcpTrace trace = c.snd.trace;
                if (trace == null) {
                    c.onSegment(s);
                } else {
                    trace.received(s);
                    c.onSegment(s);
                    trace.afterSegment();
                }
                return;
            }
            TcpListener l = listeners.get(s.destinationPort);
            if (l != null && (l.localIp == null || l.localIp.equals(dst))) {
                l.onSegment(s);
                return;
            }
            if (anyListener != null) {
                anyListener.onSegment(s);
                return;
            }
            noSocket(s);
        } finally {
            p.release();
        }
    }

    /** 3.10.7.1: a segment for no connection draws a RST, unless it is one. */
    private void noSocket(Segment s) {
        if (s.has(TcpHeader.RST)) {
            counters.rstsNoConnection.increment();
            return;
        }
        if (s.has(TcpHeader.ACK)) {
            sendReset(s.destinationIp, s.destinationPort, s.sourceIp, s.sourcePort, s.ack, 0, false);
        } else {
            sendReset(s.destinationIp, s.destinationPort, s.sourceIp, s.sourcePort, 0, s.seq + s.length(), true);
        }
    }

    @Override
    public void receiveError(IcmpErrorInfo error, PacketBuffer quoted) {
        if (quoted.length() < 8) {
            return;
        }
        int localPort = quoted.getU16(TcpHeader.SOURCE_PORT);
        int remotePort = quoted.getU16(TcpHeader.DESTINATION_PORT);
        TcpConnection c = lookup(error.quotedSource(), localPort, error.quotedDestination(), remotePort);
        if (c != null) {
            // RFC 5927: believe only errors that quote a sequence number in flight.
            int seq = quoted.getI32(TcpHeader.SEQUENCE);
            if (c.inFlight(seq)) {
                c.onIcmpError(error);
            } else if (error.kind() == IcmpErrorInfo.Kind.PACKET_TOO_BIG) {
                counters.pmtuIgnored.increment();
            }
        }
    }

    // ---- sending ----

    /**
     * Sends one segment of {@code c}, built by its {@link TcpOutput} ({@code b} holds the payload,
     * {@code o} the options, {@code ecn} the IP ECN codepoint): the header goes in front, with the
     * connection's ports and addresses.
     */
    void transmit(TcpConnection c, PacketBuffer b, int seq, int ack, int flags, int window, TcpHeader.Options o,
                  int ecn) {
        IpService ip = c.network;
        if (c.snd.trace != null) {
            c.snd.trace.sent(b, seq, ack, flags, window, o);
        }
        if (c.checksumOffload) {
            TcpHeader.prependPartial(b, c.localPort, c.remotePort, seq, ack, flags, window, o, ip, c.localIp, c.remoteIp);
        } else {
            TcpHeader.prepend(b, c.localPort, c.remotePort, seq, ack, flags, window, o, ip, c.localIp, c.remoteIp);
        }
        counters.outSegs.increment();
        // DF on every segment: path MTU discovery (RFC 1191) rather than fragments in the network.
        if (ip.send(b, c.localIp, c.remoteIp, IpProtocol.TCP, 0, ecn, true) == IpService.TOO_BIG) {
            c.onSegmentTooBig();
        }
    }

    void sendReset(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort, int seq, int ack,
                   boolean withAck) {
        counters.outRsts.increment();
        sendStateless(localIp, localPort, remoteIp, remotePort, seq, ack, TcpHeader.RST | (withAck ? TcpHeader.ACK : 0),
                0, outOptions.clear());
    }

    /** Sends a segment that belongs to no connection (a RST, a SYN cookie's SYN-ACK): header and options only. */
    void sendStateless(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort, int seq, int ack,
                       int flags, int window, TcpHeader.Options o) {
        IpService ip = network(remoteIp);
        PacketBuffer b = ctx.buffers().acquire(0);
        TcpHeader.prepend(b, localPort, remotePort, seq, ack, flags, window, o, ip, localIp, remoteIp);
        counters.outSegs.increment();
        ip.send(b, localIp, remoteIp, IpProtocol.TCP, 0, 0, true);
    }

    int initialSequence(IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort) {
        return isn.isn(localIp, localPort, remoteIp, remotePort, loop.now());
    }

    // ---- TcpService ----

    @Override
    public TcpSocket connect(InetSocketAddress remote, TcpSocketOptions options) throws IOException {
        return connect(null, remote, options);
    }

    @Override
    public TcpSocket connect(InetSocketAddress local, InetSocketAddress remote, TcpSocketOptions options) throws IOException {
        Duration limit = options.connectTimeout().plusSeconds(1);
        // Blocking: the SYN is sent on the caller's thread when it can take the loop (no
        // hand-off), and the wait for the handshake leads the loop if it is idle.
        return TcpSocketImpl.await(loop, named(openAsync(local, remote, options, true), -1), limit);
    }

    @Override
    public CompletableFuture<TcpSocket> connectAsync(InetSocketAddress remote, TcpSocketOptions options) {
        return connectAsync(null, remote, options, -1);
    }

    @Override
    public CompletableFuture<TcpSocket> connectAsync(InetSocketAddress local, InetSocketAddress remote,
                                                     TcpSocketOptions options) {
        return connectAsync(local, remote, options, -1);
    }

    /**
     * An active open from {@code local} (null: the route's source address and an ephemeral port),
     * the socket named by a reserved descriptor (or -1).
     */
    CompletableFuture<TcpSocket> connectAsync(InetSocketAddress local, InetSocketAddress remote, TcpSocketOptions options,
                                              int descriptor) {
        return named(openAsync(local, remote, options), descriptor);
    }

    /**
     * A stream socket's connect to a name's addresses (the socket library's): one address is an
     * active open; several race (RFC 8305, {@link HappyEyeballs}) as bare connections, so only the
     * winner becomes a socket and takes the reserved {@code descriptor} (the socket table never
     * shows it on two connections); the attempts still in their handshake are cancelled, and one
     * that connects after the winner is aborted.
     */
    CompletableFuture<TcpSocket> connectAsync(List<InetSocketAddress> remotes, TcpSocketOptions options,
                                              int descriptor) {
        if (remotes.size() == 1) {
            return connectAsync(null, remotes.getFirst(), options, descriptor);
        }
        return named(HappyEyeballs.race(loop, remotes, remote -> openAsync(null, remote, options),
                TcpConnection::abort, HappyEyeballs.CONNECTION_ATTEMPT_DELAY), descriptor);
    }

    /**
     * The socket over an opened connection, named by {@code descriptor} (or a new one); cancelling
     * the socket's future cancels the opening.
     */
    private CompletableFuture<TcpSocket> named(CompletableFuture<TcpConnection> opening, int descriptor) {
        // Completed on the loop, so the socket attaches to its connection before any other segment is handled.
        CompletableFuture<TcpSocket> result = opening.thenApply(conn -> new TcpSocketImpl(this, conn, descriptor));
        result.whenComplete((s, e) -> {
            if (result.isCancelled()) {
                opening.cancel(false);
            }
        });
        return result;
    }

    /**
     * An active open that completes with the established connection, not yet any socket's;
     * cancelled in its handshake, the connection is deleted (RFC 9293 3.10.4).
     */
    private CompletableFuture<TcpConnection> openAsync(InetSocketAddress local, InetSocketAddress remote,
                                                       TcpSocketOptions options) {
        return openAsync(local, remote, options, false);
    }

    /** With {@code inline}, the open runs on the calling thread if it can take the loop ({@link EventLoop#tryRunInline}). */
    private CompletableFuture<TcpConnection> openAsync(InetSocketAddress local, InetSocketAddress remote,
                                                       TcpSocketOptions options, boolean inline) {
        CompletableFuture<TcpConnection> result = new CompletableFuture<>();
        Runnable open = () -> {
            try {
                IpAddress remoteIp = addressOf(remote);
                int port = remote.getPort();
                if (port <= 0 || port > 65535) {
                    throw new SocketException("bad port " + port);
                }
                IpService network = networkFor(remoteIp);
                IpAddress localIp = localAddressFor(network, local, remoteIp);
                int localPort = local == null ? 0 : local.getPort();
                if (localPort == 0) {
                    localPort = ephemeralPort(localIp, remoteIp, port);
                    if (localPort == 0) {
                        throw new BindException("no free ephemeral TCP port for " + remote);
                    }
                } else if (listeners.containsKey(localPort)) {
                    throw new BindException("Address already in use: TCP port " + localPort + " is a listener's");
                } else if (lookup(localIp, localPort, remoteIp, port) != null) {
                    throw new BindException("Address already in use: a connection from " + localIp + ":" + localPort
                            + " to " + remote + " exists");
                }
                TcpConnection c = new TcpConnection(this, false, localIp, localPort, remoteIp, port, options);
                register(c);
                // Cancelled by the application: close it (in SYN-SENT that deletes it, RFC 9293 3.10.4).
                result.whenComplete((conn, e) -> {
                    if (result.isCancelled()) {
                        onLoop(c::close);
                    }
                });
                c.connect(initialSequence(localIp, localPort, remoteIp, port), result, options.connectTimeout().toNanos());
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (!(inline && loop.tryRunInline(open))) {
            onLoop(open);
        }
        return result;
    }

    /** The source address of a connection: the bound one if it is the stack's (RFC 1122 4.2.3.7), else the route's. */
    private static IpAddress localAddressFor(IpService network, InetSocketAddress local, IpAddress remoteIp)
            throws IOException {
        if (local != null && !local.getAddress().isAnyLocalAddress()) {
            IpAddress bound = addressOf(local);
            if (bound.getClass() != remoteIp.getClass() || !network.isLocalAddress(bound)) {
                throw new BindException("Cannot assign requested address: " + bound + " is not this stack's");
            }
            return bound;
        }
        IpAddress source = network.sourceAddressFor(remoteIp);
        if (source == null) {
            throw new NoRouteToHostException("no route to host " + remoteIp);
        }
        return source;
    }

    @Override
    public TcpServerSocket listen(int port, int backlog, TcpSocketOptions options) throws IOException {
        return listen(port, backlog, options, -1);
    }

    /** {@link #listen(int, int, TcpSocketOptions)} naming the listener by a reserved descriptor. */
    TcpServerSocket listen(int port, int backlog, TcpSocketOptions options, int descriptor) throws IOException {
        if (port < 0 || port > 65535) {
            throw new SocketException("bad port " + port);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1");
        }
        CompletableFuture<TcpServerSocket> f = new CompletableFuture<>();
        onLoop(() -> {
            int p = port;
            if (p == 0) {
                p = ephemeralPort(null, null, 0);
            }
            if (listeners.containsKey(p)) {
                f.completeExceptionally(new BindException("TCP port " + p + " is already in use"));
                return;
            }
            TcpListener l = new TcpListener(this, null, p, backlog, options, descriptor, null);
            listeners.put(p, l);
            f.complete(l.socket());
        });
        return TcpSocketImpl.await(loop, f, Duration.ofSeconds(30));
    }

    @Override
    public TcpServerSocket listenAny(int backlog, TcpSocketOptions options, FlowFilter filter) throws IOException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(filter, "filter");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1");
        }
        CompletableFuture<TcpServerSocket> f = new CompletableFuture<>();
        onLoop(() -> {
            if (anyListener != null) {
                f.completeExceptionally(new BindException("this stack already has a transparent listener"));
                return;
            }
            anyListener = new TcpListener(this, null, 0, backlog, options, -1, filter);
            f.complete(anyListener.socket());
        });
        return TcpSocketImpl.await(loop, f, Duration.ofSeconds(30));
    }

    @Override
    public TraceHandle trace(TraceSink sink) {
        Objects.requireNonNull(sink, "sink");
        onLoop(() -> {
            traceSinks.add(sink);
            retrace();
        });
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                onLoop(() -> {
                    traceSinks.remove(sink);
                    retrace();
                });
            }
        };
    }

    /** The stack's sinks changed: every connection not traced on its own gets the new one. */
    private void retrace() {
        TraceSink[] all = traceSinks.toArray(TraceSink[]::new);
        traceSink = switch (all.length) {
            case 0 -> null;
            case 1 -> all[0];
            default -> event -> {
                for (TraceSink each : all) {
                    each.onEvent(event);
                }
            };
        };
        connections.forEach((key, head) -> {
            for (TcpConnection c = head; c != null; c = c.nextInBucket) {
                if (c.snd.trace == null || !c.snd.trace.own) {
                    c.snd.trace = traceSink == null ? null : new TcpTrace(c, loop, ctx.stackName(), traceSink, false);
                }
            }
        });
    }

    /** Traces one connection into its own {@code sink} (null: back to the stack's, if any). */
    void trace(TcpConnection c, TraceSink sink) {
        onLoop(() -> {
            TraceSink s = sink != null ? sink : traceSink;
            c.snd.trace = s == null ? null : new TcpTrace(c, loop, ctx.stackName(), s, sink != null);
        });
    }

    StackContext context() {
        return ctx;
    }

    void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    private static IpAddress addressOf(InetSocketAddress a) throws SocketException {
        if (a.isUnresolved()) {
            throw new SocketException("unresolved address " + a.getHostString() + ": resolve it first (the stack's resolver)");
        }
        return IpAddress.of(a.getAddress());
    }

    static SocketInfo listenerInfo(int fd, InetSocketAddress local, int queued, int backlog) {
        return new SocketInfo("TCP", fd, local, null, "LISTEN", 0, queued, Map.of("backlog", Integer.toString(backlog)));
    }
}
