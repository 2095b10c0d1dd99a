package dev.tsunagu.cli.bench;

import dev.tsunagu.loop.LoopStatistics;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the times a thread of a measurement was put to sleep and woken again: the cost a
 * round trip pays in hand-offs between threads, a figure the machine's load does not move.
 *
 * <p>Application threads (on both sides) count their own voluntary context switches, from
 * {@code /proc/thread-self/status}: each is a block in a system call (the kernel side) or a
 * park on a future (Tsunagu's), later undone by whoever woke it. Tsunagu's loop threads add
 * the times another thread woke them ({@link LoopStatistics#wakeups()}). Where there is no
 * {@code /proc} the count is absent (NaN), not zero.
 */
final class WakeUps {
    private static final Path SELF = Path.of("/proc/thread-self/status");

    private final LongAdder switches = new LongAdder();
    private volatile boolean unknown;

    /** The calling thread's voluntary context switches so far, or -1 if unknown. */
    static long voluntarySwitchesOfThisThread() {
        try {
            for (String line : Files.readAllLines(SELF)) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: unknown
        }
        return -1;
    }

    /**
     * The voluntary context switches of every thread of this process so far, or -1 if unknown:
     * for a side whose threads the bench does not make itself (a stack's loop, a driver's
     * reader, virtual threads' carriers). The JVM's own threads (JIT, GC) add a little noise.
     */
    static long voluntarySwitchesOfProcess() {
        long sum = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                        }
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile: its switches are gone with it
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return sum;
    }

    /** Runs {@code body} on this thread and adds the context switches it made to the count. */
    void countOnThisThread(Workers.Body body) throws Exception {
        long before = voluntarySwitchesOfThisThread();
        body.run();
        long after = voluntarySwitchesOfThisThread();
        if (before < 0 || after < 0) {
            unknown = true;
        } else {
            switches.add(after - before);
        }
    }

    /** Loop wake-ups of {@code stacks} so far (both stacks of a pair). */
    static long loopWakeups(NetworkStack... stacks) {
        long n = 0;
        for (NetworkStack s : stacks) {
            n += s.loop().statistics().wakeups();
        }
        return n;
    }

    /** The application threads' switches, plus {@code loopWakeups}, per one of {@code per}. */
    double perUnit(long loopWakeups, int per) {
        return unknown ? Double.NaN : (switches.sum() + loopWakeups) / (double) per;
    }
}
