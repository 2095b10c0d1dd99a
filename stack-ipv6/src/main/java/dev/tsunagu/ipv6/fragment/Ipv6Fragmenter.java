package dev.tsunagu.ipv6.fragment;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ipv6.wire.ExtensionHeaders;
import dev.tsunagu.ipv6.wire.FragmentHeader;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import java.util.ArrayList;
import java.util.List;

/**
 * Source fragmentation (RFC 8200 section 4.5): in IPv6 only the source fragments, so a packet
 * we originate that exceeds the path MTU is cut into fragments that each fit, every one the
 * fixed header followed by a Fragment header and a piece of the original payload, pieces a
 * multiple of 8 bytes except the last. The packets we originate carry no extension headers, so
 * the unfragmentable part is the fixed header alone.
 */
public final class Ipv6Fragmenter {
    private Ipv6Fragmenter() {}

    /**
     * The fragments of {@code packet} (at its IPv6 header, no extension headers; not released)
     * for a link of {@code mtu} bytes, with {@code identification}.
     *
     * @throws IllegalArgumentException if the MTU is below IPv6's minimum of 1280
     */
    public static List<PacketBuffer> fragment(PacketBuffer packet, int mtu, int identification, BufferPool pool) {
        if (mtu < Ipv6Header.MIN_MTU) {
            throw new IllegalArgumentException("IPv6 needs an MTU of at least 1280, not " + mtu);
        }
        int headers = Ipv6Header.HEADER_LENGTH + FragmentHeader.LENGTH;
        int piece = (mtu - headers) & ~7;
        int nextHeader = Ipv6Header.nextHeader(packet);
        int payload = packet.length() - Ipv6Header.HEADER_LENGTH;
        List<PacketBuffer> out = new ArrayList<>(payload / piece + 1);
        for (int offset = 0; offset < payload; offset += piece) {
            int len = Math.min(piece, payload - offset);
            PacketBuffer f = pool.acquire(headers + len);
            f.append(packet.array(), packet.start(), Ipv6Header.HEADER_LENGTH);
            f.append(FragmentHeader.LENGTH);
            f.append(packet.array(), packet.start() + Ipv6Header.HEADER_LENGTH + offset, len);
            f.setU8(Ipv6Header.NEXT_HEADER, ExtensionHeaders.FRAGMENT);
            Ipv6Header.setPayloadLength(f, FragmentHeader.LENGTH + len);
            FragmentHeader.write(f, Ipv6Header.HEADER_LENGTH, nextHeader, offset, offset + len < payload, identification);
            out.add(f);
        }
        return out;
    }
}
