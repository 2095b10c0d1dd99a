package dev.tsunagu.packetdrill;

import dev.tsunagu.net.InternetChecksum;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 and TCP as the script's remote end writes and reads them, from RFC 791 and RFC 9293
 * directly (no code shared with the stack, so the runner does not check the stack's parser
 * against itself).
 */
final class Wire {
    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;

    private Wire() {}

    /** A TCP option on the wire: kind and its values (mss; wscale; TS val, ecr; SACK edges). */
    record Option(int kind, long[] values) {}

    /** A TCP segment the stack sent, in an IPv4 packet, as the runner compares it. */
    record Segment(long at, int ecn, int sourcePort, int destinationPort, long seq, long ack, int flags, int window,
                   int urgent, List<Option> options, int payloadLength) {
        long end() {
            return seq + payloadLength;
        }
    }

    /** The flags as packetdrill writes them: letters in the order S F R P U E W, then '.' for ACK. */
    static String flagLetters(int flags) {
        StringBuilder s = new StringBuilder();
        if ((flags & SYN) != 0) s.append('S');
        if ((flags & FIN) != 0) s.append('F');
        if ((flags & RST) != 0) s.append('R');
        if ((flags & PSH) != 0) s.append('P');
        if ((flags & URG) != 0) s.append('U');
        if ((flags & ECE) != 0) s.append('E');
        if ((flags & CWR) != 0) s.append('W');
        if ((flags & ACK) != 0) s.append('.');
        return s.isEmpty() ? "-" : s.toString();
    }

    static int flagBits(String letters) {
        int f = 0;
        for (char c : letters.toCharArray()) {
            f |= switch (c) {
                case 'S' -> SYN;
                case 'F' -> FIN;
                case 'R' -> RST;
                case 'P' -> PSH;
                case 'U' -> URG;
                case 'E' -> ECE;
                case 'W' -> CWR;
                case 'C' -> CWR;
                case '.' -> ACK;
                default -> 0;
            };
        }
        return f;
    }

    /** An IPv4 packet carrying a TCP segment with {@code payloadLength} zero bytes of data. */
    static byte[] tcp(int sourceIp, int destinationIp, int ecn, int sourcePort, int destinationPort, long seq, long ack,
                      int flags, int window, int urgent, byte[] options, int payloadLength) {
        int optLen = (options.length + 3) & ~3;
        int tcpLen = 20 + optLen + payloadLength;
        ByteBuffer t = ByteBuffer.allocate(tcpLen);
        t.putShort((short) sourcePort).putShort((short) destinationPort).putInt((int) seq).putInt((int) ack);
        t.put((byte) (((20 + optLen) / 4) << 4)).put((byte) flags).putShort((short) window);
        t.putShort((short) 0).putShort((short) urgent);
        t.put(options); // padded with zeros (EOL) to a word
        byte[] seg = t.array();
        long sum = InternetChecksum.pseudoHeader(sourceIp, destinationIp, 6, tcpLen);
        int csum = InternetChecksum.finish(InternetChecksum.add(sum, seg, 0, tcpLen));
        seg[16] = (byte) (csum >>> 8);
        seg[17] = (byte) csum;
        ByteBuffer ip = ByteBuffer.allocate(20 + tcpLen);
        ip.put((byte) 0x45).put((byte) ecn).putShort((short) (20 + tcpLen)).putShort((short) 0).putShort((short) 0x4000);
        ip.put((byte) 64).put((byte) 6).putShort((short) 0).putInt(sourceIp).putInt(destinationIp);
        byte[] packet = ip.array();
        int ipSum = InternetChecksum.compute(packet, 0, 20);
        packet[10] = (byte) (ipSum >>> 8);
        packet[11] = (byte) ipSum;
        System.arraycopy(seg, 0, packet, 20, tcpLen);
        return packet;
    }

    /** The TCP segment in an IPv4 packet, or null if it is not one (or is malformed). */
    static Segment parse(byte[] p, long at) {
        if (p.length < 20 || (p[0] >>> 4) != 4 || p[9] != 6) {
            return null;
        }
        int ihl = (p[0] & 0x0F) * 4;
        int total = Math.min(p.length, ((p[2] & 0xFF) << 8) | (p[3] & 0xFF));
        if (total < ihl + 20) {
            return null;
        }
        ByteBuffer t = ByteBuffer.wrap(p, ihl, total - ihl);
        int sport = t.getShort() & 0xFFFF;
        int dport = t.getShort() & 0xFFFF;
        long seq = t.getInt() & 0xFFFF_FFFFL;
        long ack = t.getInt() & 0xFFFF_FFFFL;
        int off = ((t.get() & 0xFF) >>> 4) * 4;
        int flags = t.get() & 0xFF;
        int window = t.getShort() & 0xFFFF;
        t.getShort();
        int urgent = t.getShort() & 0xFFFF;
        if (off < 20 || ihl + off > total) {
            return null;
        }
        List<Option> options = new ArrayList<>();
        int i = ihl + 20;
        int end = ihl + off;
        while (i < end) {
            int kind = p[i] & 0xFF;
            if (kind == 0) {
                break; // EOL: the rest is padding
            }
            if (kind == 1) {
                options.add(new Option(1, new long[0]));
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return null;
            }
            int len = p[i + 1] & 0xFF;
            if (len < 2 || i + len > end) {
                return null;
            }
            ByteBuffer o = ByteBuffer.wrap(p, i + 2, len - 2);
            long[] v = switch (kind) {
                case 2 -> new long[] {o.getShort() & 0xFFFF};
                case 3 -> new long[] {o.get() & 0xFF};
                case 8 -> new long[] {o.getInt() & 0xFFFF_FFFFL, o.getInt() & 0xFFFF_FFFFL};
                case 5 -> {
                    long[] b = new long[(len - 2) / 4];
                    for (int k = 0; k < b.length; k++) {
                        b[k] = o.getInt() & 0xFFFF_FFFFL;
                    }
                    yield b;
                }
                default -> new long[0];
            };
            options.add(new Option(kind, v));
            i += len;
        }
        return new Segment(at, p[1] & 0x03, sport, dport, seq, ack, flags, window, urgent, List.copyOf(options),
                total - ihl - off);
    }

    /** The options as packetdrill writes them, with sequence numbers in SACK blocks made relative to {@code isn}. */
    static String describeOptions(List<Option> options, long isn) {
        List<String> s = new ArrayList<>();
        for (Option o : options) {
            s.add(switch (o.kind()) {
                case 1 -> "nop";
                case 2 -> "mss " + o.values()[0];
                case 3 -> "wscale " + o.values()[0];
                case 4 -> "sackOK";
                case 8 -> "TS val " + o.values()[0] + " ecr " + o.values()[1];
                case 5 -> {
                    StringBuilder b = new StringBuilder("sack");
                    for (int k = 0; k + 1 < o.values().length; k += 2) {
                        b.append(' ').append(rel(o.values()[k], isn)).append(':').append(rel(o.values()[k + 1], isn));
                    }
                    yield b.toString();
                }
                default -> "opt" + o.kind();
            });
        }
        return s.isEmpty() ? "" : " <" + String.join(",", s) + ">";
    }

    static long rel(long value, long isn) {
        return (value - isn) & 0xFFFF_FFFFL;
    }
}
