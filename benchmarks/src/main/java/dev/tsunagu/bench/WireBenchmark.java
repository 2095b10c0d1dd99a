package dev.tsunagu.bench;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.tcp.wire.TcpHeader;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * TCP/IP wire work per full-size segment (1460 bytes of payload): emit (TCP header with its
 * checksum over pseudo-header and payload, then the IPv4 header with its own) into a pooled
 * buffer, and parse (IPv4 check, TCP check with the checksum verified, the fields the
 * receiver reads).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WireBenchmark {
    static final int SRC = 0x0A4D0001;
    static final int DST = 0x0A4D0002;
    static final int MSS = 1460;

    final BufferPool pool = new BufferPool();
    final byte[] payload = new byte[MSS];
    PacketBuffer received;

    @Setup
    public void setUp() {
        new SplittableRandom(3).nextBytes(payload);
        received = PacketBuffer.allocate(2048, BufferPool.DEFAULT_HEADROOM);
        received.append(payload, 0, MSS);
        TcpHeader.prepend(received, 40000, 80, 1000, 2000, TcpHeader.ACK | TcpHeader.PSH, 512, 0, -1, false, SRC, DST);
        Ipv4Header.prepend(received, 0, 1, Ipv4Header.FLAG_DF, 64, IpProtocol.TCP, SRC, DST);
    }

    @Benchmark
    public int emit() {
        PacketBuffer b = pool.acquire(MSS);
        b.append(payload, 0, MSS);
        TcpHeader.prepend(b, 40000, 80, 1000, 2000, TcpHeader.ACK | TcpHeader.PSH, 512, 0, -1, false, SRC, DST);
        Ipv4Header.prepend(b, 0, 1, Ipv4Header.FLAG_DF, 64, IpProtocol.TCP, SRC, DST);
        int length = b.length();
        b.release();
        return length;
    }

    @Benchmark
    public void parse(Blackhole bh) {
        PacketBuffer b = received;
        int start = b.start();
        if (Ipv4Header.check(b) != Ipv4Header.Problem.OK) {
            throw new AssertionError("IPv4 check failed");
        }
        b.consume(Ipv4Header.MIN_HEADER_LENGTH);
        if (TcpHeader.check(b, SRC, DST) != TcpHeader.Problem.OK) {
            throw new AssertionError("TCP check failed");
        }
        bh.consume(TcpHeader.sequence(b));
        bh.consume(TcpHeader.acknowledgment(b));
        bh.consume(TcpHeader.flags(b));
        bh.consume(TcpHeader.window(b));
        bh.consume(TcpHeader.payloadLength(b));
        b.setWindow(start, b.end());
    }
}
