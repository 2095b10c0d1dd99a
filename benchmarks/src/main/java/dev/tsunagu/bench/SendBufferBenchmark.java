package dev.tsunagu.bench;

import dev.tsunagu.tcp.buffer.SendBuffer;
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

/**
 * The send buffer's copies per 64 KiB application write: in (write), out per 1460-byte
 * segment into a packet buffer (read), and released as ACKs arrive (drop).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SendBufferBenchmark {
    static final int WRITE = 64 * 1024;
    static final int MSS = 1460;

    final SendBuffer buffer = new SendBuffer(1 << 20);
    final byte[] app = new byte[WRITE];
    final byte[] segment = new byte[2048];

    @Setup
    public void setUp() {
        buffer.write(new byte[1000], 0, 1000); // keep the ring from ever being empty: it wraps
    }

    @Benchmark
    public int writeSegmentDrop() {
        buffer.write(app, 0, WRITE);
        int offset = 1000;
        int end = 1000 + WRITE;
        while (offset < end) {
            int n = Math.min(MSS, end - offset);
            buffer.read(offset, segment, 0, n);
            offset += n;
        }
        buffer.drop(WRITE);
        return buffer.length();
    }
}
