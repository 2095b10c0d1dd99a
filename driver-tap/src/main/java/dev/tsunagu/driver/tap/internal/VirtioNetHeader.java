package dev.tsunagu.driver.tap.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.tsunagu.buffer.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The {@code struct virtio_net_hdr} in front of every frame on a TAP opened with
 * {@code IFF_VNET_HDR} (virtio 1.x, 5.1.6; linux/virtio_net.h), as a view over the native
 * buffer a frame is read into or written from: named offsets, fields in the host's byte order
 * (little-endian here: the kernel's default for a TAP), one check ({@link #check}) after which
 * no accessor can read past the frame. {@link VirtioNetRepr} is the value form.
 *
 * <pre>
 *   0        1         2            4            6              8               10
 *   | flags  | gso_type | hdr_len    | gso_size   | csum_start    | csum_offset   | Ethernet frame...
 * </pre>
 *
 * <ul>
 *   <li>{@code NEEDS_CSUM}: the transport checksum is partial; the sum of the bytes from
 *       {@code csum_start} (from the frame's first byte) to the end goes into the field at
 *       {@code csum_start + csum_offset}, which holds the pseudo-header sum.</li>
 *   <li>{@code DATA_VALID}: the checksum was verified (received only).</li>
 *   <li>{@code gso_type} other than {@code NONE}: the frame is one large segment, to be cut
 *       (or cut by the sender and coalesced) into pieces of {@code gso_size} payload bytes;
 *       {@code hdr_len} is the length of the headers copied in front of each piece.</li>
 * </ul>
 */
public final class VirtioNetHeader {
    /** Bytes of the plain header, the size this driver asks for with {@code TUNSETVNETHDRSZ}. */
    public static final int LENGTH = 10;

    public static final int FLAGS = 0;
    public static final int GSO_TYPE = 1;
    public static final int HDR_LEN = 2;
    public static final int GSO_SIZE = 4;
    public static final int CSUM_START = 6;
    public static final int CSUM_OFFSET = 8;

    public static final int F_NEEDS_CSUM = 1;
    public static final int F_DATA_VALID = 2;
    /** Set by devices that report coalescing details; harmless, ignored. */
    public static final int F_RSC_INFO = 4;
    private static final int KNOWN_FLAGS = F_NEEDS_CSUM | F_DATA_VALID | F_RSC_INFO;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** Or'ed into the type: the TCP segment carries CWR, which only the first piece may keep. */
    public static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort U16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** What {@link #check} found wrong with a received header; each is counted and the frame dropped. */
    public enum Problem {
        OK,
        /** Fewer bytes than the header and an Ethernet header. */
        TRUNCATED,
        /** A flag bit no kernel sets. */
        BAD_FLAGS,
        /** A segmentation type this stack does not know, or a segment size of zero with one. */
        BAD_GSO,
        /** {@code NEEDS_CSUM} with a checksum field outside the frame. */
        BAD_CHECKSUM_POSITION
    }

    private VirtioNetHeader() {}

    /**
     * Checks the header at offset 0 of {@code buf}, followed by a frame, {@code total} bytes in
     * all: what a {@code read} returned.
     */
    public static Problem check(MemorySegment buf, long total, int linkHeaderLength) {
        if (total < LENGTH + linkHeaderLength) {
            return Problem.TRUNCATED;
        }
        int flags = flags(buf);
        if ((flags & ~KNOWN_FLAGS) != 0) {
            return Problem.BAD_FLAGS;
        }
        int type = gsoType(buf) & ~GSO_ECN;
        if (type != GSO_NONE) {
            if (type != GSO_TCPV4 && type != GSO_TCPV6 && type != GSO_UDP && type != GSO_UDP_L4 || gsoSize(buf) == 0) {
                return Problem.BAD_GSO;
            }
        }
        if ((flags & F_NEEDS_CSUM) != 0
                && (long) checksumStart(buf) + checksumOffset(buf) + 2 > total - LENGTH) {
            return Problem.BAD_CHECKSUM_POSITION;
        }
        return Problem.OK;
    }

    public static int flags(MemorySegment buf) {
        return buf.get(JAVA_BYTE, FLAGS) & 0xFF;
    }

    public static int gsoType(MemorySegment buf) {
        return buf.get(JAVA_BYTE, GSO_TYPE) & 0xFF;
    }

    public static int headerLength(MemorySegment buf) {
        return buf.get(U16, HDR_LEN) & 0xFFFF;
    }

    public static int gsoSize(MemorySegment buf) {
        return buf.get(U16, GSO_SIZE) & 0xFFFF;
    }

    public static int checksumStart(MemorySegment buf) {
        return buf.get(U16, CSUM_START) & 0xFFFF;
    }

    public static int checksumOffset(MemorySegment buf) {
        return buf.get(U16, CSUM_OFFSET) & 0xFFFF;
    }

    /** Whether the received frame's transport checksum needs no verifying: checked by the device, or never on a wire. */
    public static boolean checksumTrusted(MemorySegment buf) {
        return (flags(buf) & (F_DATA_VALID | F_NEEDS_CSUM)) != 0;
    }

    /**
     * Marks {@code frame}, received behind the header at offset 0 of {@code buf} (which
     * {@link #check} passed), as the header says: its transport checksum trusted
     * ({@link #checksumTrusted}) and, with {@code NEEDS_CSUM}, still partial at
     * {@code csum_start}/{@code csum_offset} from the frame's first byte, so that a capture or a
     * forwarded copy can finish it (Linux keeps such a packet {@code CHECKSUM_PARTIAL}).
     * {@code frame} holds exactly the frame, from its Ethernet header on.
     */
    public static void markReceived(MemorySegment buf, PacketBuffer frame) {
        frame.setChecksumVerified(checksumTrusted(buf));
        if ((flags(buf) & F_NEEDS_CSUM) != 0) {
            frame.setChecksumPartial(checksumStart(buf), checksumOffset(buf));
        }
    }

    /** Writes a header at offset 0 of {@code buf}. */
    public static void write(MemorySegment buf, int flags, int gsoType, int headerLength, int gsoSize,
                             int checksumStart, int checksumOffset) {
        buf.set(JAVA_BYTE, FLAGS, (byte) flags);
        buf.set(JAVA_BYTE, GSO_TYPE, (byte) gsoType);
        buf.set(U16, HDR_LEN, (short) headerLength);
        buf.set(U16, GSO_SIZE, (short) gsoSize);
        buf.set(U16, CSUM_START, (short) checksumStart);
        buf.set(U16, CSUM_OFFSET, (short) checksumOffset);
    }

    /** Writes the header of a frame that needs nothing from the device: all zero. */
    public static void writeNone(MemorySegment buf) {
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0L);
        buf.set(U16, CSUM_OFFSET, (short) 0);
    }
}
