package dev.tsunagu.testkit.host;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.link.bottleneck.BottleneckDriver;
import dev.tsunagu.link.bottleneck.BottleneckPlan;
import dev.tsunagu.link.bottleneck.BottleneckStatistics;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.ThreadedEventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code tc netem} in user space, for kernels built without it: a path between two TAP devices
 * that delays, loses and rate-limits the Ethernet frames crossing it, one {@link BottleneckPlan}
 * per direction. Put the {@link #senderSide} device where the senders are (a port of a Linux
 * bridge, say) and the {@link #receiverSide} device where the receiver is, and every frame
 * between them crosses this JVM: frames the kernel transmits on one device are read from its
 * fd, pass the direction's {@link BottleneckDriver} (random loss, a drop-tail buffer drained at
 * the rate, then the propagation delay) and are written into the other device, where the kernel
 * receives them. A kernel sender and a stack on another port of the same bridge cross the very
 * same path.
 *
 * <pre>
 *   sender side ──read──▶ forward: loss ▶ [buffer | rate] ▶ delay ──write──▶ receiver side
 *   sender side ◀─write── reverse: loss ▶ [buffer | rate] ▶ delay ◀──read─── receiver side
 * </pre>
 *
 * <p><b>Why these parts.</b> The bottleneck is stack-link's, the one the simulated paths use
 * ({@code bench --scenario paths}), so the model (times computed exactly per frame, no
 * reordering, drop-tail at {@code bufferBytes}, the frames on the wire bounded) is tested
 * there, and the real and simulated paths are the same model. Here it runs on a
 * {@link ThreadedEventLoop} of its own on the system clock with a fine tick, so a frame leaves
 * at most a tick (plus scheduling) after its computed time. The devices are opened without
 * offloads ({@code offload=off}): the kernel cuts its GSO segments and finishes checksums before
 * it hands frames to a TAP without them, so the path sees wire-sized frames, as a link would.
 *
 * <p><b>One path after another.</b> {@link #configure} swaps in new plans and a new seed between
 * runs, with empty queues and fresh counters; the devices (and so the bridge and the
 * addresses around them) stay. The same seed gives the same frames lost by their order in
 * the forward direction, so two senders measured on the same seed meet the same random loss.
 *
 * <p><b>Bounded.</b> The device readers hand each frame to the loop (or run it there themselves
 * when the loop is idle); the loop's task queue is bounded and a reader waits for room, so
 * when the path falls behind, frames wait in the kernel's device queue, which drops its
 * overflow (counted by the kernel as the device's {@code tx_dropped}). The bottlenecks bound
 * their own queues. Frames are dropped silently until the first {@link #configure}.
 */
public final class PathEmulator implements AutoCloseable {
    /** The loop's timer resolution: frames leave at most this much after their computed time (plus scheduling). */
    static final Duration TICK = Duration.ofNanos(200_000);

    /** The device towards the senders (a TAP this emulator made; the kernel removes it when the emulator closes). */
    public final String senderSide;
    /** The device towards the receiver. */
    public final String receiverSide;

    private final ThreadedEventLoop loop;
    private final BufferPool pool = new BufferPool();
    private final LinkDriver senderTap;
    private final LinkDriver receiverTap;
    private final Port senderPort;
    private final Port receiverPort;
    private final LongAdder unconfiguredDrops = new LongAdder();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    // ---- loop-confined ----
    private BottleneckDriver forward;
    private BottleneckDriver reverse;
    private boolean closed;

    private PathEmulator(String senderSide, String receiverSide) throws DriverException {
        this.senderSide = senderSide;
        this.receiverSide = receiverSide;
        this.loop = new ThreadedEventLoop("netem-" + senderSide, Clock.system(), TICK, 0);
        LinkDriver s = null;
        LinkDriver r = null;
        try {
            s = LinkDrivers.installed().create("tap:" + senderSide + ",offload=off,rx=thread");
            r = LinkDrivers.installed().create("tap:" + receiverSide + ",offload=off,rx=thread");
            this.senderPort = new Port(s);
            this.receiverPort = new Port(r);
            s.open(new Side(senderSide, true));
            r.open(new Side(receiverSide, false));
        } catch (DriverException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            if (r != null) {
                r.close();
            }
            loop.close();
            throw e;
        }
        this.senderTap = s;
        this.receiverTap = r;
    }

    /**
     * Makes the two TAP devices, named {@code prefix} plus random hex (at most 15 characters),
     * in this process's namespace, down; the caller moves them where they belong and brings
     * them up. Needs CAP_NET_ADMIN and driver-tap on the class path.
     */
    public static PathEmulator open(String prefix) throws DriverException {
        return new PathEmulator(NetNs.uniqueName(prefix), NetNs.uniqueName(prefix));
    }

    /**
     * From now on frames from the sender side cross {@code forward} and frames from the
     * receiver side cross {@code reverse}; whatever the previous path still held is dropped, and
     * the counters start again.
     *
     * @param seed seeds the random loss: forward with {@code seed}, reverse with its complement
     */
    public void configure(BottleneckPlan forward, BottleneckPlan reverse, long seed) {
        Objects.requireNonNull(forward, "forward");
        Objects.requireNonNull(reverse, "reverse");
        loop.run(() -> {
            if (closed) {
                return;
            }
            closeBottlenecks();
            this.forward = open(new BottleneckDriver(receiverPort, forward, seed), receiverSide);
            this.reverse = open(new BottleneckDriver(senderPort, reverse, ~seed), senderSide);
        });
    }

    private BottleneckDriver open(BottleneckDriver b, String name) {
        try {
            b.open(new Side(name, false)); // it wants the loop for its timers; the port under it opens nothing
        } catch (DriverException e) {
            throw new IllegalStateException(e);
        }
        return b;
    }

    /**
     * Gives the emulator's threads (the two device readers and the loop) real-time FIFO
     * priority {@code priority} ({@code chrt -f}), so that other processes on a loaded machine
     * do not delay them: a reader held off for 5 ms hands the path 5 ms of frames at once, which
     * overflows a shallow buffer a real link would not. The kernel's netem runs in softirq, ahead
     * of every process, for the same reason. The threads only ever block (in poll, in a park) and
     * handle a frame in microseconds, so they take little from the rest. Needs CAP_SYS_NICE.
     *
     * @return how many threads were raised (3, unless the machine refused)
     */
    public int realtime(int priority) throws IOException, InterruptedException {
        List<String> names = List.of(comm("tap-rx-" + senderSide), comm("tap-rx-" + receiverSide),
                comm(loop.name()));
        int raised = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                if (names.contains(name)
                        && Sh.run("chrt", "-f", "-p", Integer.toString(priority), task.getFileName().toString()).ok()) {
                    raised++;
                }
            }
        }
        return raised;
    }

    /** A thread's name as the kernel keeps it ({@code /proc/.../comm}): its first 15 bytes. */
    private static String comm(String threadName) {
        return threadName.length() <= 15 ? threadName : threadName.substring(0, 15);
    }

    /** What the current path did so far, both directions, read on the loop. */
    public Statistics statistics() {
        return loop.call(() -> new Statistics(copy(forward), copy(reverse), unconfiguredDrops.sum(), lastError.get()));
    }

    private static Counts copy(BottleneckDriver b) {
        if (b == null) {
            return new Counts(0, 0, 0, 0, 0, 0);
        }
        BottleneckStatistics s = b.statistics();
        return new Counts(s.offered(), s.delivered(), s.randomDrops(), s.tailDrops(), s.overflowDrops(), s.maxQueuedBytes());
    }

    /** Frames one direction was offered, delivered, lost at random, refused by the full buffer; its deepest queue. */
    public record Counts(long offered, long delivered, long randomDrops, long tailDrops, long overflowDrops,
                         long maxQueuedBytes) {
        @Override
        public String toString() {
            return offered + " offered, " + delivered + " delivered, " + randomDrops + " lost at random, "
                    + tailDrops + " at the tail" + (overflowDrops == 0 ? "" : ", " + overflowDrops + " on overflow")
                    + ", queue peak " + maxQueuedBytes + " B";
        }
    }

    /**
     * Both directions' counts, frames dropped for want of a path (before the first
     * {@link #configure}), and the last error a device reported (null: none).
     */
    public record Statistics(Counts forward, Counts reverse, long unconfiguredDrops, String lastError) {}

    /** Closes the devices (the kernel removes them, wherever they were moved) and the loop. */
    @Override
    public void close() {
        try {
            loop.run(() -> {
                closed = true;
                closeBottlenecks();
            });
        } catch (RejectedExecutionException e) {
            // the loop is gone already
        } finally {
            try {
                senderTap.close();
            } finally {
                try {
                    receiverTap.close();
                } finally {
                    loop.close();
                }
            }
        }
    }

    private void closeBottlenecks() {
        if (forward != null) {
            forward.close(); // releases what it held; the port under it does not close the device
        }
        if (reverse != null) {
            reverse.close();
        }
        forward = null;
        reverse = null;
    }

    /** A frame the kernel sent on one device: into the direction towards the other, on the loop. */
    private void crossing(PacketBuffer frame, boolean fromSender) {
        Runnable hop = () -> {
            BottleneckDriver b = fromSender ? forward : reverse;
            if (b == null) {
                unconfiguredDrops.increment();
                frame.release();
            } else {
                b.transmit(frame);
            }
        };
        try {
            // Order is kept: each direction has one reader, and the loop lets a thread run inline
            // only when no task is queued before it.
            if (!loop.tryRunInline(hop)) {
                loop.execute(hop); // bounded: waits for room, and meanwhile the device's own queue fills
            }
        } catch (RejectedExecutionException e) {
            frame.release(); // closing
        }
    }

    /**
     * An open device as a bottleneck's wrapped driver: transmits into it, but neither opens nor
     * closes it, so bottlenecks come and go over the same devices.
     */
    private static final class Port extends ForwardingLinkDriver {
        Port(LinkDriver device) {
            super(device);
        }

        @Override
        public void open(DriverContext context) {
            // the device is open already, with its own context
        }

        @Override
        public void close() {
            // the emulator closes the device
        }
    }

    /** One device's context (and the bottlenecks', for their loop): received frames cross to the other side. */
    private final class Side implements DriverContext {
        private final String name;
        private final boolean sender;

        Side(String name, boolean sender) {
            this.name = name;
            this.sender = sender;
        }

        @Override
        public String interfaceName() {
            return name;
        }

        @Override
        public BufferPool buffers() {
            return pool;
        }

        @Override
        public Clock clock() {
            return loop.clock();
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public boolean receive(PacketBuffer frame) {
            crossing(frame, sender);
            return true;
        }

        @Override
        public void linkStateChanged(boolean up) {
            if (!up) {
                lastError.set(name + " went down");
            }
        }

        @Override
        public void reportError(String message, Throwable cause) {
            lastError.set(name + ": " + message + (cause == null ? "" : " (" + cause + ")"));
        }
    }
}
