package dev.tsunagu.link;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.arp.ArpOptions;
import dev.tsunagu.link.arp.ArpPacket;
import dev.tsunagu.link.arp.ArpRepr;
import dev.tsunagu.link.arp.NeighborCache;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv4Prefix;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LinkLayer;
import dev.tsunagu.stack.NeighborResolver;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkProtocol;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ethernet II framing and ARP: the stack's link layer.
 *
 * <p>Next hops are resolved by the {@link NeighborResolver} of their address family: ARP's
 * for IPv4 is built in; another family (IPv6's Neighbor Discovery) registers its own, and until
 * one does its packets are counted ({@code DropNoResolver}) and dropped.
 *
 * <p>Receiving, a frame is checked (long enough, Ethernet II not 802.3, for us or broadcast or
 * multicast, from a unicast source), stripped of its header and handed to the protocol that
 * claimed its EtherType; everything else is counted under its reason and dropped. Sending, the
 * next hop is resolved through the {@link NeighborCache} (the packet waits, bounded, while ARP
 * asks), the header is prepended into the buffer's headroom and the frame goes to the driver.
 *
 * <p>ARP follows RFC 826's packet reception algorithm: the sender's mapping is merged into an
 * existing entry, a new entry is made only when the request or reply is addressed to one of
 * our addresses, and only requests for our own addresses are answered. When an interface
 * comes up it announces each of its addresses with a gratuitous ARP request.
 */
public final class EthernetLinkLayer implements Layer, LinkLayer {
    private static final Logger log = LoggerFactory.getLogger(EthernetLinkLayer.class);

    private final StackContext ctx;
    private final NeighborCache neighbors;
    private final ArpProtocol arp = new ArpProtocol();
    /** The neighbour resolver of each address family, by {@link AddressFamily#ordinal()}. */
    private final NeighborResolver[] resolvers = new NeighborResolver[AddressFamily.values().length];

    // ethernet counters
    private final Counter inFrames;
    private final Counter inBroadcast;
    private final Counter inMulticast;
    private final Counter outFrames;
    private final Counter dropTruncated;
    private final Counter dropNotEthernetII;
    private final Counter dropOtherHost;
    private final Counter dropBadSource;
    private final Counter dropUnknownEtherType;
    private final Counter dropNoResolver;

    // arp counters
    private final Counter arpInRequests;
    private final Counter arpInReplies;
    private final Counter arpOutRequests;
    private final Counter arpOutReplies;
    private final Counter arpGratuitous;
    private final Counter arpDropTruncated;
    private final Counter arpDropBadFormat;
    private final Counter arpDropBadOperation;
    private final Counter arpDropBadSender;
    private final Counter arpNotForUs;
    private final Counter arpConflicts;

    public EthernetLinkLayer(StackContext ctx) {
        this.ctx = ctx;
        CounterGroup eth = ctx.counters("ethernet");
        inFrames = eth.counter("InFrames", "frames accepted and passed up");
        inBroadcast = eth.counter("InBroadcast", "accepted frames sent to the broadcast address");
        inMulticast = eth.counter("InMulticast", "accepted frames sent to a multicast address");
        outFrames = eth.counter("OutFrames", "frames built and handed to an interface");
        dropTruncated = eth.counter("DropTruncated", "frames shorter than an Ethernet header");
        dropNotEthernetII = eth.counter("DropNotEthernetII", "802.3 length-field frames (LLC), not Ethernet II");
        dropOtherHost = eth.counter("DropOtherHost", "unicast frames for another MAC");
        dropBadSource = eth.counter("DropBadSource", "frames whose source MAC is a group address");
        dropUnknownEtherType = eth.counter("DropUnknownEtherType", "frames of an EtherType no layer handles");
        dropNoResolver = eth.counter("DropNoResolver", "packets to a next hop of a family with no neighbour resolver");

        CounterGroup a = ctx.counters("arp");
        arpInRequests = a.counter("InRequests", "ARP requests received");
        arpInReplies = a.counter("InReplies", "ARP replies received");
        arpOutRequests = a.counter("OutRequests", "ARP requests sent (gratuitous ones included)");
        arpOutReplies = a.counter("OutReplies", "ARP replies sent");
        arpGratuitous = a.counter("OutGratuitous", "gratuitous ARP announcements sent");
        arpDropTruncated = a.counter("DropTruncated", "ARP packets shorter than 28 bytes");
        arpDropBadFormat = a.counter("DropBadFormat", "ARP packets not for Ethernet/IPv4 (types or lengths)");
        arpDropBadOperation = a.counter("DropBadOperation", "ARP packets neither request nor reply");
        arpDropBadSender = a.counter("DropBadSender", "ARP packets with a group or own sender MAC");
        arpNotForUs = a.counter("NotForUs", "ARP requests for addresses that are not ours (not answered)");
        arpConflicts = a.counter("AddressConflicts", "ARP packets from another host claiming our address");

        neighbors = new NeighborCache(ctx.loop(), a, this::sendRequest, this::emit,
                ctx.option(ArpOptions.CACHE_TIMEOUT).toNanos(),
                ctx.option(ArpOptions.REQUEST_INTERVAL).toNanos(),
                ctx.option(ArpOptions.MAX_REQUESTS),
                ctx.option(ArpOptions.CACHE_SIZE),
                ctx.option(ArpOptions.QUEUE_PER_ENTRY),
                ctx.option(ArpOptions.QUEUE_TOTAL));
        ctx.setLinkLayer(this);
        ctx.registerNetworkProtocol(EtherType.ARP, arp);
        ctx.publish(Neighbors.class, neighbors);
        registerNeighborResolver(new Ipv4Resolver());
    }

    public NeighborCache neighbors() {
        return neighbors;
    }

    @Override
    public void attach(NetInterface iface) {
        // Nothing per interface yet: the neighbour cache keys entries by interface index.
    }

    @Override
    public void linkStateChanged(NetInterface iface, boolean up) {
        if (!up) {
            for (NeighborResolver r : resolvers) {
                if (r != null) {
                    r.flush(iface);
                }
            }
            return;
        }
        if (!iface.needsAddressResolution()) {
            return;
        }
        for (Ipv4Prefix p : iface.addresses()) {
            // Gratuitous ARP: a request for our own address, so peers refresh stale entries.
            int ip = p.address().bits();
            sendArp(iface, ArpRepr.request(iface.macBits(), ip, ip), MacAddress.BROADCAST.bits());
            arpGratuitous.increment();
        }
    }

    @Override
    public void input(NetInterface iface, PacketBuffer frame) {
        if (!EthernetFrame.isValid(frame)) {
            dropTruncated.increment();
            frame.release();
            return;
        }
        long dst = EthernetFrame.destination(frame);
        long src = EthernetFrame.source(frame);
        int type = EthernetFrame.etherType(frame);
        if (type < EtherType.MIN_ETHERTYPE) {
            dropNotEthernetII.increment();
            frame.release();
            return;
        }
        int delivery;
        if (!iface.needsAddressResolution() || dst == iface.macBits()) {
            delivery = UNICAST;
        } else if (dst == MacAddress.BROADCAST.bits()) {
            delivery = BROADCAST;
            inBroadcast.increment();
        } else if (MacAddress.isMulticast(dst)) {
            delivery = MULTICAST;
            inMulticast.increment();
        } else {
            dropOtherHost.increment();
            frame.release();
            return;
        }
        if (MacAddress.isMulticast(src) && iface.needsAddressResolution()) {
            dropBadSource.increment();
            frame.release();
            return;
        }
        NetworkProtocol protocol = ctx.networkProtocol(type);
        if (protocol == null) {
            dropUnknownEtherType.increment();
            frame.release();
            return;
        }
        inFrames.increment();
        frame.consume(EthernetFrame.HEADER_LENGTH);
        protocol.receive(iface, frame, delivery);
    }

    @Override
    public void output(NetInterface iface, PacketBuffer packet, int etherType, IpAddress nextHop) {
        if (!iface.needsAddressResolution()) {
            emit(iface, packet, etherType, 0);
            return;
        }
        NeighborResolver resolver = resolvers[nextHop.family().ordinal()];
        if (resolver == null) {
            dropNoResolver.increment();
            packet.release();
            return;
        }
        resolver.send(iface, packet, etherType, nextHop);
    }

    @Override
    public void transmit(NetInterface iface, PacketBuffer packet, int etherType, long linkAddress) {
        emit(iface, packet, etherType, linkAddress);
    }

    @Override
    public void registerNeighborResolver(NeighborResolver resolver) {
        int i = resolver.family().ordinal();
        if (resolvers[i] != null) {
            throw new IllegalStateException(resolver.family().displayName() + " has two neighbour resolvers");
        }
        resolvers[i] = resolver;
    }

    /** IPv4's resolver: broadcast and multicast next hops map to a MAC directly, unicast ones go through ARP. */
    private final class Ipv4Resolver implements NeighborResolver {
        @Override
        public AddressFamily family() {
            return AddressFamily.IPV4;
        }

        @Override
        public void send(NetInterface iface, PacketBuffer packet, int etherType, IpAddress nextHop) {
            int ip = ((Ipv4Address) nextHop).bits();
            if (ip == -1 || iface.isDirectedBroadcast(ip)) {
                emit(iface, packet, etherType, MacAddress.BROADCAST.bits());
            } else if ((ip >>> 28) == 0xE) {
                // RFC 1112 6.4: 01:00:5e followed by the low 23 bits of the group address.
                emit(iface, packet, etherType, 0x0100_5E00_0000L | (ip & 0x7F_FFFF));
            } else {
                neighbors.send(iface, packet, etherType, ip);
            }
        }

        @Override
        public void flush(NetInterface iface) {
            neighbors.flush(iface);
        }
    }

    /** Prepends the Ethernet header and hands the frame to the interface. */
    private void emit(NetInterface iface, PacketBuffer packet, int etherType, long dstMac) {
        EthernetFrame.prepend(packet, dstMac, iface.macBits(), etherType);
        outFrames.increment();
        iface.transmit(packet);
    }

    private void sendRequest(NetInterface iface, int targetIp) {
        Ipv4Prefix own = sourceFor(iface, targetIp);
        int senderIp = own == null ? 0 : own.address().bits();
        sendArp(iface, ArpRepr.request(iface.macBits(), senderIp, targetIp), MacAddress.BROADCAST.bits());
    }

    /** The interface address on the target's subnet, else the first one. */
    private static Ipv4Prefix sourceFor(NetInterface iface, int target) {
        Ipv4Prefix first = null;
        for (Ipv4Prefix p : iface.addresses()) {
            if (p.contains(target)) {
                return p;
            }
            if (first == null) {
                first = p;
            }
        }
        return first;
    }

    private void sendArp(NetInterface iface, ArpRepr repr, long dstMac) {
        PacketBuffer b = ctx.buffers().acquire(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        repr.emit(b);
        if (repr.isRequest()) {
            arpOutRequests.increment();
        } else {
            arpOutReplies.increment();
        }
        emit(iface, b, EtherType.ARP, dstMac);
    }

    /** ARP as the network protocol for EtherType 0x0806. */
    private final class ArpProtocol implements NetworkProtocol {
        @Override
        public void receive(NetInterface iface, PacketBuffer packet, int deliveryClass) {
            try {
                handle(iface, packet);
            } finally {
                packet.release();
            }
        }

        private void handle(NetInterface iface, PacketBuffer packet) {
            ArpRepr arpRepr;
            switch (ArpRepr.parse(packet)) {
                case ArpRepr.Rejected r -> {
                    switch (r.error()) {
                        case TRUNCATED -> arpDropTruncated.increment();
                        case BAD_FORMAT -> arpDropBadFormat.increment();
                        case BAD_OPERATION -> arpDropBadOperation.increment();
                    }
                    return;
                }
                case ArpRepr.Parsed p -> arpRepr = p.repr();
            }
            if (arpRepr.isRequest()) {
                arpInRequests.increment();
            } else {
                arpInReplies.increment();
            }
            long sha = arpRepr.senderMac();
            if (MacAddress.isMulticast(sha) || sha == 0 || sha == iface.macBits()) {
                arpDropBadSender.increment();
                return;
            }
            int spa = arpRepr.senderIp();
            if (iface.hasAddress(spa)) {
                arpConflicts.increment();
                log.warn("{}: {} claims our address {}", iface.name(), MacAddress.format(sha), Ipv4Address.format(spa));
                return;
            }
            boolean forUs = iface.hasAddress(arpRepr.targetIp());
            // RFC 826: merge into an existing entry; add one only if the packet is for us. An
            // ARP probe (sender 0.0.0.0, RFC 5227) teaches nothing.
            if (spa != 0) {
                neighbors.learn(iface, spa, sha, forUs);
            }
            if (!arpRepr.isRequest()) {
                return;
            }
            if (!forUs) {
                arpNotForUs.increment();
                return;
            }
            sendArp(iface, ArpRepr.reply(iface.macBits(), arpRepr.targetIp(), sha, spa), sha);
        }
    }

    @Override
    public void close() {
        neighbors.clear();
    }
}
