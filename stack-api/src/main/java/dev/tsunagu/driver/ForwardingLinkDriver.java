package dev.tsunagu.driver;

import dev.tsunagu.buffer.PacketBuffer;
import java.util.Objects;

/**
 * A {@link LinkDriver} that passes everything to another: the base of a driver decorator
 * (fault injection, capture, tracing), which overrides only what it changes. To see the
 * receive side it overrides {@link #innerContext} and hands the inner driver a
 * {@link ForwardingDriverContext}; {@link #context()} is the stack's side once open.
 *
 * <p>The decorator owns the inner driver: {@link #close} closes it. A subclass that overrides
 * {@code close} calls {@code super.close()} (or closes {@link #delegate()} itself).
 */
public abstract class ForwardingLinkDriver implements LinkDriver {
    private final LinkDriver delegate;
    private volatile DriverContext context;

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

    /** The stack's context this decorator was opened with; null before {@link #open}. */
    protected final DriverContext context() {
        return context;
    }

    /**
     * Remembers the stack's context and opens the inner driver with {@link #innerContext}.
     *
     * @throws DriverException if this decorator is already open
     */
    @Override
    public void open(DriverContext context) throws DriverException {
        Objects.requireNonNull(context, "context");
        if (this.context != null) {
            throw new DriverException(name() + " is already open");
        }
        this.context = context;
        delegate.open(innerContext(context));
    }

    /** What the inner driver is opened with: the stack's context itself, unless a decorator intercepts it. */
    protected DriverContext innerContext(DriverContext stack) {
        return stack;
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
