package dev.tsunagu.link.capture;

import java.util.Arrays;
import java.util.Objects;

/**
 * One frame read from a capture file.
 *
 * <p>The {@code data} array is not copied: the frame owns it and nobody should modify it
 * afterwards. {@link #equals}, {@link #hashCode} and {@link #toString} look at the array's
 * contents (a record would otherwise compare arrays by identity).
 *
 * @param timestampNanos  capture time in nanoseconds since the epoch as recorded in the file
 *                        (for files written by {@link PcapWriter}: whatever clock the stack
 *                        used, so a virtual clock starting at 0 gives 1970-01-01). A pcapng
 *                        Simple Packet Block carries no timestamp and reads as 0.
 * @param linkType        the {@link LinkType} of the interface the frame was captured on
 * @param data            the captured bytes, possibly truncated to the snapshot length
 * @param originalLength  the frame's length on the wire; at least {@code data.length} in a
 *                        well-formed file
 * @param interfaceIndex  the pcapng interface the frame belongs to (index of its Interface
 *                        Description Block in the current section); always 0 for classic pcap
 */
public record CapturedFrame(long timestampNanos, int linkType, byte[] data, int originalLength, int interfaceIndex) {

    public CapturedFrame {
        Objects.requireNonNull(data, "data");
        if (originalLength < 0) {
            throw new IllegalArgumentException("negative original length: " + originalLength);
        }
        if (interfaceIndex < 0) {
            throw new IllegalArgumentException("negative interface index: " + interfaceIndex);
        }
    }

    /** The number of bytes actually captured ({@code data.length}). */
    public int capturedLength() {
        return data.length;
    }

    /** Whether the capture holds fewer bytes than were on the wire (snap-length truncation). */
    public boolean truncated() {
        return data.length < originalLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapturedFrame f
                && timestampNanos == f.timestampNanos
                && linkType == f.linkType
                && originalLength == f.originalLength
                && interfaceIndex == f.interfaceIndex
                && Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(timestampNanos);
        h = 31 * h + linkType;
        h = 31 * h + originalLength;
        h = 31 * h + interfaceIndex;
        return 31 * h + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CapturedFrame[t=").append(timestampNanos)
                .append("ns, ").append(LinkType.name(linkType))
                .append(", if=").append(interfaceIndex)
                .append(", ").append(data.length).append('/').append(originalLength).append(" bytes:");
        int shown = Math.min(data.length, 32);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? " " : "").append(String.format("%02x", data[i] & 0xff));
        }
        if (shown < data.length) {
            sb.append("...");
        }
        return sb.append(']').toString();
    }
}
