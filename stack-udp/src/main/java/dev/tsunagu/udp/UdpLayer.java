package dev.tsunagu.udp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.socket.FlowFilter;
import dev.tsunagu.socket.NameResolver;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.UdpService;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stack.TransportProtocol;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.udp.dns.Resolver;
import dev.tsunagu.udp.dns.ResolverConfig;
import dev.tsunagu.udp.wire.UdpHeader;
import dev.tsunagu.util.LongObjectMap;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * UDP (RFC 768) as IP protocol 17: demultiplexes datagrams to sockets by port, answers ports
 * nobody listens on with ICMP port unreachable, and hands ICMP errors to the connected socket
 * they concern. Counters in the {@code udp} group follow the UDP MIB. Loop thread only,
 * except where noted.
 */
public final class UdpLayer implements Layer, TransportProtocol, UdpService {
    static final int EPHEMERAL_LOW = 49152;
    static final int EPHEMERAL_HIGH = 65535;

    final StackContext ctx;
    private final LongObjectMap<UdpSocketImpl> ports = new LongObjectMap<>();
    /** The transparent socket ({@link #openAny}) and its filter: datagrams no other socket takes; null if none. */
    private UdpSocketImpl anySocket;
    private FlowFilter anyFilter;
    private final int receiveQueue;
    private Resolver resolver;

    final Counter inDatagrams;
    final Counter noPorts;
    final Counter inErrors;
    final Counter inCsumErrors;
    final Counter rcvbufErrors;
    final Counter outDatagrams;
    private final Counter dropTruncated;
    private final Counter dropBadLength;
    private final Counter dropFiltered;
    private final Counter icmpErrors;
    private final Counter transparentDeclined;

    UdpLayer(StackContext ctx) {
        this.ctx = ctx;
        this.receiveQueue = ctx.option(UdpOptions.RECEIVE_QUEUE);
        CounterGroup c = ctx.counters("udp");
        inDatagrams = c.counter("InDatagrams", "datagrams delivered to sockets");
        noPorts = c.counter("NoPorts", "datagrams for a port with no socket");
        inErrors = c.counter("InErrors", "datagrams dropped as malformed");
        inCsumErrors = c.counter("InCsumErrors", "datagrams with a wrong checksum");
        rcvbufErrors = c.sharedCounter("RcvbufErrors", "datagrams dropped because a socket's queue was full");
        outDatagrams = c.counter("OutDatagrams", "datagrams sent");
        dropTruncated = c.counter("DropTruncated", "shorter than a UDP header");
        dropBadLength = c.counter("DropBadLength", "length field below 8 or beyond the IP payload");
        dropFiltered = c.counter("DropFiltered", "datagrams from a peer other than a connected socket's");
        icmpErrors = c.counter("InIcmpErrors", "ICMP errors about our datagrams");
        transparentDeclined = c.counter("TransparentDeclined",
                "datagrams the transparent socket's filter declined (answered with port unreachable)");
        ctx.registerTransportProtocol(IpProtocol.UDP, this);
        ctx.publish(UdpService.class, this);
        resolver = newResolver();
        ctx.publish(Resolver.class, resolver);
        ctx.publish(NameResolver.class, resolver); // how the socket library (stack-tcp) finds it
        ctx.socketTable().register(sink -> {
            ports.forEach((port, s) -> sink.accept(s.info()));
            if (anySocket != null) {
                sink.accept(anySocket.info());
            }
        });
    }

    @Override
    public void start() {
        if (ctx.ipService(AddressFamily.IPV4) == null) {
            throw MissingLayerException.forService("IPv4 (needed by UDP)", "stack-ip", "dev.tsunagu.ip");
        }
    }

    /** The socket library's resolver, over this stack's UDP, asking the servers in {@code dns.servers}. */
    Resolver newResolver() {
        return new Resolver(ctx.loop(), this, ResolverConfig.parse(ctx.option(UdpOptions.DNS_SERVERS)), ctx.random());
    }

    /**
     * The network layer for {@code address}'s family.
     *
     * @throws NoRouteToHostException if the stack has none (an IPv6 address, no IPv6 layer)
     */
    IpService ipFor(IpAddress address) throws NoRouteToHostException {
        IpService ip = ctx.ipService(address.family());
        if (ip == null) {
            throw new NoRouteToHostException("no route to " + address + ": this stack has no "
                    + address.family().displayName() + " layer");
        }
        return ip;
    }

    @Override
    public UdpSocket open() {
        return new UdpSocketImpl(this, receiveQueue);
    }

    @Override
    public UdpSocket openAny(FlowFilter filter) throws IOException {
        Objects.requireNonNull(filter, "filter");
        UdpSocketImpl s = new UdpSocketImpl(this, receiveQueue);
        try {
            s.becomeTransparent(filter);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Makes {@code s} the transparent socket (loop thread). */
    void setAnySocket(UdpSocketImpl s, FlowFilter filter) throws BindException {
        if (anySocket != null) {
            throw new BindException("this stack already has a transparent UDP socket");
        }
        anySocket = s;
        anyFilter = filter;
    }

    // ---- ports (loop thread) ----

    /** Binds {@code s} to {@code port} (0: ephemeral, RFC 6056 algorithm 1). */
    int bind(UdpSocketImpl s, IpAddress address, int port) throws BindException {
        IpService ip = address == null ? null : ctx.ipService(address.family());
        if (address != null && (ip == null || !ip.isLocalAddress(address))) {
            throw new BindException("cannot bind to " + address + ": not an address of this host");
        }
        if (port == 0) {
            port = ephemeralPort();
            if (port == 0) {
                throw new BindException("no free ephemeral UDP port (" + EPHEMERAL_LOW + "-" + EPHEMERAL_HIGH + ")");
            }
        } else if (ports.containsKey(port)) {
            throw new BindException("UDP port " + port + " is already in use");
        }
        ports.put(port, s);
        return port;
    }

    private int ephemeralPort() {
        int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        int start = ctx.random().nextInt(range);
        for (int i = 0; i < range; i++) {
            int p = EPHEMERAL_LOW + (start + i) % range;
            if (!ports.containsKey(p)) {
                return p;
            }
        }
        return 0;
    }

    void unbind(UdpSocketImpl s, int port) {
        if (s == anySocket) {
            anySocket = null;
            anyFilter = null;
        }
        if (port != 0 && ports.get(port) == s) {
            ports.remove(port);
        }
    }

    // ---- receiving ----

    @Override
    public void receive(IpPacketInfo info, PacketBuffer p) {
        switch (UdpHeader.check(p, info)) {
            case OK -> { }
            case TRUNCATED -> {
                drop(p, dropTruncated);
                return;
            }
            case BAD_LENGTH -> {
                drop(p, dropBadLength);
                return;
            }
            case BAD_CHECKSUM -> {
                inCsumErrors.increment();
                drop(p, null);
                return;
            }
        }
        int length = UdpHeader.length(p);
        if (p.length() > length) {
            p.truncate(length);
        }
        int dport = UdpHeader.destinationPort(p);
        IpAddress dst = info.destination();
        UdpSocketImpl s = ports.get(dport);
        if (s == null || !s.accepts(dst, info.isBroadcastOrMulticast())) {
            if (anySocket != null && !info.isBroadcastOrMulticast()) {
                int sport = UdpHeader.sourcePort(p);
                IpAddress src = info.source();
                if (anyFilter.admit(new InetSocketAddress(src.toInetAddress(), sport),
                        new InetSocketAddress(dst.toInetAddress(), dport))) {
                    p.consume(UdpHeader.HEADER_LENGTH);
                    inDatagrams.increment();
                    anySocket.deliver(src, sport, dst, dport, p);
                    p.release();
                    return;
                }
                transparentDeclined.increment();
            }
            noPorts.increment();
            if (!info.isBroadcastOrMulticast()) {
                ctx.ipService(dst.family()).sendPortUnreachable(info, p);
            }
            p.release();
            return;
        }
        int sport = UdpHeader.sourcePort(p);
        IpAddress src = info.source();
        if (!s.acceptsPeer(src, sport)) {
            dropFiltered.increment();
            p.release();
            return;
        }
        p.consume(UdpHeader.HEADER_LENGTH);
        inDatagrams.increment();
        s.deliver(src, sport, dst, dport, p);
        p.release();
    }

    private void drop(PacketBuffer p, Counter reason) {
        inErrors.increment();
        if (reason != null) {
            reason.increment();
        }
        p.release();
    }

    @Override
    public void receiveError(IcmpErrorInfo error, PacketBuffer quoted) {
        if (quoted.length() < UdpHeader.HEADER_LENGTH) {
            return;
        }
        icmpErrors.increment();
        UdpSocketImpl s = ports.get(UdpHeader.sourcePort(quoted));
        if (s != null) {
            s.icmpError(error, UdpHeader.destinationPort(quoted));
        }
    }

    // ---- sending (loop thread) ----

    /**
     * Sends {@code payload} (owned) from {@code sourceAddress} (null: the route's) and port to
     * {@code destination}; returns an {@link IpService} result code.
     *
     * @throws NoRouteToHostException if the stack has no layer for the destination's family
     */
    int send(PacketBuffer payload, IpAddress sourceAddress, int sourcePort, IpAddress destination, int destinationPort)
            throws NoRouteToHostException {
        IpService ip;
        try {
            ip = ipFor(destination);
        } catch (NoRouteToHostException e) {
            payload.release();
            throw e;
        }
        IpAddress src = sourceAddress != null ? sourceAddress : ip.sourceAddressFor(destination);
        if (src == null) {
            payload.release();
            return IpService.NO_ROUTE;
        }
        long pseudo = ip.pseudoHeaderSum(src, destination, IpProtocol.UDP, UdpHeader.datagramLength(payload));
        UdpHeader.prepend(payload, sourcePort, destinationPort, pseudo);
        outDatagrams.increment();
        return ip.send(payload, src, destination, IpProtocol.UDP, 0, 0, false);
    }

    @Override
    public void close() {
        resolver.close();
        List<UdpSocketImpl> all = new ArrayList<>();
        ports.forEach((k, v) -> all.add(v));
        for (UdpSocketImpl s : all) {
            s.closeOnLoop();
        }
    }

    static SocketInfo info(int fd, InetSocketAddress local, InetSocketAddress remote, int queued, long queuedBytes) {
        return new SocketInfo("UDP", fd, local, remote, remote == null ? "UNCONN" : "ESTAB", 0, queuedBytes,
                Map.of("queued", Integer.toString(queued)));
    }
}
