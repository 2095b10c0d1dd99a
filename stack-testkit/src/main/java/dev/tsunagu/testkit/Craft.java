package dev.tsunagu.testkit;

import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.Ipv4Address;
import java.nio.ByteBuffer;

/**
 * Builds packets byte by byte for tests, including wrong ones: every field is the caller's
 * to choose, and checksums are filled in correctly unless asked not to be. Knows IPv4, ICMP,
 * UDP and Ethernet from their RFCs directly, not from the stack's own code, so a test never
 * checks the stack against itself.
 */
public final class Craft {
    private Craft() {}

    public static int ip(String dotted) {
        return Ipv4Address.parse(dotted).bits();
    }

    /** An IPv4 header (IHL from {@code options}) and payload; the checksum is computed. */
    public static byte[] ipv4(int src, int dst, int protocol, int ttl, int id, int flagsAndOffset, byte[] options, byte[] payload) {
        int hl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
        b.put((byte) (0x40 | (hl / 4))).put((byte) 0).putShort((short) (hl + payload.length));
        b.putShort((short) id).putShort((short) flagsAndOffset);
        b.put((byte) ttl).put((byte) protocol).putShort((short) 0);
        b.putInt(src).putInt(dst).put(options).put(payload);
        byte[] a = b.array();
        int c = InternetChecksum.compute(a, 0, hl);
        a[10] = (byte) (c >>> 8);
        a[11] = (byte) c;
        return a;
    }

    /** {@code packet} (an IPv4 datagram from {@link #ipv4}) with its TOS byte set and its header checksum redone. */
    public static byte[] withTos(byte[] packet, int tos) {
        if ((packet[1] & 0xFF) == tos) {
            return packet;
        }
        packet[1] = (byte) tos;
        packet[10] = packet[11] = 0;
        int c = InternetChecksum.compute(packet, 0, (packet[0] & 0x0F) * 4);
        packet[10] = (byte) (c >>> 8);
        packet[11] = (byte) c;
        return packet;
    }

    public static byte[] ipv4(int src, int dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, 64, 1, 0, new byte[0], payload);
    }

    /** An ICMP message with its checksum. {@code rest} is the 4 bytes after the checksum. */
    public static byte[] icmp(int type, int code, int rest, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(rest).put(data);
        byte[] a = b.array();
        int c = InternetChecksum.compute(a, 0, a.length);
        a[2] = (byte) (c >>> 8);
        a[3] = (byte) c;
        return a;
    }

    public static byte[] echoRequest(int id, int seq, byte[] data) {
        return icmp(8, 0, (id << 16) | (seq & 0xFFFF), data);
    }

    /** A UDP datagram with a correct checksum over the pseudo-header. */
    public static byte[] udp(int srcIp, int dstIp, int srcPort, int dstPort, byte[] payload) {
        int len = 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) len).putShort((short) 0).put(payload);
        byte[] a = b.array();
        long sum = InternetChecksum.pseudoHeader(srcIp, dstIp, 17, len);
        int c = InternetChecksum.finish(InternetChecksum.add(sum, a, 0, len));
        if (c == 0) {
            c = 0xFFFF;
        }
        a[6] = (byte) (c >>> 8);
        a[7] = (byte) c;
        return a;
    }

    public static byte[] ethernet(long dst, long src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.putShort((short) (dst >>> 32)).putInt((int) dst);
        b.putShort((short) (src >>> 32)).putInt((int) src);
        b.putShort((short) type).put(payload);
        return b.array();
    }

    /** An ARP request (Ethernet/IPv4). */
    public static byte[] arpRequest(long senderMac, int senderIp, int targetIp) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.putShort((short) (senderMac >>> 32)).putInt((int) senderMac).putInt(senderIp);
        b.put(new byte[6]).putInt(targetIp);
        return b.array();
    }

    /** A copy of {@code a} with the byte at {@code index} replaced. */
    public static byte[] with(byte[] a, int index, int value) {
        byte[] c = a.clone();
        c[index] = (byte) value;
        return c;
    }

    public static byte[] truncate(byte[] a, int length) {
        return java.util.Arrays.copyOf(a, length);
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
