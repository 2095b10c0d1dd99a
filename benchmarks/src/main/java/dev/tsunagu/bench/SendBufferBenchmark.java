package dev.tsunagu.bench;

import dev.tsunagu.tcp.buffer.SendBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * The send buffer's copies per 64 KiB application write: in (write), out per 1460-byte
 * segment into a packet buffer (read), and released as ACKs arrive (drop).
 */
public class SendBufferBenchmark extends NanosecondBenchmark {
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
