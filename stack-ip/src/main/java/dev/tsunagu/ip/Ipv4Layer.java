package dev.tsunagu.ip;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.ip.fragment.FragmentOutput;
import dev.tsunagu.ip.fragment.Fragmenter;
import dev.tsunagu.ip.fragment.Reassembler;
import dev.tsunagu.ip.icmp.IcmpErrorGate;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.ip.wire.IcmpHeader;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv4Prefix;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LinkLayer;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkProtocol;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stack.TransportProtocol;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.util.LongObjectMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPv4 (RFC 791 with the RFC 1122 host rules, and RFC 1812 forwarding when enabled).
 *
 * <p><b>Receiving</b> ({@link #receive}): the header is validated (version, lengths,
 * checksum; options are accepted and skipped), link padding trimmed, martian sources
 * dropped; a datagram for one of our addresses (on any interface: the weak host model) or a
 * broadcast is reassembled if it is a fragment and handed to the transport registered for its
 * protocol, or answered with ICMP protocol unreachable. Others are forwarded when forwarding
 * is on, else dropped. Every drop has a counter in the {@code ip} group, named as in the IP
 * MIB where one exists.
 *
 * <p><b>Sending</b> ({@link #send}): the route is looked up (our own addresses and 127/8 go
 * through loopback), the header prepended into the buffer's headroom, and the datagram
 * handed to the interface, or fragmented first when it exceeds the route's MTU.
 *
 * <p><b>ICMP errors</b> are generated here, for every layer, under RFC 1122 3.2.2's rules: never
 * about an ICMP error, a datagram sent to a broadcast or multicast address (or received as a
 * link-layer broadcast), a non-first fragment, or one whose source does not name a single
 * host; and no more than the token bucket allows.
 */
public final class Ipv4Layer implements Layer, NetworkProtocol, Ipv4Service {
    private static final Logger log = LoggerFactory.getLogger(Ipv4Layer.class);

    private final StackContext ctx;
    private final RoutingTable routes = new RoutingTable();
    private final Reassembler reassembler;
    private final IcmpProtocol icmp;
    private final Pinger pinger;
    private final IcmpErrorGate icmpErrors;
    private final boolean forwarding;
    /** Transparent mode's prefixes ({@link IpOptions#TRANSPARENT}); empty when off. */
    private final Ipv4Prefix[] transparent;
    private final int defaultTtl;
    private final ReceivedInfo info = new ReceivedInfo();
    /** The last destination sent to by {@code int}, as the record the link layer takes (see {@link AddressMemo}). */
    private final AddressMemo sentTo = new AddressMemo();
    /** The source address last chosen for a transport (a UDP socket bound to any address asks per datagram). */
    private final AddressMemo chosenSource = new AddressMemo();
    private final LongObjectMap<Route> localRoutes = new LongObjectMap<>();
    private Route loopbackNetRoute;
    private NetInterface loopback;
    /** Identification per (source, destination, protocol), not one counter for all (RFC 6864, RFC 7739). */
    private final Ipv4IdGenerator ids;
    /** Path MTUs below the first hop's, learnt from "fragmentation needed" (RFC 1191). */
    private final PathMtuCache pathMtus;

    private final Counter inReceives;
    private final Counter inHdrErrors;
    private final Counter inAddrErrors;
    private final Counter inTransparent;
    private final Counter inUnknownProtos;
    private final Counter inDelivers;
    private final Counter forwDatagrams;
    private final Counter outRequests;
    private final Counter outNoRoutes;
    private final Counter outDiscards;
    private final Counter fragOks;
    private final Counter fragFails;
    private final Counter fragCreates;
    private final Counter dropTruncated;
    private final Counter dropBadVersion;
    private final Counter dropBadHeaderLength;
    private final Counter dropBadTotalLength;
    private final Counter dropBadChecksum;
    private final Counter dropBadSource;
    private final Counter dropMulticast;
    private final Counter dropTtlExceeded;
    private final Counter pathMtuLowered;

    Ipv4Layer(StackContext ctx) {
        this.ctx = ctx;
        this.forwarding = ctx.option(IpOptions.FORWARDING);
        this.transparent = parsePrefixes(ctx.option(IpOptions.TRANSPARENT));
        this.defaultTtl = ctx.option(IpOptions.DEFAULT_TTL);
        // One draw, as the single global counter's start took before: later draws stay as they were.
        this.ids = new Ipv4IdGenerator(ctx.random().nextLong());
        this.pathMtus = new PathMtuCache(ctx.option(IpOptions.PMTU_CACHE_SIZE), ctx.option(IpOptions.PMTU_EXPIRY).toNanos(),
                PathMtuCache.IPV4_MIN_MTU, () -> ctx.loop().now());
        CounterGroup c = ctx.counters("ip");
        inReceives = c.counter("InReceives", "datagrams received");
        inHdrErrors = c.counter("InHdrErrors", "datagrams dropped for header errors");
        inAddrErrors = c.counter("InAddrErrors", "datagrams not for us (and not forwarded)");
        inTransparent = c.counter("InTransparent", "datagrams for other hosts taken in transparent mode");
        inUnknownProtos = c.counter("InUnknownProtos", "datagrams for a protocol with no handler");
        inDelivers = c.counter("InDelivers", "datagrams delivered to transports (incl. ICMP)");
        forwDatagrams = c.counter("ForwDatagrams", "datagrams forwarded");
        outRequests = c.counter("OutRequests", "datagrams sent by transports");
        outNoRoutes = c.counter("OutNoRoutes", "datagrams dropped for lack of a route");
        outDiscards = c.counter("OutDiscards", "datagrams dropped on output (too big with DF)");
        fragOks = c.counter("FragOKs", "datagrams fragmented");
        fragFails = c.counter("FragFails", "datagrams that needed fragmenting but had DF");
        fragCreates = c.counter("FragCreates", "fragments created");
        dropTruncated = c.counter("DropTruncated", "shorter than an IPv4 header");
        dropBadVersion = c.counter("DropBadVersion", "version field not 4");
        dropBadHeaderLength = c.counter("DropBadHeaderLength", "IHL below 5 or beyond the packet");
        dropBadTotalLength = c.counter("DropBadTotalLength", "total length below the header or beyond the frame");
        dropBadChecksum = c.counter("DropBadChecksum", "header checksum wrong");
        dropBadSource = c.counter("DropBadSource", "martian source: broadcast, multicast, ours or loopback from outside");
        dropMulticast = c.counter("DropMulticast", "multicast datagrams (no groups joined)");
        dropTtlExceeded = c.counter("DropTtlExceeded", "datagrams to forward whose TTL ran out");
        pathMtuLowered = c.counter("PathMtuLowered", "path MTUs lowered by a checked fragmentation needed (RFC 1191)");
        icmpErrors = new IcmpErrorGate(ctx.option(IpOptions.ICMP_ERROR_RATE), ctx.option(IpOptions.ICMP_ERROR_BURST),
                ctx.counters("icmp"), "errors not sent by RFC 1122 rules (about errors, broadcasts, fragments)",
                "errors not sent because of the rate limit");
        reassembler = new Reassembler(ctx.loop(), ctx.buffers(), c, new Reassembler.Limits(
                ctx.option(IpOptions.REASSEMBLY_MAX_DATAGRAMS), ctx.option(IpOptions.REASSEMBLY_MAX_BYTES),
                ctx.option(IpOptions.REASSEMBLY_TIMEOUT).toNanos()),
                (iface, first) -> sendIcmpErrorAbout(first,
                        iface != null && iface.isDirectedBroadcast(Ipv4Header.destination(first))
                                ? LinkLayer.BROADCAST : LinkLayer.UNICAST,
                        IcmpHeader.TYPE_TIME_EXCEEDED, IcmpHeader.CODE_REASSEMBLY_TIME_EXCEEDED, 0));
        pinger = new Pinger(this, ctx);
        icmp = new IcmpProtocol(this, ctx, pinger);
        ctx.registerNetworkProtocol(EtherType.IPV4, this);
        ctx.registerTransportProtocol(IpProtocol.ICMP, icmp);
        ctx.registerIpService(this);
        ctx.publish(Ipv4Service.class, this);
        ctx.publish(PingService.class, pinger);
    }

    @Override
    public void start() {
        for (NetInterface iface : ctx.interfaces()) {
            boolean isLoopback = iface.isLoopback();
            if (isLoopback && loopback == null) {
                loopback = iface;
            }
            for (Ipv4Prefix p : iface.addresses()) {
                routes.addOnLink(iface, p);
            }
        }
        if (loopback != null) {
            loopbackNetRoute = new Route(Ipv4Prefix.parse("127.0.0.0/8"), loopback, 0, Ipv4Address.LOOPBACK.bits());
            for (NetInterface iface : ctx.interfaces()) {
                for (Ipv4Prefix p : iface.addresses()) {
                    int a = p.address().bits();
                    localRoutes.put(a, new Route(new Ipv4Prefix(p.address(), 32), loopback, 0, a));
                }
            }
        }
        ctx.defaultGateway(AddressFamily.IPV4).ifPresent(g -> routes.setDefaultGateway((Ipv4Address) g));
        log.debug("{}: routes\n{}", ctx.stackName(), routes);
    }

    @Override
    public void close() {
        reassembler.clear();
        pinger.close();
    }

    // ---- Ipv4Service ----

    @Override
    public RoutingTable routes() {
        return routes;
    }

    @Override
    public Route route(int destination) {
        Route local = localRoutes.get(destination);
        if (local != null) {
            return local;
        }
        if ((destination >>> 24) == 127) {
            return loopbackNetRoute;
        }
        if (destination == -1) {
            return broadcastRoute();
        }
        return routes.lookup(destination);
    }

    private Route broadcastRoute() {
        // The limited broadcast leaves through the first interface with an address (RFC 1122 3.3.6).
        for (NetInterface iface : ctx.interfaces()) {
            if (!iface.isLoopback() && iface.isUp() && iface.primaryAddress() != null) {
                return new Route(Ipv4Prefix.parse("255.255.255.255/32"), iface, 0,
                        iface.primaryAddress().address().bits());
            }
        }
        return null;
    }

    @Override
    public int sourceAddressFor(int destination) {
        Route r = route(destination);
        return r == null ? 0 : sourceOf(r);
    }

    private static int sourceOf(Route r) {
        if (r.source() != 0) {
            return r.source();
        }
        Ipv4Prefix p = r.iface().primaryAddress();
        return p == null ? 0 : p.address().bits();
    }

    @Override
    public boolean isLocalAddress(int address) {
        return localRoutes.containsKey(address);
    }

    @Override
    public int mtuFor(int destination) {
        return mtuFor(new Ipv4Address(destination));
    }

    @Override
    public boolean learnPathMtu(IpAddress destination, int mtu) {
        Route r = route(bits(destination));
        if (r == null || !pathMtus.lower(destination, mtu, r.mtu())) {
            return false;
        }
        pathMtuLowered.increment();
        return true;
    }

    @Override
    public int send(PacketBuffer payload, int source, int destination, int protocol, int ttl, int tos, boolean dontFragment) {
        return send(payload, source, sentTo.of(destination), protocol, ttl, tos, dontFragment);
    }

    private int send(PacketBuffer payload, int source, Ipv4Address destination, int protocol, int ttl, int tos,
                     boolean dontFragment) {
        Route r = route(destination.bits());
        if (r == null) {
            outNoRoutes.increment();
            payload.release();
            return NO_ROUTE;
        }
        outRequests.increment();
        int src = source != 0 ? source : sourceOf(r);
        int id = ids.next(src, destination.bits(), protocol);
        Ipv4Header.prepend(payload, tos, id, dontFragment ? Ipv4Header.FLAG_DF : 0, ttl > 0 ? ttl : defaultTtl,
                protocol, src, destination.bits());
        return output(r, payload, destination);
    }

    // ---- IpService: the same for transports, with family-neutral addresses ----

    @Override
    public AddressFamily family() {
        return AddressFamily.IPV4;
    }

    @Override
    public IpAddress sourceAddressFor(IpAddress destination) {
        int src = sourceAddressFor(bits(destination));
        return src == 0 ? null : chosenSource.of(src);
    }

    @Override
    public boolean isLocalAddress(IpAddress address) {
        return isLocalAddress(bits(address));
    }

    @Override
    public int mtuFor(IpAddress destination) {
        Route r = route(bits(destination));
        return r == null ? 0 : pathMtus.mtu(destination, r.mtu());
    }

    @Override
    public Offloads offloadsFor(IpAddress destination) {
        Route r = route(bits(destination));
        return r == null ? Offloads.NONE : r.iface().capabilities().offloads();
    }

    @Override
    public int headerLength() {
        return Ipv4Header.MIN_HEADER_LENGTH;
    }

    @Override
    public long pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int length) {
        return InternetChecksum.pseudoHeader(bits(source), bits(destination), protocol, length);
    }

    @Override
    public int send(PacketBuffer payload, IpAddress source, IpAddress destination, int protocol, int ttl, int tos,
                    boolean dontFragment) {
        return send(payload, source == null ? 0 : bits(source), v4(destination), protocol, ttl, tos, dontFragment);
    }

    @Override
    public void sendPortUnreachable(IpPacketInfo packetInfo, PacketBuffer payload) {
        sendIcmpError(packetInfo, payload, IcmpHeader.TYPE_DESTINATION_UNREACHABLE, IcmpHeader.CODE_PORT_UNREACHABLE);
    }

    private static Ipv4Address v4(IpAddress a) {
        if (a instanceof Ipv4Address v4) {
            return v4;
        }
        throw new IllegalArgumentException("the IPv4 layer was given an " + a.family().displayName() + " address: " + a);
    }

    private static int bits(IpAddress a) {
        return v4(a).bits();
    }

    /** Hands a whole datagram (at its IP header) to the route's interface, fragmenting if needed. */
    private int output(Route r, PacketBuffer datagram, Ipv4Address destination) {
        int mtu = r.mtu();
        Ipv4Address nextHop = r.nextHop(destination);
        if (datagram.length() <= mtu || datagram.segmentSize() > 0) {
            // (A segment to be cut by the device: TCP sized its pieces to the path MTU.)
            r.iface().output(datagram, EtherType.IPV4, nextHop);
            return SENT;
        }
        if (Ipv4Header.dontFragment(datagram)) {
            fragFails.increment();
            outDiscards.increment();
            datagram.release();
            return TOO_BIG;
        }
        FragmentOutput.send(datagram, Fragmenter.fragment(datagram, mtu, ctx.buffers()), r.iface(), EtherType.IPV4,
                nextHop, fragOks, fragCreates);
        return SENT;
    }

    @Override
    public int reassemblyDatagrams() {
        return reassembler.datagramsInProgress();
    }

    @Override
    public int reassemblyBytes() {
        return reassembler.bytesHeld();
    }

    // ---- receiving ----

    @Override
    public void receive(NetInterface iface, PacketBuffer p, int deliveryClass) {
        inReceives.increment();
        Ipv4Header.Problem problem = Ipv4Header.check(p);
        if (problem != Ipv4Header.Problem.OK) {
            inHdrErrors.increment();
            switch (problem) {
                case TRUNCATED -> dropTruncated.increment();
                case BAD_VERSION -> dropBadVersion.increment();
                case BAD_HEADER_LENGTH -> dropBadHeaderLength.increment();
                case BAD_TOTAL_LENGTH -> dropBadTotalLength.increment();
                case BAD_CHECKSUM -> dropBadChecksum.increment();
                case OK -> throw new AssertionError();
            }
            p.release();
            return;
        }
        int total = Ipv4Header.totalLength(p);
        if (p.length() > total) {
            p.truncate(total); // Ethernet padding
        }
        int src = Ipv4Header.source(p);
        int dst = Ipv4Header.destination(p);
        boolean fromOutside = !iface.isLoopback();
        if (src == -1 || (src >>> 28) == 0xE || (fromOutside && ((src >>> 24) == 127 || isLocalAddress(src)))) {
            dropBadSource.increment();
            inAddrErrors.increment();
            p.release();
            return;
        }
        boolean broadcast = dst == -1 || iface.isDirectedBroadcast(dst);
        boolean ours = broadcast || isLocalAddress(dst);
        if (!ours && fromOutside && isTransparent(dst)) {
            inTransparent.increment();
            ours = true;
        }
        if (!ours) {
            if ((dst >>> 28) == 0xE) {
                dropMulticast.increment();
                p.release();
                return;
            }
            if (forwarding && deliveryClass == LinkLayer.UNICAST && fromOutside) {
                forward(p);
                return;
            }
            inAddrErrors.increment();
            p.release();
            return;
        }
        if (Ipv4Header.isFragment(p)) {
            p = reassembler.offer(iface, p);
            if (p == null) {
                return;
            }
        }
        deliver(iface, p, deliveryClass, broadcast);
    }

    /**
     * Whether transparent mode takes {@code address} as ours: in one of its prefixes, and a unicast
     * address (never a multicast group, the limited broadcast or 0.0.0.0).
     */
    private boolean isTransparent(int address) {
        if (transparent.length == 0 || address == 0 || address == -1 || (address >>> 28) == 0xE) {
            return false;
        }
        for (Ipv4Prefix p : transparent) {
            if (p.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Ipv4Prefix[] parsePrefixes(String text) {
        if (text.isBlank()) {
            return new Ipv4Prefix[0];
        }
        String[] parts = text.split(",");
        Ipv4Prefix[] out = new Ipv4Prefix[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Ipv4Prefix.parse(parts[i].strip());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(IpOptions.TRANSPARENT.name() + " wants IPv4 prefixes such as "
                        + "0.0.0.0/0 or 198.51.100.0/24, comma-separated: " + text, e);
            }
        }
        return out;
    }

    private void deliver(NetInterface iface, PacketBuffer p, int deliveryClass, boolean broadcast) {
        int protocol = Ipv4Header.protocol(p);
        TransportProtocol transport = ctx.transportProtocol(protocol);
        if (transport == null) {
            inUnknownProtos.increment();
            sendIcmpErrorAbout(p, broadcast ? LinkLayer.BROADCAST : deliveryClass,
                    IcmpHeader.TYPE_DESTINATION_UNREACHABLE, IcmpHeader.CODE_PROTOCOL_UNREACHABLE, 0);
            p.release();
            return;
        }
        inDelivers.increment();
        int hl = Ipv4Header.headerLength(p);
        info.set(iface, p, deliveryClass, broadcast, hl);
        p.consume(hl);
        transport.receive(info, p);
    }

    // ---- forwarding (RFC 1812) ----

    private void forward(PacketBuffer p) {
        if (Ipv4Header.ttl(p) <= 1) {
            dropTtlExceeded.increment();
            sendIcmpErrorAbout(p, LinkLayer.UNICAST, IcmpHeader.TYPE_TIME_EXCEEDED, IcmpHeader.CODE_TTL_EXCEEDED, 0);
            p.release();
            return;
        }
        int dst = Ipv4Header.destination(p);
        Route r = routes.lookup(dst);
        if (r == null) {
            outNoRoutes.increment();
            sendIcmpErrorAbout(p, LinkLayer.UNICAST, IcmpHeader.TYPE_DESTINATION_UNREACHABLE,
                    IcmpHeader.CODE_NET_UNREACHABLE, 0);
            p.release();
            return;
        }
        if (p.length() > r.mtu() && Ipv4Header.dontFragment(p)) {
            fragFails.increment();
            sendIcmpErrorAbout(p, LinkLayer.UNICAST, IcmpHeader.TYPE_DESTINATION_UNREACHABLE,
                    IcmpHeader.CODE_FRAGMENTATION_NEEDED, r.mtu());
            p.release();
            return;
        }
        Ipv4Header.decrementTtl(p);
        forwDatagrams.increment();
        output(r, p, sentTo.of(dst));
    }

    // ---- ICMP errors ----

    @Override
    public void sendIcmpError(IpPacketInfo packetInfo, PacketBuffer payload, int type, int code) {
        IcmpErrorGate.aboutReceived(info, packetInfo, payload, info.headerLength, datagram -> sendIcmpErrorAbout(datagram,
                info.isBroadcastOrMulticast() ? LinkLayer.BROADCAST : info.deliveryClass(), type, code, 0));
    }

    /**
     * Sends an ICMP error about {@code datagram} (starting at its IP header; not owned), unless
     * RFC 1122 3.2.2 forbids it or the rate limit says no.
     *
     * @param parameter the next-hop MTU for "fragmentation needed", the pointer for "parameter problem"
     */
    void sendIcmpErrorAbout(PacketBuffer datagram, int deliveryClass, int type, int code, int parameter) {
        int src = Ipv4Header.source(datagram);
        int dst = Ipv4Header.destination(datagram);
        int hl = Ipv4Header.headerLength(datagram);
        boolean forbidden = deliveryClass != LinkLayer.UNICAST
                || dst == -1 || (dst >>> 28) == 0xE
                || src == 0 || src == -1 || (src >>> 28) == 0xE
                || Ipv4Header.fragmentOffset(datagram) != 0
                || (Ipv4Header.protocol(datagram) == IpProtocol.ICMP
                    && (datagram.length() < hl + 1 || IcmpHeader.isError(datagram.getU8(hl))));
        if (!icmpErrors.allows(forbidden, ctx.loop().now())) {
            return;
        }
        int quote = Math.min(datagram.length(), hl + 8);
        PacketBuffer b = ctx.buffers().acquire(IcmpHeader.HEADER_LENGTH + quote);
        b.append(IcmpHeader.HEADER_LENGTH);
        b.setU8(IcmpHeader.TYPE, type);
        b.setU8(IcmpHeader.CODE, code);
        b.setU16(IcmpHeader.CHECKSUM, 0);
        b.setI32(IcmpHeader.REST, type == IcmpHeader.TYPE_PARAMETER_PROBLEM ? parameter << 24 : parameter & 0xFFFF);
        b.append(datagram.array(), datagram.start(), quote);
        b.setU16(IcmpHeader.CHECKSUM, InternetChecksum.compute(b.array(), b.start(), b.length()));
        icmp.countErrorSent(type);
        // From the address the datagram was sent to if it was ours, else (as a router) from
        // our address towards its source.
        int from = isLocalAddress(dst) || isTransparent(dst) ? dst : 0;
        send(b, from, src, IpProtocol.ICMP, 0, 0, false);
    }

    /** The flyweight handed to transports: valid during one receive call. */
    static final class ReceivedInfo implements IpPacketInfo {
        private final AddressMemo sourceMemo = new AddressMemo();
        private final AddressMemo destinationMemo = new AddressMemo();
        private NetInterface iface;
        private int source;
        private int destination;
        private int ttl;
        private int tos;
        private int deliveryClass;
        private boolean broadcast;
        int headerLength;

        void set(NetInterface in, PacketBuffer p, int delivery, boolean isBroadcast, int hl) {
            iface = in;
            source = Ipv4Header.source(p);
            destination = Ipv4Header.destination(p);
            ttl = Ipv4Header.ttl(p);
            tos = Ipv4Header.tos(p);
            deliveryClass = delivery;
            broadcast = isBroadcast;
            headerLength = hl;
        }

        @Override
        public NetInterface inInterface() {
            return iface;
        }

        @Override
        public Ipv4Address source() {
            return sourceMemo.of(source);
        }

        @Override
        public Ipv4Address destination() {
            return destinationMemo.of(destination);
        }

        /** The source as an {@code int}, for ICMP inside this layer. */
        int sourceBits() {
            return source;
        }

        /** The destination as an {@code int}, for ICMP inside this layer. */
        int destinationBits() {
            return destination;
        }

        @Override
        public long pseudoHeaderSum(int protocol, int length) {
            return InternetChecksum.pseudoHeader(source, destination, protocol, length);
        }

        @Override
        public int ttl() {
            return ttl;
        }

        @Override
        public int tos() {
            return tos;
        }

        @Override
        public int deliveryClass() {
            return deliveryClass;
        }

        @Override
        public boolean isBroadcastOrMulticast() {
            return broadcast || (destination >>> 28) == 0xE;
        }
    }

    /**
     * The record of the address last asked for: packets of a flow carry the same addresses, so
     * handing records across the contracts costs an allocation only when the address changes,
     * not one per packet (independent of what escape analysis manages).
     */
    static final class AddressMemo {
        private Ipv4Address last = Ipv4Address.ANY;

        Ipv4Address of(int bits) {
            Ipv4Address a = last;
            if (a.bits() != bits) {
                last = a = new Ipv4Address(bits);
            }
            return a;
        }
    }
}
