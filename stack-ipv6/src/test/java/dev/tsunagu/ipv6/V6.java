package dev.tsunagu.ipv6;

import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.Ipv6Address;
import java.nio.ByteBuffer;

/** Builds IPv6 packets as byte arrays for tests: headers, extension headers, ICMPv6, ND. */
public final class V6 {
    private V6() {}

    /** A fixed header with {@code payload} after it (payload length from it). */
    public static byte[] packet(Ipv6Address src, Ipv6Address dst, int nextHeader, int hopLimit, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(6 << 28);
        b.putShort((short) payload.length);
        b.put((byte) nextHeader);
        b.put((byte) hopLimit);
        b.put(src.toBytes());
        b.put(dst.toBytes());
        b.put(payload);
        return b.array();
    }

    /** An options header (hop-by-hop or destination) naming {@code next}, with {@code options} padded to 8n-2 bytes. */
    public static byte[] optionsHeader(int next, byte[] options, byte[] rest) {
        int len = (options.length + 2 + 7) / 8 * 8;
        byte[] h = new byte[len];
        h[0] = (byte) next;
        h[1] = (byte) (len / 8 - 1);
        System.arraycopy(options, 0, h, 2, options.length);
        int pad = len - 2 - options.length;
        if (pad == 1) {
            h[len - 1] = 0; // Pad1
        } else if (pad > 1) {
            h[2 + options.length] = 1; // PadN
            h[3 + options.length] = (byte) (pad - 2);
        }
        return concat(h, rest);
    }

    /** A routing header (type, segments left, one address) naming {@code next}. */
    public static byte[] routingHeader(int next, int type, int segmentsLeft, byte[] rest) {
        byte[] h = new byte[24];
        h[0] = (byte) next;
        h[1] = 2;
        h[2] = (byte) type;
        h[3] = (byte) segmentsLeft;
        System.arraycopy(Ipv6Address.parse("2001:db8::99").toBytes(), 0, h, 8, 16);
        return concat(h, rest);
    }

    /** A fragment header naming {@code next}, then {@code data}. */
    public static byte[] fragmentHeader(int next, int offset, boolean more, int id, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) next).put((byte) 0).putShort((short) (offset | (more ? 1 : 0))).putInt(id).put(data);
        return b.array();
    }

    /** An ICMPv6 message with its checksum over the pseudo-header. */
    public static byte[] icmp(Ipv6Address src, Ipv6Address dst, int type, int code, byte[] body) {
        byte[] m = new byte[4 + body.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        System.arraycopy(body, 0, m, 4, body.length);
        long sum = dst.addToChecksum(src.addToChecksum(0)) + m.length + 58;
        int c = InternetChecksum.finish(InternetChecksum.add(sum, m, 0, m.length));
        m[2] = (byte) (c >>> 8);
        m[3] = (byte) c;
        return m;
    }

    /** An echo request body: identifier, sequence, data. */
    public static byte[] echoBody(int id, int seq, byte[] data) {
        return ByteBuffer.allocate(4 + data.length).putShort((short) id).putShort((short) seq).put(data).array();
    }

    /** An NS or NA body: flags, target and a link-layer address option (type 1 or 2) unless {@code mac} is -1. */
    public static byte[] ndBody(int flags, Ipv6Address target, int optionType, long mac) {
        ByteBuffer b = ByteBuffer.allocate(20 + (mac >= 0 ? 8 : 0));
        b.put((byte) flags).put(new byte[3]).put(target.toBytes());
        if (mac >= 0) {
            b.put((byte) optionType).put((byte) 1);
            for (int i = 5; i >= 0; i--) {
                b.put((byte) (mac >>> (8 * i)));
            }
        }
        return b.array();
    }

    /** A UDP datagram with its checksum over the IPv6 pseudo-header ({@code zeroChecksum}: the field left 0). */
    public static byte[] udp(Ipv6Address src, Ipv6Address dst, int sport, int dport, byte[] data, boolean zeroChecksum) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + data.length)).putShort((short) 0).put(data);
        byte[] u = b.array();
        if (!zeroChecksum) {
            long sum = dst.addToChecksum(src.addToChecksum(0)) + u.length + 17;
            int c = InternetChecksum.finish(InternetChecksum.add(sum, u, 0, u.length));
            if (c == 0) {
                c = 0xFFFF;
            }
            u[6] = (byte) (c >>> 8);
            u[7] = (byte) c;
        }
        return u;
    }

    /**
     * A TCP segment with its checksum over the IPv6 pseudo-header: no options but an MSS option
     * when {@code mss} is positive.
     */
    public static byte[] tcp(Ipv6Address src, Ipv6Address dst, int sport, int dport, long seq, long ack, int flags,
                             int window, int mss, byte[] data) {
        int header = mss > 0 ? 24 : 20;
        ByteBuffer b = ByteBuffer.allocate(header + data.length);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack)
                .put((byte) ((header / 4) << 4)).put((byte) flags).putShort((short) window).putInt(0);
        if (mss > 0) {
            b.put((byte) 2).put((byte) 4).putShort((short) mss);
        }
        b.put(data);
        byte[] t = b.array();
        long sum = dst.addToChecksum(src.addToChecksum(0)) + t.length + 6;
        int c = InternetChecksum.finish(InternetChecksum.add(sum, t, 0, t.length));
        t[16] = (byte) (c >>> 8);
        t[17] = (byte) c;
        return t;
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
