package dev.tsunagu.link.capture;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes classic libpcap files with nanosecond timestamps.
 *
 * <p>Format: a 24-byte file header (magic {@code 0xa1b23c4d}, version 2.4, zone 0, sigfigs 0,
 * snap length, link type) followed by one 16-byte record header plus the captured bytes per
 * frame. Every field is written little-endian, whatever the machine: readers detect the byte
 * order from the magic.
 *
 * <p>Thread-safe: the stack's loop thread and driver threads may write concurrently; every
 * public method is {@code synchronized}, so records never interleave. Output is buffered:
 * call {@link #flush()} to make frames visible to a reader of the file before {@link #close()}.
 *
 * <p>Timestamps are the caller's: the writer never reads a clock. They must be non-negative
 * and below 2<sup>32</sup> seconds, the range of the format's unsigned 32-bit seconds field.
 */
public final class PcapWriter implements Closeable {
    /** The classic pcap magic number announcing nanosecond-resolution timestamps. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    /** The classic pcap magic number announcing microsecond-resolution timestamps. */
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    /**
     * The largest snap length accepted: 256 KiB, the limit libpcap and Wireshark apply to
     * records, and the bound {@link PcapReader} enforces.
     */
    public static final int MAX_SNAP_LENGTH = 256 * 1024;

    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long MAX_TIMESTAMP_NANOS = (0xFFFF_FFFFL + 1) * NANOS_PER_SECOND - 1;
    private static final int BUFFER_SIZE = 64 * 1024;

    private final OutputStream out;
    private final int linkType;
    private final int snapLength;
    private final ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] scratch = new byte[0];
    private long framesWritten;
    private boolean closed;

    private PcapWriter(OutputStream out, int linkType, int snapLength) {
        this.out = out;
        this.linkType = linkType;
        this.snapLength = snapLength;
    }

    /**
     * Creates (or truncates) {@code file} and writes the pcap file header.
     *
     * @param linkType   a {@link LinkType} value, 0..65535
     * @param snapLength the most bytes kept per frame, 1..{@link #MAX_SNAP_LENGTH}
     */
    public static PcapWriter create(Path file, int linkType, int snapLength) throws IOException {
        Objects.requireNonNull(file, "file");
        checkArguments(linkType, snapLength);
        return start(Files.newOutputStream(file), linkType, snapLength);
    }

    /**
     * Writes a pcap stream to {@code out}, starting with the file header. {@link #close()}
     * closes {@code out}.
     *
     * @param linkType   a {@link LinkType} value, 0..65535
     * @param snapLength the most bytes kept per frame, 1..{@link #MAX_SNAP_LENGTH}
     */
    public static PcapWriter to(OutputStream out, int linkType, int snapLength) throws IOException {
        Objects.requireNonNull(out, "out");
        checkArguments(linkType, snapLength);
        return start(out, linkType, snapLength);
    }

    private static void checkArguments(int linkType, int snapLength) {
        if (linkType < 0 || linkType > 0xFFFF) {
            throw new IllegalArgumentException("link type must be 0..65535: " + linkType);
        }
        if (snapLength < 1 || snapLength > MAX_SNAP_LENGTH) {
            throw new IllegalArgumentException("snap length must be 1.." + MAX_SNAP_LENGTH + ": " + snapLength);
        }
    }

    private static PcapWriter start(OutputStream raw, int linkType, int snapLength) throws IOException {
        OutputStream buffered = new BufferedOutputStream(raw, BUFFER_SIZE);
        try {
            ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(MAGIC_NANOS)
                    .putShort((short) 2) // version major
                    .putShort((short) 4) // version minor
                    .putInt(0) // thiszone: timestamps are UTC
                    .putInt(0) // sigfigs
                    .putInt(snapLength)
                    .putInt(linkType);
            buffered.write(header.array());
        } catch (IOException | RuntimeException e) {
            try {
                raw.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return new PcapWriter(buffered, linkType, snapLength);
    }

    /**
     * Appends one frame: {@code data[offset .. offset+length)} captured at {@code timestampNanos}.
     * At most {@link #snapLength()} bytes are stored; the record keeps {@code length} as the
     * original length.
     *
     * @throws IllegalStateException     after {@link #close()}
     * @throws IllegalArgumentException  if the timestamp is outside the format's range
     * @throws IndexOutOfBoundsException if the range is not within {@code data}
     */
    public synchronized void write(long timestampNanos, byte[] data, int offset, int length) throws IOException {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(offset, length, data.length);
        ensureOpen();
        int captured = writeRecordHeader(timestampNanos, length);
        out.write(data, offset, captured);
        framesWritten++;
    }

    /** Appends the whole of {@code data}; see {@link #write(long, byte[], int, int)}. */
    public void write(long timestampNanos, byte[] data) throws IOException {
        write(timestampNanos, Objects.requireNonNull(data, "data"), 0, data.length);
    }

    /**
     * Appends the remaining bytes of {@code frame} (position to limit) without moving its
     * position; see {@link #write(long, byte[], int, int)}.
     */
    public synchronized void write(long timestampNanos, ByteBuffer frame) throws IOException {
        Objects.requireNonNull(frame, "frame");
        ensureOpen();
        int length = frame.remaining();
        int captured = writeRecordHeader(timestampNanos, length);
        if (frame.hasArray()) {
            out.write(frame.array(), frame.arrayOffset() + frame.position(), captured);
        } else {
            if (scratch.length < captured) {
                scratch = new byte[Math.max(captured, 2048)];
            }
            frame.get(frame.position(), scratch, 0, captured);
            out.write(scratch, 0, captured);
        }
        framesWritten++;
    }

    /** Validates, then writes the 16-byte record header; returns the captured length. */
    private int writeRecordHeader(long timestampNanos, int length) throws IOException {
        if (timestampNanos < 0 || timestampNanos > MAX_TIMESTAMP_NANOS) {
            throw new IllegalArgumentException("timestamp out of pcap range (0 .. 2^32 s): " + timestampNanos + " ns");
        }
        int captured = Math.min(length, snapLength);
        recordHeader.clear();
        recordHeader.putInt((int) (timestampNanos / NANOS_PER_SECOND)) // unsigned seconds
                .putInt((int) (timestampNanos % NANOS_PER_SECOND))
                .putInt(captured)
                .putInt(length);
        out.write(recordHeader.array(), 0, RECORD_HEADER_LENGTH);
        return captured;
    }

    /** Pushes buffered frames to the underlying file or stream. */
    public synchronized void flush() throws IOException {
        ensureOpen();
        out.flush();
    }

    /** Flushes and closes the underlying file or stream. Closing twice has no effect. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        out.close(); // BufferedOutputStream.close flushes first
    }

    /** The number of frames written so far. */
    public synchronized long framesWritten() {
        return framesWritten;
    }

    public int linkType() {
        return linkType;
    }

    public int snapLength() {
        return snapLength;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("pcap writer is closed");
        }
    }
}
