package dev.tsunagu.driver.pcap.replay;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.capture.CapturedFrame;
import dev.tsunagu.link.capture.LinkType;
import dev.tsunagu.link.capture.PcapReader;
import dev.tsunagu.link.capture.PcapWriter;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.PollSource;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.MacAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline replay: feeds a capture file's frames (pcap or pcapng, Ethernet) into a stack and
 * writes every frame the stack sends to an output pcap, for regression tests built from real
 * captures.
 *
 * <p><b>Whose frames.</b> The stack plays one host of the recording, the one with
 * {@link #mac() our MAC}: by default the MAC the capture's first TCP SYN was sent to (the
 * server of its first connection), so a recorded server session replays with no parameters;
 * give {@code mac=} to play another host (and give the stack that host's IP address). Frames
 * the recorded host sent are not fed (the stack sends its own); every other frame is, in file
 * order.
 *
 * <p><b>Pace.</b> {@link Pace#RECORDED}: each frame is fed when the stack's clock has moved as
 * far from the first frame as the recording had, measured on the stack's loop (so on a
 * {@code VirtualEventLoop} a ten-second capture replays in microseconds, deterministically).
 * {@link Pace#FAST}: one frame per loop turn, each handled before the next is fed, with no
 * waiting in between; for what the stack answers by itself (ARP, ICMP, handshakes). Where an
 * application must act between frames (a server writing its response when the request is
 * read), keep the recorded pace: fed fast, the peer's ACKs of the response would arrive before
 * the response exists, and the stack rightly drops them. Either way the feeder is a {@link PollSource} on the stack's loop:
 * nothing here runs on a thread of its own.
 *
 * <p><b>A conversation with another ISN.</b> The stack's initial sequence numbers are not the
 * recorded host's, so the recorded peer's acknowledgments would be unacceptable after the
 * SYN. By default ({@code acks=rewrite}) they are shifted by the difference (see
 * {@link TcpAckRewriter}), so a recorded client's handshake, request and ACKs reach the stack
 * as if they answered it. The stack also gets answers to its ARP requests for hosts seen in
 * the capture ({@link RecordedNeighbours}), which the recording rarely holds. What this cannot
 * do is make the stack's answers agree with the recording past the first difference in
 * length: the check that a replay supports is "the SYN is answered by a SYN+ACK, the request
 * by the response", and, where the stack answers byte for byte as the recorded host did, the
 * whole conversation.
 *
 * <p>Frames the file cannot give whole (truncated by the snap length, not Ethernet, longer
 * than the MTU allows) are counted and skipped. {@link #finished()} completes when the file is
 * exhausted (exceptionally if it turns out malformed).
 */
public final class PcapFileDriver implements LinkDriver {
    private static final Logger log = LoggerFactory.getLogger(PcapFileDriver.class);

    /** How frames are spaced. */
    public enum Pace {
        /** As in the file, on the stack's clock. */
        RECORDED,
        /** One per loop turn. */
        FAST;

        public static Pace parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "recorded" -> RECORDED;
                case "fast" -> FAST;
                default -> throw new IllegalArgumentException("pace must be recorded or fast: " + text);
            };
        }
    }

    /** Connections tracked for ACK rewriting, and hosts remembered for ARP, at most. */
    static final int MAX_FLOWS = 4096;
    /** ARP answers waiting to be fed, at most. */
    static final int MAX_PENDING_ANSWERS = 64;
    /** Frames looked at per loop turn at most (skipped ones included), so one turn stays short. */
    static final int SKIP_BUDGET = 1024;

    private final Path input;
    private final Path output;
    private final Pace pace;
    private final MacAddress mac;
    private final DriverCapabilities capabilities;
    private final boolean rewriteAcks;
    private final long framesInFile;
    private final long firstTimestamp;

    private final TcpAckRewriter rewriter = new TcpAckRewriter(MAX_FLOWS);
    private final RecordedNeighbours neighbours;
    private final ArrayBlockingQueue<byte[]> answers = new ArrayBlockingQueue<>(MAX_PENDING_ANSWERS);
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final Feeder feeder = new Feeder();

    private volatile DriverContext context;
    private volatile boolean closed;
    private volatile boolean done;
    private volatile long nextDue = Long.MIN_VALUE;
    private PcapWriter writer;          // guarded by this
    private boolean writeFailed;        // guarded by this

    // loop thread only
    private PcapReader reader;
    private CapturedFrame pending;
    private Timer paceTimer;
    private long start = -1;
    /** With {@code start=manual}: nothing is fed until {@link #start()} (the test has set up its listener). */
    private volatile boolean held;

    private final AtomicLong fed = new AtomicLong();
    private final AtomicLong skippedOwn = new AtomicLong();
    private final AtomicLong skippedBad = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong arpAnswered = new AtomicLong();

    private PcapFileDriver(Path input, Path output, Pace pace, MacAddress mac, int mtu, boolean rewriteAcks,
                           RecordedNeighbours neighbours, long framesInFile, long firstTimestamp) {
        this.input = input;
        this.output = output;
        this.pace = pace;
        this.mac = mac;
        this.capabilities = new DriverCapabilities(mtu, DriverCapabilities.ETHERNET_HEADER, true, mac);
        this.rewriteAcks = rewriteAcks;
        this.neighbours = neighbours;
        this.framesInFile = framesInFile;
        this.firstTimestamp = firstTimestamp;
    }

    /**
     * Prepares a replay of {@code input}: reads it through once (to check it, count its frames,
     * pick our MAC and learn its hosts) and creates {@code output}.
     *
     * @param input a pcap or pcapng capture of Ethernet frames
     * @param output where the stack's frames go (replaced), or null to count and drop them
     * @param pace how frames are spaced
     * @param mac the recorded host the stack plays, or null for the first SYN's destination
     * @param mtu the MTU the stack gets (1500 on Ethernet)
     * @param rewriteAcks whether to shift the peer's acknowledgment numbers to the stack's ISNs
     */
    public static PcapFileDriver open(Path input, Path output, Pace pace, MacAddress mac, int mtu, boolean rewriteAcks)
            throws DriverException {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(pace, "pace");
        DriverCapabilities.ethernet(mtu); // validates the range
        long count = 0;
        long first = 0;
        long synTarget = -1;
        long unicastTarget = -1;
        RecordedNeighbours hosts = new RecordedNeighbours(MAX_FLOWS);
        try (PcapReader r = PcapReader.open(input)) {
            for (CapturedFrame f = r.next(); f != null; f = r.next()) {
                if (f.linkType() != LinkType.ETHERNET) {
                    throw new DriverException("capture " + input + " holds " + LinkType.name(f.linkType())
                            + " frames (link type " + f.linkType() + "); only Ethernet captures replay");
                }
                if (count++ == 0) {
                    first = f.timestampNanos();
                }
                byte[] d = f.data();
                if (d.length < 14) {
                    continue;
                }
                long dst = readMac(d, 0);
                if (!MacAddress.isMulticast(dst)) {
                    if (unicastTarget < 0) {
                        unicastTarget = dst;
                    }
                    int tcp = TcpAckRewriter.tcpOffset(d, 0, d.length);
                    if (synTarget < 0 && tcp >= 0 && (d[tcp + 13] & 0x12) == 0x02) {
                        synTarget = dst;
                    }
                }
                hosts.learn(d);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DriverException("capture file " + input + " not found", e);
        } catch (IOException e) {
            throw new DriverException("cannot replay " + input + ": " + e.getMessage(), e);
        }
        MacAddress ours = mac != null ? mac
                : synTarget >= 0 ? new MacAddress(synTarget)
                : unicastTarget >= 0 ? new MacAddress(unicastTarget)
                : MacAddress.randomLocal(new SecureRandom());
        PcapFileDriver d = new PcapFileDriver(input, output, pace, ours, mtu, rewriteAcks, hosts, count, first);
        if (output != null) {
            try {
                d.writer = PcapWriter.create(output, LinkType.ETHERNET,
                        Math.max(65535, d.capabilities.maxFrameLength()));
            } catch (IOException e) {
                throw new DriverException("cannot create the replay's output file " + output + ": " + e.getMessage(), e);
            }
        }
        log.info("pcap-file {}: {} frames, the stack plays {}, pace {}{}", input, count, ours,
                pace.name().toLowerCase(Locale.ROOT), output != null ? ", output to " + output : "");
        return d;
    }

    // ---- what it is ----

    @Override
    public String name() {
        return "pcap-file:" + input;
    }

    @Override
    public DriverCapabilities capabilities() {
        return capabilities;
    }

    /**
     * The recorded host the stack plays; the stack's MAC ({@link DriverCapabilities#hardwareAddress()},
     * which the stack adopts; an {@code InterfaceConfig.mac} that differs would make the stack
     * ignore the frames fed to this one).
     */
    public MacAddress mac() {
        return mac;
    }

    /** Completes when every frame of the file has been fed (or skipped). */
    public CompletableFuture<Void> finished() {
        return finished;
    }

    /** Frames in the input file. */
    public long framesInFile() {
        return framesInFile;
    }

    /** Frames fed to the stack (ARP answers not included). */
    public long framesFed() {
        return fed.get();
    }

    /** Recorded frames the played host sent: not fed, the stack sends its own. */
    public long framesSkippedAsOurs() {
        return skippedOwn.get();
    }

    /** Frames skipped because the file could not give them whole or they were not Ethernet. */
    public long framesSkippedAsUnusable() {
        return skippedBad.get();
    }

    /** Frames the stack sent. */
    public long framesSent() {
        return sent.get();
    }

    /** The stack's ARP requests answered for recorded hosts. */
    public long arpRequestsAnswered() {
        return arpAnswered.get();
    }

    /** Peer frames whose acknowledgment number was shifted to the stack's ISN. Loop thread. */
    public long acksRewritten() {
        return rewriter.rewritten();
    }

    // ---- the driver contract ----

    @Override
    public synchronized void open(DriverContext ctx) throws DriverException {
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
        if (context != null) {
            throw new IllegalStateException(name() + " is already open");
        }
        try {
            reader = PcapReader.open(input);
        } catch (IOException e) {
            throw new DriverException("cannot replay " + input + ": " + e.getMessage(), e);
        }
        context = Objects.requireNonNull(ctx, "context");
        EventLoop loop = ctx.loop();
        loop.execute(() -> {
            if (!closed) {
                paceTimer = loop.newTimer("pcap-file pace", () -> { }); // only wakes the loop: the feeder then has work
                loop.addSource(feeder);
            }
        });
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        int len = frame.length();
        try {
            if (len > capabilities.maxFrameLength()) {
                report("frame of " + len + " bytes refused: the replay carries at most " + capabilities.maxFrameLength()
                        + " (MTU " + capabilities.mtu() + " + 14)");
                return false;
            }
            if (closed) {
                report("transmit on closed replay " + input);
                return false;
            }
            byte[] a = frame.array();
            int off = frame.start();
            rewriter.sentByStack(a, off, len);
            byte[] answer = answerFor(a, off, len);
            if (answer != null) {
                if (answers.offer(answer)) {
                    arpAnswered.incrementAndGet();
                    wake();
                }
            }
            write(a, off, len);
            sent.incrementAndGet();
            return true;
        } finally {
            frame.release();
        }
    }

    private byte[] answerFor(byte[] a, int off, int len) {
        byte[] r = neighbours.answer(a, off, len);
        if (r == null) {
            return null;
        }
        long answeredFor = readMac(r, 6);
        boolean gratuitous = TcpAckRewriter.i32(a, off + 28) == TcpAckRewriter.i32(a, off + 38);
        return answeredFor == mac.bits() || gratuitous ? null : r;
    }

    /** Pushes what the stack sent so far to the output file, so a running replay can be read. */
    public synchronized void flush() throws IOException {
        if (writer != null && !writeFailed && !closed) {
            writer.flush();
        }
    }

    private synchronized void write(byte[] a, int off, int len) {
        if (writer == null || writeFailed || closed) {
            return;
        }
        try {
            writer.write(outputTimestamp(), a, off, len);
        } catch (IOException | RuntimeException e) {
            writeFailed = true;
            report("writing the replay's output " + output + " failed (" + e.getMessage() + "); frames are no longer recorded");
        }
    }

    /** Output timestamps continue the input's timeline: the first frame's time plus the replay's elapsed time. */
    private long outputTimestamp() {
        DriverContext ctx = context;
        long s = start;
        long elapsed = ctx == null || s < 0 ? 0 : ctx.clock().nanoTime() - s;
        return Math.max(0, firstTimestamp + elapsed);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException e) {
                    log.warn("pcap-file {}: closing the output {} failed: {}", input, output, e.getMessage());
                }
            }
        }
        DriverContext ctx = context;
        if (ctx == null) {
            return;
        }
        EventLoop loop = ctx.loop();
        Runnable detach = () -> {
            loop.removeSource(feeder);
            if (paceTimer != null) {
                paceTimer.cancel();
            }
            closeReader();
        };
        if (loop.inEventLoop()) {
            detach.run();
        } else {
            try {
                loop.execute(detach);
            } catch (RejectedExecutionException e) {
                closeReader(); // the loop is gone: nobody else touches the reader now
            }
        }
        if (!finished.isDone()) {
            finished.completeExceptionally(new IllegalStateException("replay of " + input + " closed before its end"));
        }
    }

    private void closeReader() {
        PcapReader r = reader;
        reader = null;
        if (r != null) {
            try {
                r.close();
            } catch (IOException e) {
                // nothing left to lose
            }
        }
    }

    private void wake() {
        DriverContext ctx = context;
        if (ctx != null) {
            ctx.loop().wakeup();
        }
    }

    private void report(String message) {
        DriverContext ctx = context;
        if (ctx != null) {
            ctx.reportError(message, null);
        } else {
            log.warn("{}", message);
        }
    }

    static long readMac(byte[] f, int i) {
        long m = 0;
        for (int k = 0; k < 6; k++) {
            m = m << 8 | (f[i + k] & 0xFF);
        }
        return m;
    }

    @Override
    public String toString() {
        return name();
    }

    /** Feeds nothing until {@link #start()}: for a replay whose stack must first open a listener. */
    public void holdUntilStarted() {
        held = true;
    }

    /**
     * Starts feeding a replay opened with {@code start=manual} ({@link #holdUntilStarted}); the
     * recorded pace counts from now. Idempotent; a no-op for one that started at once.
     */
    public void start() {
        held = false;
        DriverContext ctx = context;
        if (ctx != null) {
            ctx.loop().execute(() -> { }); // a turn of the loop: the feeder looks again
        }
    }

    /** Feeds the stack on its loop: one frame per turn, when it is due. */
    private final class Feeder implements PollSource {
        @Override
        public int poll(int budget) {
            if (closed || held) {
                return 0;
            }
            byte[] answer = answers.poll();
            if (answer != null) {
                deliver(answer);
                return 1;
            }
            if (done) {
                return 0;
            }
            DriverContext ctx = context;
            long now = ctx.clock().nanoTime();
            if (start < 0) {
                start = now;
            }
            for (int looked = 0; looked < SKIP_BUDGET; looked++) {
                CapturedFrame f = pending;
                if (f == null) {
                    f = readNext();
                    if (f == null) {
                        return 1;
                    }
                    pending = f;
                }
                if (pace == Pace.RECORDED) {
                    long due = start + Math.max(0, f.timestampNanos() - firstTimestamp);
                    if (now < due) {
                        nextDue = due;
                        paceTimer.scheduleAt(due);
                        return looked > 0 ? 1 : 0;
                    }
                }
                pending = null;
                nextDue = Long.MIN_VALUE;
                byte[] d = f.data();
                if (f.linkType() != LinkType.ETHERNET || f.truncated() || d.length < 14
                        || d.length > capabilities.maxFrameLength()) {
                    skippedBad.incrementAndGet();
                    continue;
                }
                if (readMac(d, 6) == mac.bits()) {
                    rewriter.recordedFromUs(d, 0, d.length);
                    skippedOwn.incrementAndGet();
                    continue;
                }
                if (rewriteAcks) {
                    rewriter.towardStack(d, 0, d.length);
                }
                fed.incrementAndGet();
                deliver(d);
                return 1;
            }
            return 1;
        }

        @Override
        public boolean hasWork() {
            if (closed) {
                return false;
            }
            if (!answers.isEmpty()) {
                return true;
            }
            if (done) {
                return false;
            }
            long due = nextDue;
            DriverContext ctx = context;
            return pace == Pace.FAST || due == Long.MIN_VALUE || (ctx != null && ctx.clock().nanoTime() >= due);
        }

        private CapturedFrame readNext() {
            try {
                CapturedFrame f = reader == null ? null : reader.next();
                if (f == null) {
                    finish(null);
                }
                return f;
            } catch (IOException e) {
                report("replay of " + input + " stopped: " + e.getMessage());
                finish(e);
                return null;
            }
        }

        private void finish(Throwable failure) {
            done = true;
            closeReader();
            synchronized (PcapFileDriver.this) {
                if (writer != null && !writeFailed) {
                    try {
                        writer.flush();
                    } catch (IOException e) {
                        // reported by the next write, or at close
                    }
                }
            }
            log.info("pcap-file {}: done: {} frames fed, {} of ours skipped, {} unusable, {} sent by the stack, "
                    + "{} ARP answers", input, fed.get(), skippedOwn.get(), skippedBad.get(), sent.get(), arpAnswered.get());
            if (failure == null) {
                finished.complete(null);
            } else {
                finished.completeExceptionally(failure);
            }
        }

        private void deliver(byte[] d) {
            DriverContext ctx = context;
            ctx.receive(ctx.buffers().copyOf(d, 0, d.length));
        }
    }
}
