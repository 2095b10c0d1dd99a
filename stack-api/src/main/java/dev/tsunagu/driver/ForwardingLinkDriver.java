package dev.tsunagu.driver;

import dev.tsunagu.buffer.PacketBuffer;
import java.util.Objects;

/**
 * A {@link LinkDriver} that passes everything to another: the base of a driver decorator
 * (fault injection, capture, tracing), which overrides only what it changes and hands its
 * inner driver a {@link ForwardingDriverContext} to see the receive side.
 *
 * <p>The decorator owns the inner driver: {@link #close} closes it. A subclass that overrides
 * {@code close} calls {@code super.close()} (or closes {@link #delegate()} itself).
 */
public abstract class ForwardingLinkDriver implements LinkDriver {
    private final LinkDriver delegate;

    /** Forwards every call to {@code delegate} unless a subclass overrides it. */
    protected ForwardingLinkDriver(LinkDriver delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The driver this one forwards to. */
    protected final LinkDriver delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public DriverCapabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public void open(DriverContext context) throws DriverException {
        delegate.open(context);
    }

    @Override
    public boolean transmit(PacketBuffer frame) {
        return delegate.transmit(frame);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return name();
    }
}
