package dev.tsunagu.ipv6;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.ip.PathMtuCache;
import dev.tsunagu.ip.fragment.FragmentOutput;
import dev.tsunagu.ip.icmp.IcmpErrorGate;
import dev.tsunagu.ipv6.fragment.Ipv6Fragmenter;
import dev.tsunagu.ipv6.fragment.Ipv6Reassembler;
import dev.tsunagu.ipv6.wire.ExtensionHeaders;
import dev.tsunagu.ipv6.wire.Icmpv6Header;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LinkLayer;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkProtocol;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stack.TransportProtocol;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPv6 (RFC 8200) for hosts, and forwarding when enabled.
 *
 * <p><b>Receiving</b> ({@link #receive}): the fixed header is checked, link padding trimmed,
 * impossible sources dropped (multicast; loopback or our own from outside, RFC 4291 2.5.3). A
 * packet for one of our preferred addresses or a group we are in (all-nodes, the
 * solicited-node groups of our addresses) has its extension headers walked
 * ({@link ExtensionHeaders}), is reassembled if it is a fragment and handed to the transport of
 * its upper-layer protocol, or answered with Parameter Problem "unrecognised next header".
 * Packets to a tentative address are dropped (RFC 4862 5.4). Every drop has a counter in the
 * {@code ipv6} group.
 *
 * <p><b>Sending</b> ({@link #send}): the route is looked up (our own addresses and {@code ::1}
 * through loopback), the source chosen per interface ({@link Ipv6Interface#sourceFor}), the
 * header prepended and the packet handed to the interface, whose IPv6 next hops the
 * {@link NeighborDiscovery} resolves; a packet above the path MTU is fragmented here, the
 * source, as only the source may (RFC 8200 4.5), unless the caller forbade it.
 *
 * <p><b>ICMPv6 errors</b> are generated here under RFC 4443 2.4 (e) and (f): never about an
 * ICMPv6 error or a Redirect, a packet to a multicast group or received as link multicast
 * (except Packet Too Big and Parameter Problem code 2 for an option whose action says so), or
 * one whose source is unspecified or multicast; at most what the token bucket allows; quoting as
 * much of the packet as fits in the minimum MTU.
 */
public final class Ipv6Layer implements Layer, NetworkProtocol, Ipv6Service {
    private static final Logger log = LoggerFactory.getLogger(Ipv6Layer.class);
    /** RFC 8201 5.3: a learned path MTU is forgotten after ten minutes, so an increase is noticed. */
    private static final long PMTU_EXPIRY_NANOS = 600_000_000_000L;
    /** Destinations whose path MTU is remembered at most (the entry learnt longest ago goes first). */
    private static final int PMTU_ENTRIES = 256;
    private static final Ipv6Prefix MULTICAST = Ipv6Prefix.parse("ff00::/8");
    private static final Ipv6Prefix LOOPBACK = Ipv6Prefix.parse("::1/128");

    private final StackContext ctx;
    private final Ipv6RoutingTable routes = new Ipv6RoutingTable();
    private final Ipv6Reassembler reassembler;
    private final Icmpv6Protocol icmp;
    private final NeighborDiscovery nd;
    private final IcmpErrorGate icmpErrors;
    private final boolean forwarding;
    /** Transparent mode's prefixes ({@link Ipv6Options#TRANSPARENT}); empty when off. */
    private final Ipv6Prefix[] transparent;
    int defaultHopLimit;
    private final Map<NetInterface, Ipv6Interface> interfaces = new LinkedHashMap<>();
    private final ReceivedInfo info = new ReceivedInfo();
    private final ExtensionHeaders.Walk walk = new ExtensionHeaders.Walk();
    private final ExtensionHeaders.Walk errorWalk = new ExtensionHeaders.Walk();
    private final PathMtuCache pathMtus;
    private NetInterface loopback;
    /**
     * Drawn from the stack's random generator at the first fragment, not at construction: the layer
     * is loaded into every stack, and a draw here would shift every later random choice (MACs,
     * ISNs, ports) of stacks that never use IPv6, so a seed would no longer give the run it gave.
     */
    private int nextFragmentId;
    private boolean fragmentIdDrawn;

    private final Counter inReceives;
    private final Counter inHdrErrors;
    private final Counter inAddrErrors;
    private final Counter inUnknownProtos;
    private final Counter inTruncatedPkts;
    private final Counter inDelivers;
    private final Counter inNoNextHeader;
    private final Counter outRequests;
    private final Counter outNoRoutes;
    private final Counter outDiscards;
    private final Counter forwDatagrams;
    private final Counter fragOks;
    private final Counter fragCreates;
    private final Counter dropBadVersion;
    private final Counter dropBadPayloadLength;
    private final Counter dropBadSource;
    private final Counter dropMulticast;
    private final Counter dropTentative;
    private final Counter dropOption;
    private final Counter dropParameterProblem;
    private final Counter dropHopLimitExceeded;
    private final Counter pathMtuLowered;
    private final Counter inTransparent;

    Ipv6Layer(StackContext ctx) {
        this.ctx = ctx;
        this.forwarding = ctx.option(Ipv6Options.FORWARDING);
        this.transparent = parsePrefixes(ctx.option(Ipv6Options.TRANSPARENT));
        this.defaultHopLimit = ctx.option(Ipv6Options.DEFAULT_HOP_LIMIT);
        this.pathMtus = new PathMtuCache(PMTU_ENTRIES, PMTU_EXPIRY_NANOS, Ipv6Header.MIN_MTU, () -> ctx.loop().now());
        CounterGroup c = ctx.counters("ipv6");
        inReceives = c.counter("InReceives", "packets received");
        inHdrErrors = c.counter("InHdrErrors", "packets dropped for header errors (extension headers included)");
        inAddrErrors = c.counter("InAddrErrors", "packets not for us (and not forwarded)");
        inUnknownProtos = c.counter("InUnknownProtos", "packets for an upper-layer protocol with no handler");
        inTruncatedPkts = c.counter("InTruncatedPkts", "packets whose extension headers run past their end");
        inDelivers = c.counter("InDelivers", "packets delivered to upper layers (ICMPv6 included)");
        inNoNextHeader = c.counter("InNoNextHeader", "packets ending in No Next Header (59), consumed");
        outRequests = c.counter("OutRequests", "packets sent by upper layers");
        outNoRoutes = c.counter("OutNoRoutes", "packets dropped for lack of a route or a source address");
        outDiscards = c.counter("OutDiscards", "packets dropped on output (above the path MTU, fragmenting forbidden)");
        forwDatagrams = c.counter("OutForwDatagrams", "packets forwarded");
        fragOks = c.counter("FragOKs", "packets fragmented");
        fragCreates = c.counter("FragCreates", "fragments created");
        dropBadVersion = c.counter("DropBadVersion", "version field not 6");
        dropBadPayloadLength = c.counter("DropBadPayloadLength", "payload length beyond the frame, or shorter than a header");
        dropBadSource = c.counter("DropBadSource", "impossible source: multicast, or loopback or ours from outside");
        dropMulticast = c.counter("DropMulticast", "packets to multicast groups we are not in");
        dropTentative = c.counter("DropTentative", "packets to an address still being checked by DAD (RFC 4862 5.4)");
        dropOption = c.counter("DropOption", "packets discarded by an unknown option's action bits");
        dropParameterProblem = c.counter("DropParameterProblem", "packets refused with Parameter Problem (routing type, options, next header)");
        dropHopLimitExceeded = c.counter("DropHopLimitExceeded", "packets to forward whose hop limit ran out");
        pathMtuLowered = c.counter("PathMtuLowered", "path MTUs lowered by a Packet Too Big (RFC 8201; TCP's checked first)");
        inTransparent = c.counter("InTransparent", "packets for other hosts taken in transparent mode");
        icmpErrors = new IcmpErrorGate(ctx.option(Ipv6Options.ICMP_ERROR_RATE), ctx.option(Ipv6Options.ICMP_ERROR_BURST),
                ctx.counters("icmpv6"), "errors not sent by RFC 4443 2.4 (e) (about errors, multicast, bad sources)",
                "errors not sent because of the rate limit (RFC 4443 2.4 (f))");
        reassembler = new Ipv6Reassembler(ctx.loop(), ctx.buffers(), c,
                ctx.option(Ipv6Options.REASSEMBLY_MAX_DATAGRAMS), ctx.option(Ipv6Options.REASSEMBLY_MAX_BYTES),
                ctx.option(Ipv6Options.REASSEMBLY_TIMEOUT).toNanos(), new Ipv6Reassembler.ErrorListener() {
                    @Override
                    public void parameterProblem(NetInterface iface, PacketBuffer fragment, int pointer) {
                        sendIcmpErrorAbout(fragment, LinkLayer.UNICAST, Icmpv6Header.TYPE_PARAMETER_PROBLEM,
                                ExtensionHeaders.CODE_ERRONEOUS_FIELD, pointer, false);
                    }

                    @Override
                    public void timedOut(NetInterface iface, PacketBuffer firstFragment) {
                        sendIcmpErrorAbout(firstFragment, LinkLayer.UNICAST, Icmpv6Header.TYPE_TIME_EXCEEDED,
                                Icmpv6Header.CODE_REASSEMBLY_TIME_EXCEEDED, 0, false);
                    }
                });
        Icmpv6Pinger pinger = new Icmpv6Pinger(this, ctx);
        nd = new NeighborDiscovery(this, ctx);
        icmp = new Icmpv6Protocol(this, ctx, pinger, nd);
        ctx.registerNetworkProtocol(EtherType.IPV6, this);
        ctx.registerTransportProtocol(IpProtocol.ICMPV6, icmp);
        ctx.registerIpService(this);
        ctx.publish(Ipv6Service.class, this);
        ctx.publish(dev.tsunagu.ip.icmp.Ipv6PingService.class, pinger);
    }

    @Override
    public void start() {
        ctx.linkLayer().registerNeighborResolver(nd);
        for (NetInterface iface : ctx.interfaces()) {
            if (iface.isLoopback()) {
                if (loopback == null) {
                    loopback = iface;
                    Ipv6Interface s = new Ipv6Interface(iface);
                    s.addresses.add(new Ipv6Interface.Address(LOOPBACK, false, Ipv6Interface.AddressState.PREFERRED));
                    interfaces.put(iface, s);
                    routes.add(new Ipv6Route(LOOPBACK, iface, Ipv6Address.LOOPBACK));
                }
                continue;
            }
            if (iface.ipv6Addresses().isEmpty()) {
                continue; // IPv4 only: this interface does not take part in IPv6 (see Ipv6Interface)
            }
            if (iface.mtu() < Ipv6Header.MIN_MTU) {
                log.warn("{}: {} has MTU {}, below IPv6's minimum of 1280: IPv6 stays off on it",
                        ctx.stackName(), iface.name(), iface.mtu());
                continue;
            }
            Ipv6Interface s = new Ipv6Interface(iface);
            interfaces.put(iface, s);
            Ipv6Address linkLocal = Ipv6Addresses.linkLocal(iface.macBits());
            nd.addAddress(s, new Ipv6Prefix(linkLocal, 64), false);
            routes.add(new Ipv6Route(Ipv6Addresses.LINK_LOCAL_PREFIX, iface, null));
            routes.add(new Ipv6Route(MULTICAST, iface, null));
            for (Ipv6Prefix p : iface.ipv6Addresses()) {
                if (s.find(p.address()) == null) {
                    nd.addAddress(s, p, false);
                }
                Ipv6Prefix onLink = new Ipv6Prefix(p.network(), p.length());
                if (p.length() < 128 && routes.find(onLink, Ipv6Address.ANY, iface) == null) {
                    routes.add(new Ipv6Route(onLink, iface, null));
                }
            }
        }
        ctx.defaultGateway(AddressFamily.IPV6).ifPresent(g -> {
            Ipv6Address gw = (Ipv6Address) g;
            Ipv6Route toGateway = routes.onLinkRouteTo(gw);
            if (toGateway == null) {
                throw new IllegalArgumentException("IPv6 gateway " + gw + " is not on a directly connected network");
            }
            routes.add(new Ipv6Route(Ipv6Prefix.parse("::/0"), gw, toGateway.iface(), 0, null, Long.MAX_VALUE));
        });
        // Interfaces come up after start: DAD (and its first solicitation) begins on the loop's next turn.
        ctx.loop().execute(nd::startDuplicateAddressDetection);
        log.debug("{}: IPv6 routes\n{}", ctx.stackName(), routes);
    }

    @Override
    public void close() {
        reassembler.clear();
        nd.close();
        icmp.close();
    }

    // ---- Ipv6Service ----

    @Override
    public Ipv6RoutingTable routes() {
        return routes;
    }

    @Override
    public Ipv6Interface interfaceState(NetInterface iface) {
        return interfaces.get(iface);
    }

    /** Completes when no address is tentative: DAD has found each unique or given it up (RFC 4862 5.4). */
    @Override
    public CompletableFuture<Void> addressesReady() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (ctx.loop().inEventLoop()) {
            nd.whenAddressesReady(f);
        } else {
            ctx.loop().execute(() -> nd.whenAddressesReady(f));
        }
        return f;
    }

    /** Neighbor Discovery (and through it MLD) of this layer; for the package's tests. */
    NeighborDiscovery neighborDiscovery() {
        return nd;
    }

    Iterable<Ipv6Interface> interfaceStates() {
        return interfaces.values();
    }

    @Override
    public List<Neighbors.Entry> neighbors() {
        return nd.cache().entries();
    }

    @Override
    public int reassemblyPackets() {
        return reassembler.packetsInProgress();
    }

    @Override
    public int reassemblyBytes() {
        return reassembler.bytesHeld();
    }

    /** The route to {@code destination}, or null: our own addresses go through loopback. */
    Ipv6Route route(Ipv6Address destination) {
        if (loopback != null && (destination.isLoopback() || isLocalAddress(destination))) {
            return new Ipv6Route(LOOPBACK, loopback, destination.isLoopback() ? Ipv6Address.LOOPBACK : destination);
        }
        Ipv6Route r = routes.lookup(destination);
        if (r != null && r.expiresAtNanos() < ctx.loop().now()) {
            // A route learned from a Router Advertisement whose lifetime ran out (RFC 4861 6.3.4).
            routes.removeIf(x -> x.expiresAtNanos() < ctx.loop().now());
            r = routes.lookup(destination);
        }
        return r;
    }

    private Ipv6Address sourceOf(Ipv6Route r, Ipv6Address destination) {
        if (r.source() != null) {
            return r.source();
        }
        Ipv6Interface s = interfaces.get(r.iface());
        return s == null ? null : s.sourceFor(destination);
    }

    @Override
    public AddressFamily family() {
        return AddressFamily.IPV6;
    }

    @Override
    public IpAddress sourceAddressFor(IpAddress destination) {
        Ipv6Address dst = v6(destination);
        Ipv6Route r = route(dst);
        return r == null ? null : sourceOf(r, dst);
    }

    @Override
    public boolean isLocalAddress(IpAddress address) {
        if (!(address instanceof Ipv6Address a)) {
            return false;
        }
        for (Ipv6Interface s : interfaces.values()) {
            if (s.hasPreferred(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int mtuFor(IpAddress destination) {
        Ipv6Address dst = v6(destination);
        Ipv6Route r = route(dst);
        return r == null ? 0 : pathMtus.mtu(dst, linkMtu(r));
    }

    @Override
    public Offloads offloadsFor(IpAddress destination) {
        Ipv6Route r = route(v6(destination));
        return r == null ? Offloads.NONE : r.iface().capabilities().offloads();
    }

    @Override
    public int pathMtu(Ipv6Address destination) {
        return mtuFor(destination);
    }

    private int linkMtu(Ipv6Route r) {
        Ipv6Interface s = interfaces.get(r.iface());
        return s == null ? r.iface().mtu() : s.linkMtu;
    }

    /**
     * A Packet Too Big message reported {@code mtu} towards {@code destination}: from ICMPv6 for
     * what quotes no TCP segment, from TCP once it has checked the quote (RFC 5927 4.1). Never
     * below 1280 (RFC 8201 4: the cache's floor). Taken if below what was learnt, whatever the
     * link's MTU now (a router advertisement may raise it later).
     */
    @Override
    public boolean learnPathMtu(IpAddress destination, int mtu) {
        Ipv6Address dst = v6(destination);
        int before = mtuFor(dst);
        pathMtus.lower(dst, mtu, Integer.MAX_VALUE);
        if (mtuFor(dst) >= before) {
            return false;
        }
        pathMtuLowered.increment();
        return true;
    }

    @Override
    public int headerLength() {
        return Ipv6Header.HEADER_LENGTH;
    }

    @Override
    public long pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int length) {
        return pseudoHeader(v6(source), v6(destination), protocol, length);
    }

    /** RFC 8200 8.1: source, destination, 32-bit upper-layer length, three zero bytes and the next header. */
    static long pseudoHeader(Ipv6Address source, Ipv6Address destination, int protocol, int length) {
        return destination.addToChecksum(source.addToChecksum(0)) + (length >>> 16) + (length & 0xFFFF) + protocol;
    }

    @Override
    public int send(PacketBuffer payload, IpAddress source, IpAddress destination, int protocol, int ttl, int tos,
                    boolean dontFragment) {
        Ipv6Address dst = v6(destination);
        Ipv6Route r = route(dst);
        Ipv6Address src = source != null ? v6(source) : r == null ? null : sourceOf(r, dst);
        if (r == null || src == null) {
            outNoRoutes.increment();
            payload.release();
            return NO_ROUTE;
        }
        outRequests.increment();
        Ipv6Header.prepend(payload, tos, 0, protocol, ttl > 0 ? ttl : defaultHopLimit, src, dst);
        return output(r, payload, dst, dontFragment);
    }

    /** Sends a packet built by Neighbor Discovery on {@code iface} itself, hop limit 255 (RFC 4861 6.1, 7.1). */
    void sendOnLink(NetInterface iface, PacketBuffer icmpMessage, Ipv6Address source, Ipv6Address destination) {
        Icmpv6Header.setChecksum(icmpMessage, source, destination);
        Ipv6Header.prepend(icmpMessage, 0, 0, IpProtocol.ICMPV6, 255, source, destination);
        iface.output(icmpMessage, EtherType.IPV6, destination);
    }

    private int output(Ipv6Route r, PacketBuffer packet, Ipv6Address destination, boolean dontFragment) {
        int mtu = pathMtus.mtu(destination, linkMtu(r));
        Ipv6Address nextHop = r.nextHop(destination);
        if (packet.length() <= mtu || packet.segmentSize() > 0) {
            // (A segment to be cut by the device: TCP sized its pieces to the path MTU.)
            r.iface().output(packet, EtherType.IPV6, nextHop);
            return SENT;
        }
        if (dontFragment) {
            outDiscards.increment();
            packet.release();
            return TOO_BIG;
        }
        if (!fragmentIdDrawn) {
            nextFragmentId = ctx.random().nextInt();
            fragmentIdDrawn = true;
        }
        FragmentOutput.send(packet, Ipv6Fragmenter.fragment(packet, mtu, nextFragmentId++, ctx.buffers()), r.iface(),
                EtherType.IPV6, nextHop, fragOks, fragCreates);
        return SENT;
    }

    @Override
    public void sendPortUnreachable(IpPacketInfo packetInfo, PacketBuffer payload) {
        sendIcmpError(packetInfo, payload, Icmpv6Header.TYPE_DESTINATION_UNREACHABLE, Icmpv6Header.CODE_PORT_UNREACHABLE);
    }

    /** An ICMPv6 error about the packet a transport is receiving (its payload and info from the same call). */
    void sendIcmpError(IpPacketInfo packetInfo, PacketBuffer payload, int type, int code) {
        IcmpErrorGate.aboutReceived(info, packetInfo, payload, info.headerLength,
                packet -> sendIcmpErrorAbout(packet, info.deliveryClass(), type, code, 0, false));
    }

    private static Ipv6Address v6(IpAddress a) {
        if (a instanceof Ipv6Address v6) {
            return v6;
        }
        throw new IllegalArgumentException("the IPv6 layer was given an " + a.family().displayName() + " address: " + a);
    }

    // ---- receiving ----

    @Override
    public void receive(NetInterface iface, PacketBuffer p, int deliveryClass) {
        inReceives.increment();
        Ipv6Header.Problem problem = Ipv6Header.check(p);
        if (problem != Ipv6Header.Problem.OK) {
            inHdrErrors.increment();
            switch (problem) {
                case TRUNCATED, BAD_PAYLOAD_LENGTH -> dropBadPayloadLength.increment();
                case BAD_VERSION -> dropBadVersion.increment();
                case OK -> throw new AssertionError();
            }
            p.release();
            return;
        }
        int total = Ipv6Header.HEADER_LENGTH + Ipv6Header.payloadLength(p);
        if (p.length() > total) {
            p.truncate(total); // Ethernet padding
        }
        Ipv6Interface s = interfaces.get(iface);
        if (s == null) {
            inAddrErrors.increment(); // IPv6 is off on this interface
            p.release();
            return;
        }
        Ipv6Address src = info.sourceMemo.of(Ipv6Header.sourceHigh(p), Ipv6Header.sourceLow(p));
        Ipv6Address dst = info.destinationMemo.of(Ipv6Header.destinationHigh(p), Ipv6Header.destinationLow(p));
        boolean fromOutside = !iface.isLoopback();
        if (src.isMulticast() || (fromOutside && (src.isLoopback() || dst.isLoopback() || isLocalAddress(src)))) {
            dropBadSource.increment();
            inAddrErrors.increment();
            p.release();
            return;
        }
        boolean multicast = dst.isMulticast();
        if (multicast) {
            if (!joined(s, dst)) {
                dropMulticast.increment();
                p.release();
                return;
            }
        } else if (!isLocalAddress(dst)) {
            Ipv6Interface.Address tentative = s.find(dst);
            if (tentative != null) {
                dropTentative.increment();
                inAddrErrors.increment();
                p.release();
                return;
            }
            if (fromOutside && isTransparent(dst)) {
                inTransparent.increment();
            } else {
                if (forwarding && deliveryClass == LinkLayer.UNICAST && fromOutside) {
                    forward(p);
                    return;
                }
                inAddrErrors.increment();
                p.release();
                return;
            }
        }
        deliver(iface, p, deliveryClass, multicast);
    }

    /**
     * Whether transparent mode takes {@code address} as ours: in one of its prefixes, and a
     * global or unique-local unicast address (never multicast, unspecified, loopback or link-local).
     */
    private boolean isTransparent(Ipv6Address address) {
        if (transparent.length == 0 || address.isMulticast() || address.isAny() || address.isLoopback()
                || (address.high() >>> 54) == 0x3FA) { // fe80::/10
            return false;
        }
        for (Ipv6Prefix p : transparent) {
            if (p.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Ipv6Prefix[] parsePrefixes(String text) {
        if (text.isBlank()) {
            return new Ipv6Prefix[0];
        }
        String[] parts = text.split(",");
        Ipv6Prefix[] out = new Ipv6Prefix[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Ipv6Prefix.parse(parts[i].strip());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(Ipv6Options.TRANSPARENT.name() + " wants IPv6 prefixes such as ::/0 "
                        + "or 2001:db8::/32, comma-separated: " + text, e);
            }
        }
        return out;
    }

    /** The groups a host is in (RFC 4291 2.8): all-nodes, and the solicited-node groups of its addresses. */
    private boolean joined(Ipv6Interface s, Ipv6Address group) {
        return group.equals(Ipv6Addresses.ALL_NODES) || s.joinedSolicitedNode(group)
                || (forwarding && group.equals(Ipv6Addresses.ALL_ROUTERS));
    }

    private void deliver(NetInterface iface, PacketBuffer p, int deliveryClass, boolean multicast) {
        while (true) {
            switch (ExtensionHeaders.walk(p, multicast, walk)) {
                case UPPER_LAYER -> {
                    TransportProtocol transport = ctx.transportProtocol(walk.protocol);
                    if (transport == null) {
                        inUnknownProtos.increment();
                        // RFC 8200 4: an unrecognised Next Header is answered with code 1 pointing at it.
                        sendIcmpErrorAbout(p, multicast ? LinkLayer.MULTICAST : deliveryClass,
                                Icmpv6Header.TYPE_PARAMETER_PROBLEM, ExtensionHeaders.CODE_UNRECOGNIZED_NEXT_HEADER,
                                walk.nextHeaderAt, false);
                        p.release();
                        return;
                    }
                    inDelivers.increment();
                    int offset = walk.offset;
                    info.set(iface, p, deliveryClass, multicast, offset);
                    p.consume(offset);
                    transport.receive(info, p);
                    return;
                }
                case FRAGMENT -> {
                    p = reassembler.offer(iface, p, walk.offset, walk.nextHeaderAt);
                    if (p == null) {
                        return;
                    }
                    // Walk the reassembled packet from the start: its headers are those of the first fragment.
                }
                case NO_NEXT_HEADER -> {
                    inNoNextHeader.increment();
                    p.release();
                    return;
                }
                case TRUNCATED -> {
                    inHdrErrors.increment();
                    inTruncatedPkts.increment();
                    p.release();
                    return;
                }
                case DISCARD -> {
                    inHdrErrors.increment();
                    dropOption.increment();
                    p.release();
                    return;
                }
                case PARAMETER_PROBLEM -> {
                    inHdrErrors.increment();
                    dropParameterProblem.increment();
                    sendIcmpErrorAbout(p, multicast ? LinkLayer.MULTICAST : deliveryClass,
                            Icmpv6Header.TYPE_PARAMETER_PROBLEM, walk.code, walk.pointer, walk.reportEvenIfMulticast);
                    p.release();
                    return;
                }
            }
        }
    }

    // ---- forwarding (a router's part of RFC 8200: hop limit, no fragmenting, Packet Too Big) ----

    private void forward(PacketBuffer p) {
        if (Ipv6Header.hopLimit(p) <= 1) {
            dropHopLimitExceeded.increment();
            sendIcmpErrorAbout(p, LinkLayer.UNICAST, Icmpv6Header.TYPE_TIME_EXCEEDED,
                    Icmpv6Header.CODE_HOP_LIMIT_EXCEEDED, 0, false);
            p.release();
            return;
        }
        Ipv6Address dst = Ipv6Header.destination(p);
        Ipv6Route r = routes.lookup(dst);
        if (r == null || Ipv6Addresses.isLinkLocal(dst) || Ipv6Addresses.isLinkLocal(Ipv6Header.source(p))) {
            outNoRoutes.increment();
            sendIcmpErrorAbout(p, LinkLayer.UNICAST, Icmpv6Header.TYPE_DESTINATION_UNREACHABLE,
                    r == null ? Icmpv6Header.CODE_NO_ROUTE : Icmpv6Header.CODE_BEYOND_SCOPE, 0, false);
            p.release();
            return;
        }
        int mtu = linkMtu(r);
        if (p.length() > mtu) {
            outDiscards.increment();
            sendIcmpErrorAbout(p, LinkLayer.UNICAST, Icmpv6Header.TYPE_PACKET_TOO_BIG, 0, mtu, false);
            p.release();
            return;
        }
        Ipv6Header.decrementHopLimit(p);
        forwDatagrams.increment();
        r.iface().output(p, EtherType.IPV6, r.nextHop(dst));
    }

    // ---- ICMPv6 errors ----

    /**
     * Sends an ICMPv6 error about {@code packet} (at its IPv6 header; not owned) unless RFC 4443
     * 2.4 (e) forbids it or the rate limit says no.
     *
     * @param parameter the MTU for Packet Too Big, the pointer for Parameter Problem
     * @param evenIfMulticast a Parameter Problem code 2 that 2.4 (e.3) allows about multicast packets
     */
    void sendIcmpErrorAbout(PacketBuffer packet, int deliveryClass, int type, int code, int parameter,
                            boolean evenIfMulticast) {
        Ipv6Address src = Ipv6Header.source(packet);
        Ipv6Address dst = Ipv6Header.destination(packet);
        boolean exempt = type == Icmpv6Header.TYPE_PACKET_TOO_BIG || evenIfMulticast;
        boolean forbidden = (!exempt && (deliveryClass != LinkLayer.UNICAST || dst.isMulticast()))
                || src.isAny() || src.isMulticast()
                || isIcmpErrorOrRedirect(packet);
        if (!icmpErrors.allows(forbidden, ctx.loop().now())) {
            return;
        }
        Ipv6Address from = isLocalAddress(dst) || isTransparent(dst) ? dst : (Ipv6Address) sourceAddressFor(src);
        if (from == null) {
            outNoRoutes.increment();
            return;
        }
        // RFC 4443 2.4 (c): as much of the packet as fits without exceeding the minimum MTU.
        int quote = Math.min(packet.length(), Ipv6Header.MIN_MTU - Ipv6Header.HEADER_LENGTH - Icmpv6Header.HEADER_LENGTH);
        PacketBuffer b = ctx.buffers().acquire(Icmpv6Header.HEADER_LENGTH + quote);
        b.append(Icmpv6Header.HEADER_LENGTH);
        b.setU8(Icmpv6Header.TYPE, type);
        b.setU8(Icmpv6Header.CODE, code);
        b.setI32(Icmpv6Header.BODY, parameter);
        b.append(packet.array(), packet.start(), quote);
        Icmpv6Header.setChecksum(b, from, src);
        icmp.countErrorSent(type);
        send(b, from, src, IpProtocol.ICMPV6, 0, 0, false);
    }

    /** Whether the packet carries an ICMPv6 error or a Redirect (RFC 4443 2.4 (e.1), (e.2)). */
    private boolean isIcmpErrorOrRedirect(PacketBuffer packet) {
        if (ExtensionHeaders.locate(packet, errorWalk) != ExtensionHeaders.Status.UPPER_LAYER
                || errorWalk.protocol != IpProtocol.ICMPV6) {
            return false;
        }
        if (packet.length() <= errorWalk.offset) {
            return true; // too short to tell: err on the side of silence
        }
        int type = packet.getU8(errorWalk.offset);
        return Icmpv6Header.isError(type) || type == Icmpv6Header.TYPE_REDIRECT;
    }

    /** The flyweight handed to transports: valid during one receive call. */
    static final class ReceivedInfo implements IpPacketInfo {
        final AddressMemo sourceMemo = new AddressMemo();
        final AddressMemo destinationMemo = new AddressMemo();
        private NetInterface iface;
        private Ipv6Address source;
        private Ipv6Address destination;
        private int hopLimit;
        private int trafficClass;
        private int deliveryClass;
        private boolean multicast;
        int headerLength;

        void set(NetInterface in, PacketBuffer p, int delivery, boolean isMulticast, int hl) {
            iface = in;
            source = sourceMemo.of(Ipv6Header.sourceHigh(p), Ipv6Header.sourceLow(p));
            destination = destinationMemo.of(Ipv6Header.destinationHigh(p), Ipv6Header.destinationLow(p));
            hopLimit = Ipv6Header.hopLimit(p);
            trafficClass = Ipv6Header.trafficClass(p);
            deliveryClass = delivery;
            multicast = isMulticast;
            headerLength = hl;
        }

        @Override
        public NetInterface inInterface() {
            return iface;
        }

        @Override
        public Ipv6Address source() {
            return source;
        }

        @Override
        public Ipv6Address destination() {
            return destination;
        }

        @Override
        public long pseudoHeaderSum(int protocol, int length) {
            return pseudoHeader(source, destination, protocol, length);
        }

        @Override
        public int ttl() {
            return hopLimit;
        }

        @Override
        public int tos() {
            return trafficClass;
        }

        @Override
        public int deliveryClass() {
            return deliveryClass;
        }

        @Override
        public boolean isBroadcastOrMulticast() {
            return multicast;
        }
    }

    /** The record of the address last seen: packets of a flow carry the same addresses, so a new record is rare. */
    static final class AddressMemo {
        private Ipv6Address last = Ipv6Address.ANY;

        Ipv6Address of(long high, long low) {
            Ipv6Address a = last;
            if (a.high() != high || a.low() != low) {
                last = a = new Ipv6Address(high, low);
            }
            return a;
        }
    }
}
