package dev.tsunagu.link.ethernet;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.MacAddress;

/**
 * An Ethernet II header as a value: what {@link #parse} finds in a frame and {@link #emit}
 * writes. Used by tests, traces and slow paths; the receive path reads fields straight from
 * the buffer through {@link EthernetFrame}.
 */
public record EthernetRepr(MacAddress destination, MacAddress source, int etherType) {
    /** The header of {@code frame}, or null if it is too short to have one. */
    public static EthernetRepr parse(PacketBuffer frame) {
        if (!EthernetFrame.isValid(frame)) {
            return null;
        }
        return new EthernetRepr(new MacAddress(EthernetFrame.destination(frame)),
                new MacAddress(EthernetFrame.source(frame)), EthernetFrame.etherType(frame));
    }

    public int bufferLength() {
        return EthernetFrame.HEADER_LENGTH;
    }

    /** Prepends this header to the packet in {@code b}. */
    public void emit(PacketBuffer b) {
        EthernetFrame.prepend(b, destination.bits(), source.bits(), etherType);
    }

    @Override
    public String toString() {
        return source + " > " + destination + ", " + EtherType.name(etherType);
    }
}
