package dev.tsunagu.link.arp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.MacAddress;

/**
 * An Ethernet/IPv4 ARP packet as a value. {@link #parse} normalises: anything that is not
 * an Ethernet/IPv4 request or reply is reported as a {@link ParseError}, so the ARP logic
 * never sees a packet it cannot act on.
 */
public record ArpRepr(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
    /** Why a packet is not a usable ARP packet; each has its own drop counter. */
    public enum ParseError { TRUNCATED, BAD_FORMAT, BAD_OPERATION }

    /** Either a packet or the reason there is none. */
    public sealed interface Result permits Parsed, Rejected {}

    public record Parsed(ArpRepr repr) implements Result {}

    public record Rejected(ParseError error) implements Result {}

    public static Result parse(PacketBuffer b) {
        if (!ArpPacket.isLongEnough(b)) {
            return new Rejected(ParseError.TRUNCATED);
        }
        if (ArpPacket.hardwareType(b) != ArpPacket.HTYPE_ETHERNET || ArpPacket.protocolType(b) != EtherType.IPV4
                || ArpPacket.hardwareLength(b) != 6 || ArpPacket.protocolLength(b) != 4) {
            return new Rejected(ParseError.BAD_FORMAT);
        }
        int op = ArpPacket.operation(b);
        if (op != ArpPacket.OP_REQUEST && op != ArpPacket.OP_REPLY) {
            return new Rejected(ParseError.BAD_OPERATION);
        }
        return new Parsed(new ArpRepr(op, ArpPacket.senderMac(b), ArpPacket.senderIp(b),
                ArpPacket.targetMac(b), ArpPacket.targetIp(b)));
    }

    public static ArpRepr request(long senderMac, int senderIp, int targetIp) {
        return new ArpRepr(ArpPacket.OP_REQUEST, senderMac, senderIp, 0, targetIp);
    }

    public static ArpRepr reply(long senderMac, int senderIp, long targetMac, int targetIp) {
        return new ArpRepr(ArpPacket.OP_REPLY, senderMac, senderIp, targetMac, targetIp);
    }

    public boolean isRequest() {
        return operation == ArpPacket.OP_REQUEST;
    }

    public int bufferLength() {
        return ArpPacket.LENGTH;
    }

    /** Appends this packet to {@code b}. */
    public void emit(PacketBuffer b) {
        int at = b.length();
        b.append(ArpPacket.LENGTH);
        b.setU16(at + ArpPacket.HTYPE, ArpPacket.HTYPE_ETHERNET);
        b.setU16(at + ArpPacket.PTYPE, EtherType.IPV4);
        b.setU8(at + ArpPacket.HLEN, 6);
        b.setU8(at + ArpPacket.PLEN, 4);
        b.setU16(at + ArpPacket.OPERATION, operation);
        b.setU48(at + ArpPacket.SENDER_MAC, senderMac);
        b.setI32(at + ArpPacket.SENDER_IP, senderIp);
        b.setU48(at + ArpPacket.TARGET_MAC, targetMac);
        b.setI32(at + ArpPacket.TARGET_IP, targetIp);
    }

    @Override
    public String toString() {
        return isRequest()
                ? "ARP who-has " + Ipv4Address.format(targetIp) + " tell " + Ipv4Address.format(senderIp)
                        + " (" + MacAddress.format(senderMac) + ")"
                : "ARP " + Ipv4Address.format(senderIp) + " is-at " + MacAddress.format(senderMac);
    }
}
