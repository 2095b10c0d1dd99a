package dev.tsunagu.link.capture;

import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.ForwardingDriverContext;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LinkDriver} decorator that records every frame the wrapped driver sends and
 * receives in a pcap file, so that any driver's traffic can be opened in Wireshark.
 *
 * <p>Transmitted frames are written before they are handed to the wrapped driver and received
 * frames before they are passed to the stack: the capture shows what crossed this point,
 * whether or not the frame then survives. A checksum left for the device to finish is finished in
 * the recorded copy, so the capture shows what the device puts on the wire. Timestamps are the stack's clock
 * ({@link DriverContext#clock()}), so a capture taken on a virtual loop shows virtual time.
 * Frames sent before {@link #open} have no clock and are passed on uncaptured.
 *
 * <p>Capturing is an observer and must never break the data path: the first write failure is
 * reported once through {@link DriverContext#reportError}, capturing stops, and frames keep
 * flowing. Thread-safe: the writer is synchronized, so the loop thread (transmit) and a driver
 * thread (receive) may write concurrently.
 */
public final class CapturingDriver extends ForwardingLinkDriver {
    private static final Logger log = LoggerFactory.getLogger(CapturingDriver.class);
    /** The smallest snap length {@link #toFile} uses: whole frames even for a jumbo MTU (or a segment to be cut). */
    static final int MIN_FILE_SNAP_LENGTH = 65535;

    private final PcapWriter writer;
    private final boolean closeWriter;
    private final LongAdder captured = new LongAdder();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Captures {@code inner}'s traffic into {@code writer}.
     *
     * @param inner       the driver to wrap; this decorator owns it from now on and closes it
     * @param writer      where frames go
     * @param closeWriter whether {@link #close()} also closes {@code writer}
     */
    public CapturingDriver(LinkDriver inner, PcapWriter writer, boolean closeWriter) {
        super(Objects.requireNonNull(inner, "inner"));
        this.writer = Objects.requireNonNull(writer, "writer");
        this.closeWriter = closeWriter;
    }

    /**
     * Captures {@code inner}'s traffic into a new pcap {@code file} (replacing any file there):
     * Ethernet, or raw IP ({@link LinkType#RAW}) for an IP-only driver (a TUN), with a snap length of the driver's largest frame but at least 65535 bytes. The
     * file belongs to the returned driver and is closed with it.
     */
    public static CapturingDriver toFile(LinkDriver inner, Path file) throws IOException {
        Objects.requireNonNull(inner, "inner");
        int snap = Math.min(PcapWriter.MAX_SNAP_LENGTH,
                Math.max(MIN_FILE_SNAP_LENGTH, inner.capabilities().maxLargeFrameLength()));
        int linkType = inner.capabilities().isIpOnly() ? LinkType.RAW : LinkType.ETHERNET;
        return new CapturingDriver(inner, PcapWriter.create(file, linkType, snap), true);
    }

    @Override
    public String name() {
        return "capture(" + delegate().name() + ")";
    }

    /** Frames written to the capture so far, both directions. */
    public long framesCaptured() {
        return captured.sum();
    }

    /** Whether capturing has stopped because a write failed. */
    public boolean captureFailed() {
        return failed.get();
    }

    @Override
    protected DriverContext innerContext(DriverContext stack) {
        return new CapturingContext(stack);
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        capture(frame);
        return delegate().transmit(frame);
    }

    /**
     * Pushes buffered frames to the file so a reader sees them before {@link #close()}; a
     * failure stops capturing like a failed write.
     */
    public void flush() {
        if (failed.get() || closed.get()) {
            return;
        }
        try {
            writer.flush();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void capture(PacketBuffer frame) {
        DriverContext ctx = context();
        if (ctx == null || failed.get() || closed.get()) {
            return;
        }
        try {
            if (frame.checksumPartial()) {
                // Left for the device to finish: recorded as the device sends it (the frame itself
                // stays partial, or the device would sum it twice). A segment the device cuts
                // stays one frame here, as tcpdump shows one on a host with TSO.
                byte[] copy = frame.toByteArray();
                InternetChecksum.finishPartial(copy, frame.checksumStart(), frame.checksumFieldOffset());
                writer.write(ctx.clock().nanoTime(), copy, 0, copy.length);
            } else {
                writer.write(ctx.clock().nanoTime(), frame.array(), frame.start(), frame.length());
            }
            captured.increment();
        } catch (IOException | RuntimeException e) {
            // RuntimeException too: a writer closed under us or a clock outside pcap's range
            // are equally reasons to stop capturing, not to lose the frame.
            fail(e);
        }
    }

    private void fail(Exception e) {
        if (failed.compareAndSet(false, true)) {
            DriverContext ctx = context();
            String message = name() + ": writing the capture failed, capturing stopped (traffic continues)";
            if (ctx != null) {
                ctx.reportError(message, e);
            } else {
                log.warn(message, e);
            }
        }
    }

    /** Closes the wrapped driver, then the writer if this decorator owns it. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            delegate().close();
        } finally {
            if (closeWriter) {
                try {
                    writer.close();
                } catch (IOException e) {
                    fail(e);
                }
            }
        }
    }

    /** The stack's context with every received frame written to the capture on its way in. */
    private final class CapturingContext extends ForwardingDriverContext {
        CapturingContext(DriverContext delegate) {
            super(delegate);
        }

        @Override
        public boolean receive(PacketBuffer frame) {
            capture(frame);
            return delegate().receive(frame);
        }
    }
}
