package dev.tsunagu.link.iponly;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LinkLayer;
import dev.tsunagu.stack.NeighborResolver;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkProtocol;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;

/**
 * The link layer of IP-only media ({@link DriverCapabilities#isIpOnly}: a Linux TUN device, a
 * point-to-point link): a frame is a bare IPv4 or IPv6 packet, so there is no header to add
 * or strip, no link address, and nothing to resolve: no ARP, no Neighbor Discovery's address
 * resolution. The stack gives it to each interface whose driver announces such a medium; the
 * main (Ethernet) link layer keeps every other one.
 *
 * <p>Receiving, the packet's version field says which network protocol takes it, as the
 * kernel's TUN driver decides for {@code IFF_NO_PI} (4: IPv4, 6: IPv6); anything else, or a
 * version no layer of this stack handles, is counted and dropped. Every packet is handed up
 * as {@link LinkLayer#UNICAST}: a point-to-point medium has no link broadcast, and the IP
 * layers judge broadcast and multicast destinations by their addresses. Sending, the packet
 * goes to the driver as it is, whatever the next hop: on a point-to-point link every next
 * hop is the other end.
 */
public final class IpOnlyLinkLayer implements Layer, LinkLayer {
    /** IP version 4 and 6, the high nibble of a packet's first byte. */
    private static final int VERSION_4 = 4;
    private static final int VERSION_6 = 6;

    private final StackContext ctx;
    private final Counter inPackets;
    private final Counter outPackets;
    private final Counter dropEmpty;
    private final Counter dropUnknownVersion;
    private final Counter dropNoLayer;

    public IpOnlyLinkLayer(StackContext ctx) {
        this.ctx = ctx;
        CounterGroup g = ctx.counters("iplink");
        inPackets = g.counter("InPackets", "packets from IP-only interfaces passed up");
        outPackets = g.counter("OutPackets", "packets handed to IP-only interfaces");
        dropEmpty = g.counter("DropEmpty", "empty frames on an IP-only interface");
        dropUnknownVersion = g.counter("DropUnknownVersion", "frames whose version field is neither 4 nor 6");
        dropNoLayer = g.counter("DropNoLayer", "packets of an IP version this stack has no layer for");
        ctx.addLinkLayer(this);
    }

    @Override
    public boolean carries(DriverCapabilities capabilities) {
        return capabilities.isIpOnly();
    }

    @Override
    public void attach(NetInterface iface) {
        // Nothing per interface: there is no link state to keep.
    }

    @Override
    public void linkStateChanged(NetInterface iface, boolean up) {
        // Nothing to announce (no gratuitous ARP) and nothing cached to flush.
    }

    @Override
    public void input(NetInterface iface, PacketBuffer frame) {
        if (frame.length() == 0) {
            dropEmpty.increment();
            frame.release();
            return;
        }
        int etherType = switch (frame.getU8(0) >>> 4) {
            case VERSION_4 -> EtherType.IPV4;
            case VERSION_6 -> EtherType.IPV6;
            default -> -1;
        };
        if (etherType < 0) {
            dropUnknownVersion.increment();
            frame.release();
            return;
        }
        NetworkProtocol protocol = ctx.networkProtocol(etherType);
        if (protocol == null) {
            dropNoLayer.increment();
            frame.release();
            return;
        }
        inPackets.increment();
        protocol.receive(iface, frame, UNICAST);
    }

    @Override
    public void output(NetInterface iface, PacketBuffer packet, int etherType, IpAddress nextHop) {
        outPackets.increment();
        iface.transmit(packet);
    }

    @Override
    public void transmit(NetInterface iface, PacketBuffer packet, int etherType, long linkAddress) {
        outPackets.increment();
        iface.transmit(packet);
    }

    /**
     * Keeps nothing: resolvers register with the main link layer ({@link StackContext#linkLayer}),
     * and an IP-only medium never asks one.
     */
    @Override
    public void registerNeighborResolver(NeighborResolver resolver) {}

    @Override
    public void close() {}
}
