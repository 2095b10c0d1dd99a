package dev.tsunagu.link.loopback;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.LinkDriver;

/**
 * The loopback device: every frame sent comes straight back in, as on Linux's {@code lo}.
 * Frames carry zero MACs and need no address resolution. The buffer itself goes round, so
 * loopback costs no copy.
 */
public final class LoopbackDriver implements LinkDriver {
    /** The largest IPv4 datagram; Linux uses 65536 on {@code lo}. */
    public static final int MTU = 65535;

    private static final DriverCapabilities CAPABILITIES =
            new DriverCapabilities(MTU, DriverCapabilities.ETHERNET_HEADER, false, null);

    private volatile DriverContext context;
    private volatile boolean closed;

    @Override
    public String name() {
        return "loopback";
    }

    @Override
    public DriverCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public void open(DriverContext ctx) {
        if (closed) {
            throw new IllegalStateException("loopback is closed");
        }
        this.context = ctx;
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        DriverContext ctx = context;
        if (closed || ctx == null) {
            frame.release();
            if (ctx != null) {
                ctx.reportError("transmit on a closed loopback", null);
            }
            return false;
        }
        if (frame.length() > CAPABILITIES.maxFrameLength()) {
            frame.release();
            ctx.reportError("frame of " + frame.length() + " bytes exceeds the loopback MTU", null);
            return false;
        }
        return ctx.receive(frame);
    }

    @Override
    public void close() {
        closed = true;
    }
}
