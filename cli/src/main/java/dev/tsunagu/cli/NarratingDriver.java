package dev.tsunagu.cli;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.ForwardingDriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.loop.EventLoop;
import java.io.PrintWriter;

/** A decorator that prints one line per frame in and out: the demo's narrator. */
final class NarratingDriver implements LinkDriver {
    private final LinkDriver inner;
    private final String host;
    private final EventLoop loop;
    private final PrintWriter out;

    NarratingDriver(LinkDriver inner, String host, EventLoop loop, PrintWriter out) {
        this.inner = inner;
        this.host = host;
        this.loop = loop;
        this.out = out;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public DriverCapabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public void open(DriverContext context) throws DriverException {
        inner.open(new ForwardingDriverContext(context) {
            @Override
            public boolean receive(PacketBuffer frame) {
                line("<-", frame);
                return super.receive(frame);
            }
        });
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        line("->", frame);
        return inner.transmit(frame);
    }

    private void line(String dir, PacketBuffer frame) {
        out.println(String.format("t=%7.3fs  %-8s %s %s", loop.now() / 1e9, host, dir,
                FrameNarrator.describe(frame.toByteArray())));
    }

    @Override
    public void close() {
        inner.close();
    }
}
