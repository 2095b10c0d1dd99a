package dev.tsunagu.driver.pcap.replay;

import dev.tsunagu.link.capture.CapturedFrame;
import dev.tsunagu.link.capture.LinkType;
import dev.tsunagu.link.capture.PcapReader;
import dev.tsunagu.link.capture.PcapWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Capture files for the replay tests, and questions about the frames in them. */
final class Captures {
    private Captures() {}

    /** One frame and its time, as a test writes it. */
    record Timed(long nanos, byte[] data) {}

    static void writePcap(Path file, List<Timed> frames) throws IOException {
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, 65535)) {
            for (Timed t : frames) {
                w.write(t.nanos(), t.data());
            }
        }
    }

    /**
     * A pcapng file written byte by byte (not by our writer, which writes classic pcap only):
     * a Section Header, one Ethernet Interface Description with nanosecond resolution
     * ({@code if_tsresol} = 9), an Enhanced Packet Block per frame, in {@code order}.
     */
    static void writePcapng(Path file, List<Timed> frames, ByteOrder order) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(buf(28, order).putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1)
                .putShort((short) 0).putLong(-1).putInt(28).array());
        // IDB: type, length, linktype, reserved, snaplen, option if_tsresol (9, len 1, value 9, 3 pad), end, length
        out.writeBytes(buf(32, order).putInt(1).putInt(32).putShort((short) LinkType.ETHERNET).putShort((short) 0)
                .putInt(65535).putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3])
                .putInt(0).putInt(32).array());
        for (Timed t : frames) {
            int padded = (t.data().length + 3) & ~3;
            int length = 32 + padded;
            ByteBuffer b = buf(length, order).putInt(6).putInt(length).putInt(0)
                    .putInt((int) (t.nanos() >>> 32)).putInt((int) t.nanos())
                    .putInt(t.data().length).putInt(t.data().length);
            b.put(t.data()).put(new byte[padded - t.data().length]).putInt(length);
            out.writeBytes(b.array());
        }
        Files.write(file, out.toByteArray());
    }

    private static ByteBuffer buf(int n, ByteOrder order) {
        return ByteBuffer.allocate(n).order(order);
    }

    static List<byte[]> read(Path file) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        try (PcapReader r = PcapReader.open(file)) {
            for (CapturedFrame f = r.next(); f != null; f = r.next()) {
                frames.add(f.data());
            }
        }
        return frames;
    }

    static List<Timed> readTimed(Path file) throws IOException {
        List<Timed> frames = new ArrayList<>();
        try (PcapReader r = PcapReader.open(file)) {
            for (CapturedFrame f = r.next(); f != null; f = r.next()) {
                frames.add(new Timed(f.timestampNanos(), f.data()));
            }
        }
        return frames;
    }

    static long srcMac(byte[] f) {
        return PcapFileDriver.readMac(f, 6);
    }

    // ---- TCP, for untagged Ethernet/IPv4 frames ----

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    static boolean isTcp(byte[] f) {
        return TcpAckRewriter.tcpOffset(f, 0, f.length) >= 0;
    }

    static int flags(byte[] f) {
        return f[TcpAckRewriter.tcpOffset(f, 0, f.length) + 13] & 0x3F;
    }

    static int seq(byte[] f) {
        return TcpAckRewriter.i32(f, TcpAckRewriter.tcpOffset(f, 0, f.length) + 4);
    }

    static int ack(byte[] f) {
        return TcpAckRewriter.i32(f, TcpAckRewriter.tcpOffset(f, 0, f.length) + 8);
    }

    static int srcPort(byte[] f) {
        return TcpAckRewriter.u16(f, TcpAckRewriter.tcpOffset(f, 0, f.length));
    }

    static byte[] payload(byte[] f) {
        int tcp = TcpAckRewriter.tcpOffset(f, 0, f.length);
        int ipEnd = 14 + TcpAckRewriter.u16(f, 16);
        int dataStart = tcp + ((f[tcp + 12] & 0xF0) >>> 4) * 4;
        return Arrays.copyOfRange(f, dataStart, ipEnd);
    }

    /** Whether the TCP checksum of {@code f} verifies (pseudo-header included). */
    static boolean tcpChecksumOk(byte[] f) {
        int tcp = TcpAckRewriter.tcpOffset(f, 0, f.length);
        int ipEnd = 14 + TcpAckRewriter.u16(f, 16);
        int tcpLength = ipEnd - tcp;
        long sum = dev.tsunagu.net.InternetChecksum.pseudoHeader(TcpAckRewriter.i32(f, 26), TcpAckRewriter.i32(f, 30), 6,
                tcpLength);
        sum = dev.tsunagu.net.InternetChecksum.add(sum, f, tcp, tcpLength);
        return dev.tsunagu.net.InternetChecksum.finish(sum) == 0;
    }
}
