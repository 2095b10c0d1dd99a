package dev.tsunagu.bench;

import dev.tsunagu.net.InternetChecksum;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** The Internet checksum (RFC 1071) over a full-size Ethernet payload, and a jumbo one. */
public class ChecksumBenchmark extends NanosecondBenchmark {
    @Param({"1500", "9000"})
    int length;

    byte[] data;

    @Setup
    public void setUp() {
        data = new byte[length];
        new SplittableRandom(7).nextBytes(data);
    }

    @Benchmark
    public int compute() {
        return InternetChecksum.compute(data, 0, length);
    }

    /** The loop InternetChecksum had before (8 bytes a turn, big-endian loads), for comparison. */
    @Benchmark
    public int previousEightBytesATurn() {
        long sum = 0;
        int i = 0;
        while (length - i >= 8) {
            long v = (long) LONG_BE.get(data, i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            i += 8;
        }
        while (length - i >= 2) {
            sum += ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
            i += 2;
        }
        return InternetChecksum.finish(sum);
    }

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
}
