package dev.tsunagu.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The one buffer type a packet lives in, from the driver to the socket and back.
 *
 * <p>A packet buffer is a {@code byte[]} with a window {@code [start, end)} over it. The space
 * before {@code start} is <em>headroom</em>: on the way out each layer {@link #prepend
 * prepends} its header into it, so a TCP segment built once becomes an IP packet and then an
 * Ethernet frame without a copy. On the way in each layer {@link #consume consumes} its
 * header and hands the rest up. Header views ({@code EthernetFrame}, {@code Ipv4Header}…)
 * read and write fields in place through the accessors here; offsets given to accessors are
 * relative to {@code start}.
 *
 * <p><b>Ownership.</b> Exactly one party owns a buffer at a time. Whoever is handed a
 * buffer must either hand it on (to the next layer, to a driver, to a queue) or
 * {@link #release()} it; after that it must not touch it. Buffers come from a
 * {@link BufferPool}, are used on the event loop and may cross threads only through a
 * thread-safe hand-off (a driver's receive queue), which publishes their contents.
 *
 * <p>Multi-byte accessors are big-endian (network order).
 */
public final class PacketBuffer {
    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] array;
    private final BufferPool pool;      // null: not pooled
    private final int sizeClass;
    private int start;
    private int end;
    private boolean free;
    private MemorySegment segment;      // a view of array, made once per buffer for FFM drivers
    // Offload metadata (what Linux keeps in the sk_buff beside the bytes); cleared by reset.
    private boolean checksumVerified;   // received: the device vouched for the transport checksum
    private int checksumStart = -1;     // sent: array offset where the device starts summing; -1: complete
    private int checksumField;          // sent: offset of the checksum field from checksumStart
    private int segmentSize;            // sent: the device cuts the TCP payload into pieces of this; 0: none

    PacketBuffer(byte[] array, BufferPool pool, int sizeClass) {
        this.array = array;
        this.pool = pool;
        this.sizeClass = sizeClass;
    }

    /** An unpooled buffer over a fresh array of {@code capacity} bytes with the given headroom and no data. */
    public static PacketBuffer allocate(int capacity, int headroom) {
        PacketBuffer b = new PacketBuffer(new byte[capacity], null, -1);
        b.reset(headroom);
        return b;
    }

    /** An unpooled buffer holding a copy of {@code data}, with {@code headroom} bytes in front. */
    public static PacketBuffer copyOf(byte[] data, int headroom) {
        return copyOf(data, 0, data.length, headroom);
    }

    /**
     * An unpooled buffer holding a copy of {@code data[offset, offset + length)}, with
     * {@code headroom} bytes in front.
     */
    public static PacketBuffer copyOf(byte[] data, int offset, int length, int headroom) {
        PacketBuffer b = allocate(headroom + length, headroom);
        b.append(data, offset, length);
        return b;
    }

    /** Empties the buffer and puts {@code headroom} bytes of room in front of the data. */
    public PacketBuffer reset(int headroom) {
        if (headroom < 0 || headroom > array.length) {
            throw new IllegalArgumentException("headroom " + headroom + " does not fit capacity " + array.length);
        }
        start = headroom;
        end = headroom;
        checksumVerified = false;
        checksumStart = -1;
        checksumField = 0;
        segmentSize = 0;
        return this;
    }

    /** The backing array. Data is at {@code [start(), end())}. */
    public byte[] array() {
        return array;
    }

    /** The backing array as a heap segment, for FFM downcalls that accept heap memory. */
    public MemorySegment segment() {
        MemorySegment s = segment;
        if (s == null) {
            s = segment = MemorySegment.ofArray(array);
        }
        return s;
    }

    /** Array offset of the first data byte; everything before it is headroom. */
    public int start() {
        return start;
    }

    /** Array offset just past the last data byte. */
    public int end() {
        return end;
    }

    /** Bytes of data in the window ({@code end() - start()}). */
    public int length() {
        return end - start;
    }

    /** Size of the backing array in bytes. */
    public int capacity() {
        return array.length;
    }

    /** Free bytes in front of the data, where {@link #prepend} writes headers; equals {@link #start()}. */
    public int headroom() {
        return start;
    }

    /** Free bytes after the data, where {@link #append(int)} writes. */
    public int tailroom() {
        return array.length - end;
    }

    /**
     * Grows the data {@code n} bytes towards the front (to write a header there) and returns
     * the new start offset in the array.
     */
    public int prepend(int n) {
        if (n < 0 || n > start) {
            throw new IndexOutOfBoundsException("no headroom for " + n + " bytes (have " + start + ")");
        }
        start -= n;
        return start;
    }

    /** Drops {@code n} bytes from the front (a header that has been read). */
    public void consume(int n) {
        if (n < 0 || n > length()) {
            throw new IndexOutOfBoundsException("cannot consume " + n + " of " + length() + " bytes");
        }
        start += n;
    }

    /** Extends the data {@code n} bytes at the end and returns the array offset where they begin. */
    public int append(int n) {
        if (n < 0 || n > tailroom()) {
            throw new IndexOutOfBoundsException("no tailroom for " + n + " bytes (have " + tailroom() + ")");
        }
        int at = end;
        end += n;
        return at;
    }

    /**
     * Appends a copy of {@code src[offset, offset + length)} at the end of the data.
     *
     * @throws IndexOutOfBoundsException if the tailroom is too small
     */
    public void append(byte[] src, int offset, int length) {
        int at = append(length);
        System.arraycopy(src, offset, array, at, length);
    }

    /** Cuts the data to its first {@code length} bytes (e.g. to drop Ethernet padding). */
    public void truncate(int length) {
        if (length < 0 || length > length()) {
            throw new IndexOutOfBoundsException("cannot truncate " + length() + " bytes to " + length);
        }
        end = start + length;
    }

    /** Sets the window to {@code [start, end)} in array offsets (drivers that fill the array directly). */
    public void setWindow(int start, int end) {
        if (start < 0 || start > end || end > array.length) {
            throw new IndexOutOfBoundsException("bad window [" + start + ", " + end + ") in " + array.length);
        }
        this.start = start;
        this.end = end;
    }

    // ---- offloads: what the device did or is to do (virtio-net's header, Linux's sk_buff fields) ----

    /**
     * Marks a received packet whose transport checksum the device has verified (virtio-net's
     * {@code DATA_VALID}), or which never crossed a wire (the local kernel's {@code NEEDS_CSUM}):
     * the transport layer need not sum it again.
     */
    public void setChecksumVerified(boolean verified) {
        checksumVerified = verified;
    }

    /** Whether the device vouched for this received packet's transport checksum. */
    public boolean checksumVerified() {
        return checksumVerified;
    }

    /**
     * Leaves this packet's transport checksum for the device to finish: it sums from
     * {@code index} (relative to {@link #start()}, the transport header) to the end and adds the
     * result into the field {@code fieldOffset} bytes further on, which holds the pseudo-header
     * sum. The position is kept as an array offset, so headers prepended later do not move it.
     */
    public void setChecksumPartial(int index, int fieldOffset) {
        if (index < 0 || fieldOffset < 0 || index + fieldOffset + 2 > length()) {
            throw new IndexOutOfBoundsException("checksum at " + index + "+" + fieldOffset + " outside " + length() + " bytes");
        }
        checksumStart = start + index;
        checksumField = fieldOffset;
    }

    /** The transport checksum is complete (finished in software, or never left partial). */
    public void setChecksumComplete() {
        checksumStart = -1;
        checksumField = 0;
    }

    /** Whether the device is to finish this packet's transport checksum ({@link #setChecksumPartial}). */
    public boolean checksumPartial() {
        return checksumStart >= 0;
    }

    /** Where the device starts summing, relative to {@link #start()}; meaningful when {@link #checksumPartial()}. */
    public int checksumStart() {
        return checksumStart - start;
    }

    /** The checksum field's offset from {@link #checksumStart()}. */
    public int checksumFieldOffset() {
        return checksumField;
    }

    /**
     * Asks the device to cut this TCP packet's payload into segments of {@code size} bytes
     * (TSO, virtio-net's {@code gso_size}), each with copies of the headers; 0 for none.
     */
    public void setSegmentSize(int size) {
        if (size < 0 || size > 0xFFFF) {
            throw new IllegalArgumentException("segment size " + size);
        }
        segmentSize = size;
    }

    /** The payload size the device cuts this packet into, or 0 if it goes as it is. */
    public int segmentSize() {
        return segmentSize;
    }

    // ---- big-endian accessors, offsets relative to start() ----

    /** The unsigned byte at {@code index}. */
    public int getU8(int index) {
        return array[start + index] & 0xFF;
    }

    /** The unsigned big-endian 16-bit value at {@code index}. */
    public int getU16(int index) {
        return (short) U16.get(array, start + index) & 0xFFFF;
    }

    /** The big-endian 32-bit value at {@code index}, as a signed int (sequence numbers, addresses). */
    public int getI32(int index) {
        return (int) U32.get(array, start + index);
    }

    /** The unsigned big-endian 32-bit value at {@code index}. */
    public long getU32(int index) {
        return getI32(index) & 0xFFFF_FFFFL;
    }

    /** The 48-bit value at {@code index} (a MAC address). */
    public long getU48(int index) {
        return ((long) getU16(index) << 32) | getU32(index + 2);
    }

    /** The big-endian 64-bit value at {@code index}. */
    public long getI64(int index) {
        return (long) U64.get(array, start + index);
    }

    /** Writes the low 8 bits of {@code value} at {@code index}. */
    public void setU8(int index, int value) {
        array[start + index] = (byte) value;
    }

    /** Writes the low 16 bits of {@code value} at {@code index}, big-endian. */
    public void setU16(int index, int value) {
        U16.set(array, start + index, (short) value);
    }

    /** Writes {@code value} at {@code index}, big-endian. */
    public void setI32(int index, int value) {
        U32.set(array, start + index, value);
    }

    /** Writes the low 48 bits of {@code value} at {@code index}, big-endian (a MAC address). */
    public void setU48(int index, long value) {
        setU16(index, (int) (value >>> 32));
        setI32(index + 2, (int) value);
    }

    /**
     * Copies {@code src[offset, offset + length)} into the data at {@code index}; the window does not change.
     */
    public void setBytes(int index, byte[] src, int offset, int length) {
        System.arraycopy(src, offset, array, start + index, length);
    }

    /** Copies {@code length} bytes of data from {@code index} into {@code dst[offset...]}. */
    public void getBytes(int index, byte[] dst, int offset, int length) {
        System.arraycopy(array, start + index, dst, offset, length);
    }

    /** Sets {@code length} bytes of data from {@code index} to {@code value} (padding, zeroed fields). */
    public void fill(int index, int length, byte value) {
        java.util.Arrays.fill(array, start + index, start + index + length, value);
    }

    /** A copy of the data, for tests and slow paths. */
    public byte[] toByteArray() {
        return java.util.Arrays.copyOfRange(array, start, end);
    }

    // ---- pooling ----

    /** Gives the buffer back to its pool (or to the garbage collector if unpooled). */
    public void release() {
        if (free) {
            throw new IllegalStateException("buffer released twice");
        }
        free = true;
        if (pool != null) {
            pool.recycle(this);
        }
    }

    /** Whether this buffer has been released; for assertions and leak checks. */
    public boolean isReleased() {
        return free;
    }

    void markAcquired(int headroom) {
        free = false;
        reset(headroom);
    }

    int sizeClass() {
        return sizeClass;
    }

    BufferPool pool() {
        return pool;
    }

    @Override
    public String toString() {
        return "PacketBuffer[" + length() + " bytes, headroom " + start + ", capacity " + array.length + "]";
    }
}
