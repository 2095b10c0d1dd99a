package dev.tsunagu.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Platform threads for the two ends of a measurement, whose first failure is rethrown by
 * {@link #join}. Platform threads, not virtual ones, so that both sides of the comparison
 * block the same way (the kernel side in syscalls, Tsunagu's on futures).
 */
final class Workers {
    interface Body {
        void run() throws Exception;
    }

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Workers start(String name, Body body) {
        Thread t = Thread.ofPlatform().name("bench-" + name).daemon(true).start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        threads.add(t);
        return this;
    }

    /** Waits for every thread (at most {@code timeoutMillis} in all) and rethrows the first failure. */
    void join(long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        for (Thread t : threads) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || !t.join(java.time.Duration.ofMillis(left))) {
                threads.forEach(Thread::interrupt);
                Throwable f = failure.get();
                throw new IllegalStateException("benchmark thread " + t.getName() + " did not finish in "
                        + timeoutMillis / 1000 + " s" + (f != null ? " (first failure: " + f + ")" : ""), f);
            }
        }
        Throwable f = failure.get();
        if (f instanceof Exception e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
    }
}
