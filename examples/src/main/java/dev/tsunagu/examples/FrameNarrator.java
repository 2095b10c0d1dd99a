package dev.tsunagu.examples;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.arp.ArpRepr;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.link.ethernet.EthernetRepr;
import dev.tsunagu.net.EtherType;

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
        String payload = switch (eth.etherType()) {
            case EtherType.ARP -> switch (ArpRepr.parse(b)) {
                case ArpRepr.Parsed p -> p.repr().toString();
                case ArpRepr.Rejected r -> "bad ARP (" + r.error() + ")";
            };
            default -> EtherType.name(eth.etherType()) + ", " + b.length() + " bytes";
        };
        return eth.source() + " > " + eth.destination() + "  " + payload;
    }
}
