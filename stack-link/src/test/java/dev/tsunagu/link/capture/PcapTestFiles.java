package dev.tsunagu.link.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Byte-by-byte builders for capture files, independent of {@link PcapWriter}. */
final class PcapTestFiles {
    private PcapTestFiles() {}

    static final int SHB = 0x0A0D0D0A;
    static final int IDB = 1;
    static final int SPB = 3;
    static final int NRB = 4;
    static final int ISB = 5;
    static final int EPB = 6;

    /** Frame payload whose bytes are {@code seed, seed+1, ...}. */
    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** A classic pcap file, in either byte order and resolution. */
    static final class Classic {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;

        Classic(ByteOrder order, boolean nanos, int snapLength, int network) {
            this.order = order;
            put(buf(24).putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4)
                    .putShort((short) 2).putShort((short) 4)
                    .putInt(0).putInt(0).putInt(snapLength).putInt(network));
        }

        /** A record with explicit header fields; {@code data} is written as given. */
        Classic record(long seconds, long fraction, int capturedLength, int originalLength, byte[] data) {
            put(buf(16).putInt((int) seconds).putInt((int) fraction).putInt(capturedLength).putInt(originalLength));
            out.writeBytes(data);
            return this;
        }

        Classic record(long seconds, long fraction, byte[] data, int originalLength) {
            return record(seconds, fraction, data.length, originalLength, data);
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private ByteBuffer buf(int n) {
            return ByteBuffer.allocate(n).order(order);
        }

        private void put(ByteBuffer b) {
            out.writeBytes(b.array());
        }
    }

    /** A pcapng file; blocks are appended in the byte order of the latest section header. */
    static final class Pcapng {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order;

        /** Starts a section (version 1.0, unknown section length, one shb_userappl option). */
        Pcapng shb(ByteOrder order) {
            this.order = order;
            byte[] body = concat(
                    buf(16).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array(),
                    option(4, "tsunagu-test".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                    endOfOptions());
            return block(SHB, body);
        }

        /** An interface; {@code tsresol} (if_tsresol byte) and {@code tsoffset} are omitted when null. */
        Pcapng idb(int linkType, int snapLength, Integer tsresol, Long tsoffset) {
            byte[] fixed = buf(8).putShort((short) linkType).putShort((short) 0).putInt(snapLength).array();
            byte[] options = new byte[0];
            options = concat(options, option(2, "eth0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            if (tsresol != null) {
                options = concat(options, option(9, new byte[] {(byte) (int) tsresol}));
            }
            if (tsoffset != null) {
                options = concat(options, option(14, buf(8).putLong(tsoffset).array()));
            }
            boolean any = options.length > 0;
            return block(IDB, any ? concat(fixed, options, endOfOptions()) : fixed);
        }

        /** An Enhanced Packet Block with a comment option. */
        Pcapng epb(int interfaceId, long ticks, byte[] data, int originalLength) {
            byte[] fixed = buf(20).putInt(interfaceId).putInt((int) (ticks >>> 32)).putInt((int) ticks)
                    .putInt(data.length).putInt(originalLength).array();
            byte[] comment = option(1, "a comment".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return block(EPB, concat(fixed, pad(data), comment, endOfOptions()));
        }

        /** An EPB with a lying captured-length field. */
        Pcapng epbRaw(int interfaceId, long ticks, int capturedLengthField, int originalLength, byte[] data) {
            byte[] fixed = buf(20).putInt(interfaceId).putInt((int) (ticks >>> 32)).putInt((int) ticks)
                    .putInt(capturedLengthField).putInt(originalLength).array();
            return block(EPB, concat(fixed, pad(data)));
        }

        Pcapng spb(byte[] data, int originalLength) {
            return block(SPB, concat(buf(4).putInt(originalLength).array(), pad(data)));
        }

        /** Any block: type, total length, padded body, total length. */
        Pcapng block(int type, byte[] body) {
            byte[] padded = pad(body);
            int total = 12 + padded.length;
            return block(type, total, padded, total);
        }

        /** A block with explicit (possibly inconsistent) length fields. */
        Pcapng block(int type, int headerLength, byte[] body, int trailerLength) {
            out.writeBytes(buf(8).putInt(type).putInt(headerLength).array());
            out.writeBytes(body);
            out.writeBytes(buf(4).putInt(trailerLength).array());
            return this;
        }

        Pcapng raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        ByteBuffer buf(int n) {
            return ByteBuffer.allocate(n).order(order);
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private byte[] option(int code, byte[] value) {
            return concat(buf(4).putShort((short) code).putShort((short) value.length).array(), pad(value));
        }

        private byte[] endOfOptions() {
            return new byte[4];
        }
    }

    static byte[] pad(byte[] b) {
        return Arrays.copyOf(b, (b.length + 3) & ~3);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
