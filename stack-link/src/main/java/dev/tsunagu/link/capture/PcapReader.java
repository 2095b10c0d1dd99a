package dev.tsunagu.link.capture;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads capture files: classic libpcap (either byte order, microsecond or nanosecond
 * timestamps) and pcapng (Section Header, Interface Description, Enhanced Packet and Simple
 * Packet Blocks; every other block type is skipped).
 *
 * <p>Iteration is explicit: {@link #next()} returns the next frame, or {@code null} at the
 * clean end of the file. (The reader is deliberately not an {@code Iterable}: an
 * {@code Iterator} cannot throw {@link IOException}, and a damaged file must surface as one.)
 * {@link #readAll()} collects the rest of the file.
 *
 * <p>A malformed or truncated file raises a {@link MalformedCaptureException}, an
 * {@code IOException} whose message and {@link MalformedCaptureException#offset() offset()}
 * name the byte offset of the problem. Length fields are bounded before anything is
 * allocated ({@link #MAX_CAPTURED_LENGTH} for packet data), so a corrupt length cannot cause
 * an {@code OutOfMemoryError}; blocks that are skipped are streamed past, not buffered.
 *
 * <p>Not thread-safe. {@link #close()} closes the underlying file or stream.
 */
public final class PcapReader implements Closeable {
    /** The largest captured length accepted for one frame (256 KiB, as libpcap/Wireshark). */
    public static final int MAX_CAPTURED_LENGTH = PcapWriter.MAX_SNAP_LENGTH;
    /** The largest Interface Description Block body (fixed fields plus options) parsed. */
    static final int MAX_IDB_LENGTH = 64 * 1024;

    /** An {@link IOException} for malformed or truncated capture files, naming the offset. */
    public static final class MalformedCaptureException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long offset;

        public MalformedCaptureException(long offset, String problem) {
            super(problem + " (at byte offset " + offset + ")");
            this.offset = offset;
        }

        /** The byte offset from the start of the file at which the problem was found. */
        public long offset() {
            return offset;
        }
    }

    private static final int PCAPNG_SHB = 0x0A0D0D0A;
    private static final int PCAPNG_IDB = 0x00000001;
    private static final int PCAPNG_SPB = 0x00000003;
    private static final int PCAPNG_EPB = 0x00000006;
    private static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int OPT_ENDOFOPT = 0;
    private static final int OPT_IF_TSRESOL = 9;
    private static final int OPT_IF_TSOFFSET = 14;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] DECIMAL_FACTORS =
            {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};
    private static final BigInteger BIG_NANOS_PER_SECOND = BigInteger.valueOf(NANOS_PER_SECOND);

    private enum Format { PCAP, PCAPNG }

    /** A pcapng interface: what its packets need to be decoded. */
    private record Interface(int linkType, long snapLength, boolean binaryResolution, int resolutionExponent,
                             long offsetSeconds) {}

    private final InputStream in;
    private final Format format;
    private long position;
    private boolean closed;

    // classic pcap state
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private boolean nanosecond;
    private int classicLinkType;

    // pcapng state (per section)
    private final List<Interface> interfaces = new ArrayList<>();

    private PcapReader(InputStream in) throws IOException {
        this.in = in;
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new MalformedCaptureException(0, magic.length == 0
                    ? "empty file: no capture file header"
                    : "truncated capture file: the file header needs 4 bytes of magic but the file ends after "
                            + magic.length);
        }
        int big = ByteBuffer.wrap(magic).order(ByteOrder.BIG_ENDIAN).getInt();
        int little = ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (big == PCAPNG_SHB) {
            format = Format.PCAPNG;
            position = 4; // the Section Header Block's type field is already consumed
            readSectionHeader(0);
            return;
        }
        format = Format.PCAP;
        position = 4;
        if (big == PcapWriter.MAGIC_MICROS || big == PcapWriter.MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
            nanosecond = big == PcapWriter.MAGIC_NANOS;
        } else if (little == PcapWriter.MAGIC_MICROS || little == PcapWriter.MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
            nanosecond = little == PcapWriter.MAGIC_NANOS;
        } else {
            throw new MalformedCaptureException(0,
                    String.format("not a pcap or pcapng file: unknown magic number 0x%08x", big));
        }
        ByteBuffer header = read(20, "pcap file header");
        int major = header.getShort() & 0xFFFF;
        int minor = header.getShort() & 0xFFFF;
        if (major != 2) {
            throw new MalformedCaptureException(4, "unsupported pcap version " + major + "." + minor);
        }
        header.getInt(); // thiszone
        header.getInt(); // sigfigs
        header.getInt(); // snaplen: not enforced on records, many writers get it wrong
        classicLinkType = header.getInt() & 0xFFFF; // upper bits carry FCS information
    }

    /** Opens {@code file} and reads its file header. */
    public static PcapReader open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        InputStream raw = Files.newInputStream(file);
        return start(raw);
    }

    /** Reads a capture from {@code in}, starting with its file header. {@link #close()} closes {@code in}. */
    public static PcapReader from(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        return start(in);
    }

    private static PcapReader start(InputStream raw) throws IOException {
        try {
            return new PcapReader(new BufferedInputStream(raw, 64 * 1024));
        } catch (IOException | RuntimeException e) {
            try {
                raw.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Reads the next frame.
     *
     * @return the frame, or {@code null} when the file ends cleanly between records
     * @throws MalformedCaptureException if the file is malformed or ends inside a record
     * @throws IllegalStateException     after {@link #close()}
     */
    public CapturedFrame next() throws IOException {
        if (closed) {
            throw new IllegalStateException("pcap reader is closed");
        }
        return format == Format.PCAP ? nextClassic() : nextPcapng();
    }

    /** Reads every remaining frame. */
    public List<CapturedFrame> readAll() throws IOException {
        List<CapturedFrame> frames = new ArrayList<>();
        for (CapturedFrame f = next(); f != null; f = next()) {
            frames.add(f);
        }
        return frames;
    }

    /** Whether the file is pcapng (as opposed to classic pcap). */
    public boolean isPcapng() {
        return format == Format.PCAPNG;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            in.close();
        }
    }

    // ---------------------------------------------------------------- classic pcap

    private CapturedFrame nextClassic() throws IOException {
        long recordStart = position;
        ByteBuffer header = readOrEnd(PcapWriter.RECORD_HEADER_LENGTH, "pcap record header");
        if (header == null) {
            return null;
        }
        long seconds = header.getInt() & 0xFFFF_FFFFL;
        long fraction = header.getInt() & 0xFFFF_FFFFL;
        long capturedLength = header.getInt() & 0xFFFF_FFFFL;
        long originalLength = header.getInt() & 0xFFFF_FFFFL;
        if (capturedLength > MAX_CAPTURED_LENGTH) {
            throw new MalformedCaptureException(recordStart + 8, "pcap record captured length " + capturedLength
                    + " exceeds the maximum of " + MAX_CAPTURED_LENGTH);
        }
        if (originalLength > Integer.MAX_VALUE) {
            throw new MalformedCaptureException(recordStart + 12, "pcap record original length " + originalLength
                    + " is out of range");
        }
        // Both terms fit comfortably: seconds < 2^32, so seconds * 1e9 < 4.3e18 < 2^63.
        long nanos = seconds * NANOS_PER_SECOND + (nanosecond ? fraction : fraction * 1000);
        byte[] data = readBytes((int) capturedLength, "pcap record data");
        return new CapturedFrame(nanos, classicLinkType, data, (int) originalLength, 0);
    }

    // ---------------------------------------------------------------- pcapng

    private CapturedFrame nextPcapng() throws IOException {
        while (true) {
            long blockStart = position;
            ByteBuffer typeBytes = readOrEnd(4, "pcapng block type");
            if (typeBytes == null) {
                return null;
            }
            int type = typeBytes.getInt(); // SHB's type reads the same in either byte order
            if (type == PCAPNG_SHB) {
                readSectionHeader(blockStart);
                continue;
            }
            long totalLength = blockLength(blockStart, read(4, "pcapng block length").getInt() & 0xFFFF_FFFFL);
            CapturedFrame frame = switch (type) {
                case PCAPNG_IDB -> {
                    readInterfaceDescription(blockStart, totalLength);
                    yield null;
                }
                case PCAPNG_EPB -> readEnhancedPacket(blockStart, totalLength);
                case PCAPNG_SPB -> readSimplePacket(blockStart, totalLength);
                default -> {
                    skip(totalLength - 12, "pcapng block body");
                    yield null;
                }
            };
            readTrailer(blockStart, totalLength);
            if (frame != null) {
                return frame;
            }
        }
    }

    /** Parses a Section Header Block whose 4-byte type has just been read. */
    private void readSectionHeader(long blockStart) throws IOException {
        byte[] head = readBytes(8, "pcapng section header");
        int magic = ByteBuffer.wrap(head).order(ByteOrder.BIG_ENDIAN).getInt(4);
        if (magic == PCAPNG_BYTE_ORDER_MAGIC) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (Integer.reverseBytes(magic) == PCAPNG_BYTE_ORDER_MAGIC) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else {
            throw new MalformedCaptureException(blockStart + 8,
                    String.format("pcapng section header has a bad byte-order magic 0x%08x", magic));
        }
        long totalLength = blockLength(blockStart, ByteBuffer.wrap(head).order(order).getInt(0) & 0xFFFF_FFFFL);
        if (totalLength < 28) {
            throw new MalformedCaptureException(blockStart + 4,
                    "pcapng section header block length " + totalLength + " is shorter than 28");
        }
        ByteBuffer fixed = read(12, "pcapng section header");
        int major = fixed.getShort() & 0xFFFF;
        int minor = fixed.getShort() & 0xFFFF;
        if (major != 1) {
            throw new MalformedCaptureException(blockStart + 12, "unsupported pcapng version " + major + "." + minor);
        }
        skip(totalLength - 28, "pcapng section header options");
        readTrailer(blockStart, totalLength);
        interfaces.clear(); // interface ids are per section
    }

    private void readInterfaceDescription(long blockStart, long totalLength) throws IOException {
        if (totalLength < 20) {
            throw new MalformedCaptureException(blockStart + 4,
                    "pcapng interface description block length " + totalLength + " is shorter than 20");
        }
        long bodyLength = totalLength - 12;
        if (bodyLength > MAX_IDB_LENGTH) {
            throw new MalformedCaptureException(blockStart + 4,
                    "pcapng interface description block length " + totalLength + " exceeds the maximum of "
                            + (MAX_IDB_LENGTH + 12));
        }
        ByteBuffer body = read((int) bodyLength, "pcapng interface description block");
        int linkType = body.getShort() & 0xFFFF;
        body.getShort(); // reserved
        long snapLength = body.getInt() & 0xFFFF_FFFFL;
        boolean binary = false;
        int exponent = 6; // default resolution: microseconds
        long offsetSeconds = 0;
        while (body.remaining() >= 4) {
            long optionOffset = blockStart + 8 + body.position(); // the body follows type and length
            int code = body.getShort() & 0xFFFF;
            int length = body.getShort() & 0xFFFF;
            if (code == OPT_ENDOFOPT) {
                break;
            }
            int padded = (length + 3) & ~3;
            if (padded > body.remaining()) {
                throw new MalformedCaptureException(optionOffset, "pcapng option " + code + " of length " + length
                        + " overruns its interface description block");
            }
            int valueStart = body.position();
            if (code == OPT_IF_TSRESOL) {
                if (length != 1) {
                    throw new MalformedCaptureException(optionOffset, "pcapng if_tsresol option has length "
                            + length + ", expected 1");
                }
                int value = body.get(valueStart) & 0xFF;
                binary = (value & 0x80) != 0;
                exponent = value & 0x7F;
            } else if (code == OPT_IF_TSOFFSET) {
                if (length != 8) {
                    throw new MalformedCaptureException(optionOffset, "pcapng if_tsoffset option has length "
                            + length + ", expected 8");
                }
                offsetSeconds = body.getLong(valueStart);
            }
            body.position(valueStart + padded);
        }
        interfaces.add(new Interface(linkType, snapLength, binary, exponent, offsetSeconds));
    }

    private CapturedFrame readEnhancedPacket(long blockStart, long totalLength) throws IOException {
        if (totalLength < 32) {
            throw new MalformedCaptureException(blockStart + 4,
                    "pcapng enhanced packet block length " + totalLength + " is shorter than 32");
        }
        ByteBuffer fixed = read(20, "pcapng enhanced packet block");
        long interfaceId = fixed.getInt() & 0xFFFF_FFFFL;
        long ticks = (fixed.getInt() & 0xFFFF_FFFFL) << 32 | (fixed.getInt() & 0xFFFF_FFFFL);
        long capturedLength = fixed.getInt() & 0xFFFF_FFFFL;
        long originalLength = fixed.getInt() & 0xFFFF_FFFFL;
        Interface iface = interfaceFor(interfaceId, blockStart + 8);
        if (capturedLength > MAX_CAPTURED_LENGTH) {
            throw new MalformedCaptureException(blockStart + 20, "pcapng packet captured length " + capturedLength
                    + " exceeds the maximum of " + MAX_CAPTURED_LENGTH);
        }
        long padded = (capturedLength + 3) & ~3L;
        if (padded > totalLength - 32) {
            throw new MalformedCaptureException(blockStart + 20, "pcapng packet captured length " + capturedLength
                    + " overruns its block of length " + totalLength);
        }
        if (originalLength > Integer.MAX_VALUE) {
            throw new MalformedCaptureException(blockStart + 24, "pcapng packet original length " + originalLength
                    + " is out of range");
        }
        long nanos = toNanos(ticks, iface, blockStart + 12);
        byte[] data = readBytes((int) capturedLength, "pcapng packet data");
        skip(totalLength - 32 - capturedLength, "pcapng packet padding and options");
        return new CapturedFrame(nanos, iface.linkType(), data, (int) originalLength, (int) interfaceId);
    }

    private CapturedFrame readSimplePacket(long blockStart, long totalLength) throws IOException {
        if (totalLength < 16) {
            throw new MalformedCaptureException(blockStart + 4,
                    "pcapng simple packet block length " + totalLength + " is shorter than 16");
        }
        long originalLength = read(4, "pcapng simple packet block").getInt() & 0xFFFF_FFFFL;
        Interface iface = interfaceFor(0, blockStart + 8);
        if (originalLength > Integer.MAX_VALUE) {
            throw new MalformedCaptureException(blockStart + 8, "pcapng packet original length " + originalLength
                    + " is out of range");
        }
        // The captured length is implicit: the original length, cut by the snap length and the block.
        long capturedLength = Math.min(originalLength, totalLength - 16);
        if (iface.snapLength() != 0) {
            capturedLength = Math.min(capturedLength, iface.snapLength());
        }
        if (capturedLength > MAX_CAPTURED_LENGTH) {
            throw new MalformedCaptureException(blockStart + 8, "pcapng simple packet length " + capturedLength
                    + " exceeds the maximum of " + MAX_CAPTURED_LENGTH);
        }
        byte[] data = readBytes((int) capturedLength, "pcapng packet data");
        skip(totalLength - 16 - capturedLength, "pcapng packet padding");
        return new CapturedFrame(0, iface.linkType(), data, (int) originalLength, 0);
    }

    private Interface interfaceFor(long interfaceId, long fieldOffset) throws MalformedCaptureException {
        if (interfaceId >= interfaces.size()) {
            throw new MalformedCaptureException(fieldOffset, "pcapng packet refers to interface " + interfaceId
                    + " but the section describes " + interfaces.size());
        }
        return interfaces.get((int) interfaceId);
    }

    /** Converts a pcapng timestamp in the interface's units to nanoseconds since the epoch. */
    private static long toNanos(long ticks, Interface iface, long fieldOffset) throws MalformedCaptureException {
        int decimal = iface.resolutionExponent();
        if (!iface.binaryResolution() && decimal <= 9 && iface.offsetSeconds() == 0 && ticks >= 0) {
            long factor = DECIMAL_FACTORS[9 - decimal]; // the common case: whole micro- or nanoseconds
            if (ticks <= Long.MAX_VALUE / factor) {
                return ticks * factor;
            }
        }
        BigInteger t = new BigInteger(Long.toUnsignedString(ticks));
        BigInteger nanos;
        int exp = iface.resolutionExponent();
        if (iface.binaryResolution()) {
            nanos = t.multiply(BIG_NANOS_PER_SECOND).shiftRight(exp);
        } else if (exp <= 9) {
            nanos = t.multiply(BigInteger.TEN.pow(9 - exp));
        } else {
            nanos = t.divide(BigInteger.TEN.pow(exp - 9));
        }
        nanos = nanos.add(BigInteger.valueOf(iface.offsetSeconds()).multiply(BIG_NANOS_PER_SECOND));
        if (nanos.bitLength() > 63) {
            throw new MalformedCaptureException(fieldOffset, "pcapng timestamp " + Long.toUnsignedString(ticks)
                    + " is out of range for nanoseconds");
        }
        return nanos.longValue();
    }

    private long blockLength(long blockStart, long totalLength) throws MalformedCaptureException {
        if (totalLength < 12 || totalLength % 4 != 0) {
            throw new MalformedCaptureException(blockStart + 4, "pcapng block length " + totalLength
                    + " is not a multiple of 4 of at least 12");
        }
        return totalLength;
    }

    private void readTrailer(long blockStart, long totalLength) throws IOException {
        long at = position;
        long trailer = read(4, "pcapng block trailer").getInt() & 0xFFFF_FFFFL;
        if (trailer != totalLength) {
            throw new MalformedCaptureException(at, "pcapng block trailing length " + trailer
                    + " does not match the length " + totalLength + " of the block at offset " + blockStart);
        }
    }

    // ---------------------------------------------------------------- raw input

    /** Reads exactly {@code n} bytes, in the current byte order. */
    private ByteBuffer read(int n, String what) throws IOException {
        return ByteBuffer.wrap(readBytes(n, what)).order(order);
    }

    /** Like {@link #read} but returns {@code null} if the input ends before its first byte. */
    private ByteBuffer readOrEnd(int n, String what) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length == 0) {
            return null;
        }
        if (bytes.length < n) {
            throw truncated(position, n, bytes.length, what);
        }
        position += n;
        return ByteBuffer.wrap(bytes).order(order);
    }

    private byte[] readBytes(int n, String what) throws IOException {
        byte[] bytes = new byte[n];
        int got = in.readNBytes(bytes, 0, n);
        if (got < n) {
            throw truncated(position, n, got, what);
        }
        position += n;
        return bytes;
    }

    private void skip(long n, String what) throws IOException {
        long start = position;
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                // skip() may legitimately return 0; read() tells EOF from "try again".
                if (in.read() < 0) {
                    throw truncated(start, n, n - left, what);
                }
                skipped = 1;
            }
            left -= skipped;
            position += skipped;
        }
    }

    private static MalformedCaptureException truncated(long start, long wanted, long got, String what) {
        return new MalformedCaptureException(start, "truncated capture file: " + what + " needs " + wanted
                + " bytes but the file ends after " + got);
    }
}
