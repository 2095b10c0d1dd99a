package dev.tsunagu.cli;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.ForwardingDriverContext;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.loop.EventLoop;
import java.io.PrintWriter;

/** A decorator that prints one line per frame in and out: the demo's narrator. */
final class NarratingDriver extends ForwardingLinkDriver {
    private final String host;
    private final EventLoop loop;
    private final PrintWriter out;

    NarratingDriver(LinkDriver inner, String host, EventLoop loop, PrintWriter out) {
        super(inner);
        this.host = host;
        this.loop = loop;
        this.out = out;
    }

    @Override
    protected DriverContext innerContext(DriverContext context) {
        return new ForwardingDriverContext(context) {
            @Override
            public boolean receive(PacketBuffer frame) {
                line("<-", frame);
                return super.receive(frame);
            }
        };
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        line("->", frame);
        return super.transmit(frame);
    }

    private void line(String dir, PacketBuffer frame) {
        out.println(String.format("t=%7.3fs  %-8s %s %s", loop.now() / 1e9, host, dir,
                FrameNarrator.describe(frame.toByteArray())));
    }
}
