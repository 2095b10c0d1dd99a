package dev.tsunagu.loop;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.management.VirtualThreadSchedulerMXBean;

/**
 * Makes up for virtual threads that wait in a device's native {@code ppoll} while they lead a
 * loop ({@link ThreadedEventLoop#await}): a virtual thread in native code cannot unmount, so it
 * holds its carrier, and on a scheduler with one carrier (one CPU) every other virtual thread
 * would wait for the wire. The first time N of them wait so at once, the virtual-thread
 * scheduler's parallelism is raised by N (through its management interface, the only public
 * handle on it), so the others keep as many carriers as before. It is never lowered: at most
 * one more carrier per loop that has a device, idle when nobody leads.
 */
final class Carriers {
    private static final VirtualThreadSchedulerMXBean SCHEDULER = scheduler();
    /** Whether pinned waits can be made up for; if not, virtual threads do not lead a loop that has a device. */
    static final boolean CAN_COMPENSATE = SCHEDULER != null;

    private static final AtomicInteger pinned = new AtomicInteger();
    private static volatile int raisedBy; // written under Carriers.class

    private Carriers() {}

    private static VirtualThreadSchedulerMXBean scheduler() {
        try {
            return ManagementFactory.getPlatformMXBean(VirtualThreadSchedulerMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** A virtual thread is about to hold its carrier in a device's wait. */
    static void pin() {
        int n = pinned.incrementAndGet();
        if (n > raisedBy) {
            raise(n);
        }
    }

    /** It left the wait. */
    static void unpin() {
        pinned.decrementAndGet();
    }

    /** Carriers added so far (for tests). */
    static synchronized int raisedBy() {
        return raisedBy;
    }

    private static synchronized void raise(int n) {
        if (n <= raisedBy) {
            return;
        }
        SCHEDULER.setParallelism(SCHEDULER.getParallelism() + (n - raisedBy));
        raisedBy = n;
    }
}
