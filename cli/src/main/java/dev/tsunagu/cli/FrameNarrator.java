package dev.tsunagu.cli;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.IcmpHeader;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.link.arp.ArpRepr;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.link.ethernet.EthernetRepr;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.tcp.wire.TcpHeader;

/** Describes a frame in one line, like a terse tcpdump. */
final class FrameNarrator {
    private FrameNarrator() {}

    static String describe(byte[] frame) {
        PacketBuffer b = PacketBuffer.copyOf(frame, 0);
        EthernetRepr eth = EthernetRepr.parse(b);
        if (eth == null) {
            return "runt frame of " + frame.length + " bytes";
        }
        b.consume(EthernetFrame.HEADER_LENGTH);
        return switch (eth.etherType()) {
            case EtherType.ARP -> switch (ArpRepr.parse(b)) {
                case ArpRepr.Parsed p -> p.repr().toString();
                case ArpRepr.Rejected r -> "bad ARP (" + r.error() + ")";
            };
            case EtherType.IPV4 -> ipv4(b);
            default -> EtherType.name(eth.etherType()) + ", " + b.length() + " bytes";
        };
    }

    private static String ipv4(PacketBuffer b) {
        if (Ipv4Header.check(b) != Ipv4Header.Problem.OK) {
            return "bad IPv4";
        }
        String from = Ipv4Address.format(Ipv4Header.source(b));
        String to = Ipv4Address.format(Ipv4Header.destination(b));
        int protocol = Ipv4Header.protocol(b);
        boolean fragment = Ipv4Header.isFragment(b);
        b.truncate(Ipv4Header.totalLength(b));
        b.consume(Ipv4Header.headerLength(b));
        String what;
        if (fragment) {
            what = "IPv4 fragment, " + b.length() + " bytes";
        } else if (protocol == IpProtocol.TCP && b.length() >= TcpHeader.HEADER_LENGTH) {
            what = "TCP " + TcpHeader.sourcePort(b) + " > " + TcpHeader.destinationPort(b) + " " + TcpHeader.describe(b);
        } else if (protocol == IpProtocol.ICMP && b.length() >= IcmpHeader.HEADER_LENGTH) {
            what = switch (IcmpHeader.type(b)) {
                case IcmpHeader.TYPE_ECHO_REQUEST -> "ICMP echo request, seq " + IcmpHeader.sequence(b);
                case IcmpHeader.TYPE_ECHO_REPLY -> "ICMP echo reply, seq " + IcmpHeader.sequence(b);
                default -> "ICMP type " + IcmpHeader.type(b) + " code " + IcmpHeader.code(b);
            };
        } else {
            what = IpProtocol.name(protocol) + ", " + b.length() + " bytes";
        }
        return from + " > " + to + ": " + what;
    }
}
