package dev.tsunagu.testkit.host;

import java.lang.management.ManagementFactory;

/** The heap a test can compare before and after a load: what stays in use once garbage is collected. */
public final class Heap {
    private Heap() {}

    /**
     * Bytes of heap in use after asking for a collection a few times, a short pause after each
     * (a request the JVM may honour late); for "memory stays bounded" checks with a generous margin.
     */
    public static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
