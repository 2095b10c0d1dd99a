package dev.tsunagu.driver.tap.internal;

import java.lang.foreign.MemorySegment;

/**
 * A {@code virtio_net_hdr} as a value: what {@link #parse} finds and {@link #emit} writes,
 * through the view {@link VirtioNetHeader}. For tests and logs; the driver reads and writes the
 * fields in place.
 */
public record VirtioNetRepr(int flags, int gsoType, int headerLength, int gsoSize, int checksumStart,
                            int checksumOffset) {
    /** A header that asks nothing. */
    public static final VirtioNetRepr NONE = new VirtioNetRepr(0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);

    /** Checks the fields' ranges. */
    public VirtioNetRepr {
        if ((flags | gsoType) >>> 8 != 0 || (headerLength | gsoSize | checksumStart | checksumOffset) >>> 16 != 0) {
            throw new IllegalArgumentException("field out of range: " + flags + "/" + gsoType + "/" + headerLength
                    + "/" + gsoSize + "/" + checksumStart + "/" + checksumOffset);
        }
    }

    /**
     * The header of the {@code total} bytes (header and frame) in {@code buf}, or null with the
     * reason in {@code problem[0]} when {@link VirtioNetHeader#check} refuses it.
     */
    public static VirtioNetRepr parse(MemorySegment buf, long total, int linkHeaderLength,
                                      VirtioNetHeader.Problem[] problem) {
        VirtioNetHeader.Problem p = VirtioNetHeader.check(buf, total, linkHeaderLength);
        if (problem != null) {
            problem[0] = p;
        }
        if (p != VirtioNetHeader.Problem.OK) {
            return null;
        }
        return new VirtioNetRepr(VirtioNetHeader.flags(buf), VirtioNetHeader.gsoType(buf),
                VirtioNetHeader.headerLength(buf), VirtioNetHeader.gsoSize(buf), VirtioNetHeader.checksumStart(buf),
                VirtioNetHeader.checksumOffset(buf));
    }

    public int bufferLength() {
        return VirtioNetHeader.LENGTH;
    }

    /** Writes this header at offset 0 of {@code buf}. */
    public void emit(MemorySegment buf) {
        VirtioNetHeader.write(buf, flags, gsoType, headerLength, gsoSize, checksumStart, checksumOffset);
    }
}
