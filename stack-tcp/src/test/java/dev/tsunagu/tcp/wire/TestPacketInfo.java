package dev.tsunagu.tcp.wire;

import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.NetInterface;

/**
 * An {@link IpPacketInfo} for tests that stand in for a network layer: a unicast datagram
 * between two addresses of either family, with the pseudo-header each family's RFC defines.
 */
public record TestPacketInfo(IpAddress source, IpAddress destination, NetInterface inInterface)
        implements IpPacketInfo {

    /**
     * RFC 9293 3.1 for IPv4 (a 16-bit TCP length), RFC 8200 8.1 for IPv6 (a 32-bit
     * upper-layer length, three zero bytes, the next header).
     */
    public static long pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int length) {
        long sum = destination.addToChecksum(source.addToChecksum(0)) + protocol;
        return source.family() == AddressFamily.IPV4 ? sum + length : sum + (length >>> 16) + (length & 0xFFFF);
    }

    @Override
    public long pseudoHeaderSum(int protocol, int length) {
        return pseudoHeaderSum(source, destination, protocol, length);
    }

    @Override
    public int ttl() {
        return 64;
    }

    @Override
    public int tos() {
        return 0;
    }

    @Override
    public int deliveryClass() {
        return 0;
    }

    @Override
    public boolean isBroadcastOrMulticast() {
        return false;
    }
}
