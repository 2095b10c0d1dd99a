package dev.tsunagu.bench;

import dev.tsunagu.link.arp.NeighborCache;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.Neighbors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The ARP cache lookup every outgoing IPv4 packet makes, in a real stack's cache holding 256
 * resolved neighbours.
 */
public class ArpCacheBenchmark extends NanosecondBenchmark {
    static final int BASE = 0x0A4E0000; // 10.78.0.0/16

    VirtualEventLoop loop;
    NetworkStack stack;
    NeighborCache cache;
    NetInterface iface;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        loop = new VirtualEventLoop();
        stack = NetworkStack.builder().name("arp-bench").eventLoop(loop)
                .addInterface("cable:arp-bench", "10.78.0.1/16").buildUnchecked();
        cache = (NeighborCache) stack.service(Neighbors.class).orElseThrow();
        iface = stack.primaryInterface();
        for (int i = 0; i < 256; i++) {
            cache.learn(iface, BASE + 2 + i, 0x02_00_00_00_00_00L + i, true);
        }
        if (cache.lookupBits(iface, BASE + 2) < 0) {
            throw new IllegalStateException("the cache did not learn");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stack.close();
        loop.close();
    }

    @Benchmark
    public long lookup() {
        next = (next + 1) & 255;
        return cache.lookupBits(iface, BASE + 2 + next);
    }
}
