package dev.tsunagu.link.arp;

import dev.tsunagu.buffer.PacketBuffer;

/**
 * A view of an ARP packet (RFC 826) at the front of a {@link PacketBuffer}, for Ethernet and
 * IPv4 (the only pairing the stack speaks).
 *
 * <pre>
 *  0      2      4    5    6      8            14           18           24          28
 * +------+------+----+----+------+------------+------------+------------+-----------+
 * | htype| ptype|hlen|plen|  op  | sender MAC | sender IP  | target MAC | target IP |
 * +------+------+----+----+------+------------+------------+------------+-----------+
 * </pre>
 */
public final class ArpPacket {
    public static final int HTYPE = 0;
    public static final int PTYPE = 2;
    public static final int HLEN = 4;
    public static final int PLEN = 5;
    public static final int OPERATION = 6;
    public static final int SENDER_MAC = 8;
    public static final int SENDER_IP = 14;
    public static final int TARGET_MAC = 18;
    public static final int TARGET_IP = 24;
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;

    public static final int HTYPE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private ArpPacket() {}

    /** Long enough for the fixed fields and the Ethernet/IPv4 addresses. */
    public static boolean isLongEnough(PacketBuffer b) {
        return b.length() >= LENGTH;
    }

    public static int hardwareType(PacketBuffer b) {
        return b.getU16(HTYPE);
    }

    public static int protocolType(PacketBuffer b) {
        return b.getU16(PTYPE);
    }

    public static int hardwareLength(PacketBuffer b) {
        return b.getU8(HLEN);
    }

    public static int protocolLength(PacketBuffer b) {
        return b.getU8(PLEN);
    }

    public static int operation(PacketBuffer b) {
        return b.getU16(OPERATION);
    }

    public static long senderMac(PacketBuffer b) {
        return b.getU48(SENDER_MAC);
    }

    public static int senderIp(PacketBuffer b) {
        return b.getI32(SENDER_IP);
    }

    public static long targetMac(PacketBuffer b) {
        return b.getU48(TARGET_MAC);
    }

    public static int targetIp(PacketBuffer b) {
        return b.getI32(TARGET_IP);
    }
}
