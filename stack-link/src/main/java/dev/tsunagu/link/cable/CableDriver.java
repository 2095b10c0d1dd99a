package dev.tsunagu.link.cable;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.Offloads;

/** One stack's port on a {@link Cable}. */
public final class CableDriver implements LinkDriver {
    private final Cable cable;
    private final DriverCapabilities capabilities;
    private Cable.CablePort port;
    private DriverContext context;
    private volatile boolean closed;

    CableDriver(Cable cable) {
        this.cable = cable;
        this.capabilities = cable.capabilities();
    }

    public Cable cable() {
        return cable;
    }

    @Override
    public String name() {
        return "cable:" + cable.name();
    }

    @Override
    public DriverCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public synchronized void open(DriverContext ctx) {
        if (port != null) {
            throw new IllegalStateException(name() + " is already open");
        }
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
        this.context = ctx;
        this.port = new Cable.CablePort(ctx);
        cable.plug(port);
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        try {
            if (closed || port == null) {
                if (context != null) {
                    context.reportError("transmit on a closed cable port", null);
                }
                return false;
            }
            boolean carried = cable.carry(port, frame);
            if (!carried) {
                context.reportError("frame of " + frame.length() + " bytes refused: cable MTU is " + cable.mtu()
                        + (cable.offloads() ? " (64 KiB for a segment to be cut)" : ""), null);
            }
            return carried;
        } finally {
            frame.release();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (port != null) {
            cable.unplug(port);
        }
        Cables.released(cable);
    }

    @Override
    public String toString() {
        return name();
    }
}
