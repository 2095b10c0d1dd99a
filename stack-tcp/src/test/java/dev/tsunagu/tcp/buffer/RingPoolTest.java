package dev.tsunagu.tcp.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RingPoolTest {
    @Test
    void takesTheLargestArrayThatFits() {
        RingPool pool = new RingPool();
        byte[] small = new byte[4096];
        byte[] mid = new byte[65536];
        byte[] big = new byte[1 << 20];
        pool.give(small);
        pool.give(mid);
        pool.give(big);
        assertThat(pool.take(1, 100_000)).isSameAs(mid);
        assertThat(pool.take(5000, 1 << 20)).isSameAs(big);
        assertThat(pool.take(5000, 1 << 20)).as("nothing large enough left").isNull();
        assertThat(pool.take(1, 4096)).isSameAs(small);
        assertThat(pool.size()).isZero();
        assertThat(pool.bytes()).isZero();
    }

    @Test
    void keepsAtMostItsBoundsAndNoEmptyArrays() {
        RingPool pool = new RingPool();
        pool.give(new byte[0]);
        assertThat(pool.size()).isZero();
        for (int i = 0; i < RingPool.MAX_ARRAYS + 5; i++) {
            pool.give(new byte[16]);
        }
        assertThat(pool.size()).isEqualTo(RingPool.MAX_ARRAYS);
        RingPool bytes = new RingPool();
        bytes.give(new byte[(int) (RingPool.MAX_BYTES / 2)]);
        bytes.give(new byte[(int) (RingPool.MAX_BYTES / 2)]);
        bytes.give(new byte[1]);
        assertThat(bytes.size()).isEqualTo(2);
        assertThat(bytes.bytes()).isEqualTo(RingPool.MAX_BYTES);
    }

    @Test
    void aReceiveBufferThatEmptiesAndRefillsGetsItsRingBackWithoutRegrowing() {
        RingPool pool = new RingPool();
        ReceiveBuffer rb = new ReceiveBuffer(1 << 20, 4, pool);
        byte[] segment = new byte[1460];
        byte[] sink = new byte[1 << 20];
        for (int i = 0; i < 400; i++) {
            rb.insert(0, segment, 0, segment.length);
        }
        int grown = rb.allocated();
        assertThat(grown).isGreaterThanOrEqualTo(400 * 1460);
        rb.read(sink, 0, sink.length);
        rb.trim();
        assertThat(rb.allocated()).as("an empty buffer holds nothing").isZero();
        int pooled = pool.size(); // the ring, and the smaller ones it outgrew on the way up
        assertThat(pooled).isPositive();
        rb.insert(0, segment, 0, segment.length);
        assertThat(rb.allocated()).as("the pooled ring, at its old size").isEqualTo(grown);
        assertThat(pool.size()).isEqualTo(pooled - 1);
    }

    @Test
    void aSendBufferThatEmptiesAndRefillsGetsItsRingBack() {
        RingPool pool = new RingPool();
        SendBuffer sb = new SendBuffer(256 * 1024, pool);
        sb.write(new byte[200_000], 0, 200_000);
        int grown = sb.allocated();
        sb.drop(200_000);
        sb.trim();
        assertThat(sb.allocated()).isZero();
        sb.write(new byte[10], 0, 10);
        assertThat(sb.allocated()).isEqualTo(grown);
        byte[] out = new byte[10];
        sb.read(0, out, 0, 10);
        assertThat(out).containsOnly(0);
    }

    @Test
    void growingHandsTheOldRingToThePool() {
        RingPool pool = new RingPool();
        SendBuffer sb = new SendBuffer(1 << 20, pool);
        sb.write(new byte[4096], 0, 4096);
        assertThat(sb.allocated()).isEqualTo(4096);
        sb.write(new byte[1], 0, 1);
        assertThat(sb.allocated()).isEqualTo(8192);
        assertThat(pool.size()).as("the 4 KiB ring, for some other buffer").isEqualTo(1);
    }
}
