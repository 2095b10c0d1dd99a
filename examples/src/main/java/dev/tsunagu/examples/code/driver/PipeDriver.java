package dev.tsunagu.examples.code.driver;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.LinkDriver;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One end of a {@link Pipe}. It has the shape of a real driver, so it can be read as a template:
 *
 * <ul>
 *   <li>{@link #transmit} runs on the stack's event loop and must never block: it copies the
 *       frame into the peer's inbox if there is room and otherwise drops it (and counts), as a
 *       NIC does when its ring is full. Either way the frame buffer is released here: transmit
 *       always takes ownership.</li>
 *   <li>Frames arrive on a reader thread of the driver's own (a TAP driver blocks in
 *       {@code read(2)} there; this one blocks on its inbox), which copies each into a buffer
 *       from the stack's pool and hands it to {@link DriverContext#receive}, the one
 *       thread-safe door into the stack.</li>
 *   <li>Every queue is bounded, so a fast sender cannot make a slow receiver run out of
 *       memory: the excess is dropped and counted, and TCP's loss recovery takes it from there.</li>
 * </ul>
 *
 * <p>The reader is a virtual thread because it parks on a Java queue. A driver that blocks in a
 * native call (FFM) should use a platform thread: a downcall pins the virtual thread's carrier.
 */
public final class PipeDriver implements LinkDriver {
    /** Frames that may wait in one direction; beyond that they are dropped. */
    public static final int INBOX_FRAMES = 256;

    private final String name;
    private final int mtu;
    private final Pipe pipe;
    private final BlockingQueue<byte[]> inbox = new ArrayBlockingQueue<>(INBOX_FRAMES);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile DriverContext context;
    private volatile Thread reader;
    private volatile boolean closed;

    PipeDriver(String name, int mtu, Pipe pipe) {
        this.name = name;
        this.mtu = mtu;
        this.pipe = pipe;
    }

    @Override
    public String name() {
        return "pipe:" + name;
    }

    @Override
    public DriverCapabilities capabilities() {
        // An Ethernet medium: 14-byte headers, ARP needed, and the stack picks its own MAC.
        return DriverCapabilities.ethernet(mtu);
    }

    @Override
    public void open(DriverContext ctx) {
        this.context = ctx;
        reader = Thread.ofVirtual().name("pipe-" + name + "-reader").start(this::readLoop);
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        try {
            PipeDriver peer = pipe.peerOf(this);
            if (closed || peer == null || peer.closed || frame.length() > capabilities().maxFrameLength()) {
                dropped.incrementAndGet(); // no one on the other end, or a frame we may not send
                return false;
            }
            // Copy out of the stack's buffer: the peer may be another stack with another pool,
            // and the buffer goes back to our pool as soon as we return.
            if (!peer.inbox.offer(frame.toByteArray())) {
                dropped.incrementAndGet(); // the peer's inbox is full: a congested wire
                return false;
            }
            sent.incrementAndGet();
            return true;
        } finally {
            frame.release();
        }
    }

    /** On the reader thread: inbox → pooled buffer → the stack's receive queue. */
    private void readLoop() {
        DriverContext ctx = context;
        while (!closed) {
            byte[] frame;
            try {
                frame = inbox.take();
            } catch (InterruptedException e) {
                return; // close() interrupts us
            }
            // The stack takes ownership of the buffer; if its receive queue is full it drops and counts.
            if (ctx.receive(ctx.buffers().copyOf(frame, 0, frame.length))) {
                received.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread r = reader;
        if (r != null) {
            r.interrupt();
        }
        inbox.clear();
        Pipe.closed(pipe);
    }

    /** Frames handed to the other end. */
    public long framesSent() {
        return sent.get();
    }

    /** Frames delivered to this end's stack. */
    public long framesReceived() {
        return received.get();
    }

    /** Frames dropped: the other end absent or full, or a frame too long. */
    public long framesDropped() {
        return dropped.get();
    }

    @Override
    public String toString() {
        return name() + "[sent " + sent + ", received " + received + ", dropped " + dropped + "]";
    }
}
