package dev.tsunagu.ip.fragment;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.Ipv4Header;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 fragmentation (RFC 791 section 3.2, "An Example Fragmentation Procedure").
 *
 * <p>The first fragment carries the datagram's header as it is, options and all; every later
 * fragment carries only the options whose copy flag (the type's high bit) is set, such as
 * security and source routes, padded with end-of-list bytes to a 4-byte boundary. Each
 * fragment's data is a multiple of 8 bytes except the last one's. A datagram that is itself a
 * fragment (a router fragmenting again) keeps its offset as the base and passes its MF flag to
 * the last piece, so the pieces reassemble with their siblings at the destination.
 */
public final class Fragmenter {
    /** RFC 791: every internet module must be able to forward a 68-byte datagram without fragmenting it. */
    public static final int MIN_MTU = 68;

    private static final int OPT_END = 0;
    private static final int OPT_NOP = 1;
    private static final int OPT_COPIED = 0x80;
    private static final int FLAGS_KEPT = 0x8000; // the reserved bit; DF is refused, MF and offset are rewritten

    private Fragmenter() {}

    /**
     * Splits a whole datagram (starting at its 20+ byte IP header, with its checksum) into
     * fragments for {@code mtu}: each fragment is a new pooled buffer with the pool's headroom;
     * the header is copied (options with the copy flag set go into every fragment, others only
     * into the first), the data length is a multiple of 8 except in the last fragment, MF and the
     * offset are set and each checksum is recomputed. An already-fragmented datagram (MF or
     * offset) keeps its offset base and the last piece keeps the original MF. A datagram that
     * already fits is returned as a single copy. Does not take ownership of {@code datagram}.
     *
     * <p>Options are walked as RFC 791 lays them out (end of list, no-operation, and
     * type-length-value); a malformed option ends the walk, and nothing after it is copied into
     * the later fragments.
     *
     * @throws IllegalArgumentException if DF is set, {@code mtu < 68}, or the header's lengths
     *                                  do not fit the buffer
     */
    public static List<PacketBuffer> fragment(PacketBuffer datagram, int mtu, BufferPool pool) {
        if (mtu < MIN_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " is below the IPv4 minimum of " + MIN_MTU);
        }
        if (datagram.length() < Ipv4Header.MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException("not an IPv4 datagram: " + datagram.length() + " bytes");
        }
        int hlen = Ipv4Header.headerLength(datagram);
        int total = Ipv4Header.totalLength(datagram);
        if (hlen < Ipv4Header.MIN_HEADER_LENGTH || total < hlen || total > datagram.length()) {
            throw new IllegalArgumentException("bad IPv4 lengths: header " + hlen + ", total " + total
                    + ", buffer " + datagram.length());
        }
        if (Ipv4Header.dontFragment(datagram)) {
            throw new IllegalArgumentException("DF is set: the datagram may not be fragmented");
        }
        List<PacketBuffer> out = new ArrayList<>();
        if (total <= mtu) {
            PacketBuffer b = pool.acquire(total);
            b.append(datagram.array(), datagram.start(), total);
            out.add(b);
            return out;
        }

        byte[] src = datagram.array();
        int base = datagram.start();
        int dataLength = total - hlen;
        int flags = datagram.getU16(Ipv4Header.FLAGS_FRAGMENT);
        int kept = flags & FLAGS_KEPT;
        boolean originalMf = (flags & Ipv4Header.FLAG_MF) != 0;
        int offsetBase = Ipv4Header.fragmentOffset(datagram);

        // The header of every fragment after the first: the fixed part and the copied options.
        byte[] laterHeader = laterHeader(src, base, hlen);
        int laterLength = laterHeader.length;

        int pos = 0;
        boolean first = true;
        while (pos < dataLength) {
            int h = first ? hlen : laterLength;
            int room = (mtu - h) & ~7;
            int n = Math.min(room, dataLength - pos);
            boolean lastPiece = pos + n == dataLength;
            PacketBuffer f = pool.acquire(h + n);
            if (first) {
                f.append(src, base, hlen);
            } else {
                f.append(laterHeader, 0, laterLength);
            }
            f.append(src, base + hlen + pos, n);
            Ipv4Header.setTotalLength(f, h + n);
            int mf = !lastPiece || originalMf ? Ipv4Header.FLAG_MF : 0;
            Ipv4Header.setFlagsAndOffset(f, kept | mf | ((offsetBase + pos) >>> 3));
            Ipv4Header.updateChecksum(f);
            out.add(f);
            pos += n;
            first = false;
        }
        return out;
    }

    /** The fixed header followed by the options to copy, padded with end-of-list to 4 bytes; IHL set. */
    static byte[] laterHeader(byte[] src, int base, int hlen) {
        byte[] h = new byte[hlen]; // never longer than the original; trimmed below
        System.arraycopy(src, base, h, 0, Ipv4Header.MIN_HEADER_LENGTH);
        int w = Ipv4Header.MIN_HEADER_LENGTH;
        int i = Ipv4Header.MIN_HEADER_LENGTH;
        while (i < hlen) {
            int type = src[base + i] & 0xFF;
            if (type == OPT_END) {
                break;
            }
            if (type == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= hlen) {
                break; // no room for a length byte: malformed
            }
            int len = src[base + i + 1] & 0xFF;
            if (len < 2 || i + len > hlen) {
                break; // malformed
            }
            if ((type & OPT_COPIED) != 0) {
                System.arraycopy(src, base + i, h, w, len);
                w += len;
            }
            i += len;
        }
        int padded = (w + 3) & ~3; // the tail of h is already zero: end-of-list padding
        h[Ipv4Header.VERSION_IHL] = (byte) ((h[Ipv4Header.VERSION_IHL] & 0xF0) | (padded >>> 2));
        return padded == hlen ? h : java.util.Arrays.copyOf(h, padded);
    }
}
