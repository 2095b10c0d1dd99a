package dev.tsunagu.driver;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.stats.CounterGroup;

/**
 * A {@link DriverContext} that passes everything to another: what a driver decorator hands its
 * inner driver, overriding only what it intercepts (usually {@link #receive}).
 */
public abstract class ForwardingDriverContext implements DriverContext {
    private final DriverContext delegate;

    /** Forwards every call to {@code delegate} unless a subclass overrides it. */
    protected ForwardingDriverContext(DriverContext delegate) {
        this.delegate = delegate;
    }

    /** The context this one forwards to. */
    protected final DriverContext delegate() {
        return delegate;
    }

    @Override
    public String interfaceName() {
        return delegate.interfaceName();
    }

    @Override
    public BufferPool buffers() {
        return delegate.buffers();
    }

    @Override
    public Clock clock() {
        return delegate.clock();
    }

    @Override
    public EventLoop loop() {
        return delegate.loop();
    }

    @Override
    public boolean receive(PacketBuffer frame) {
        return delegate.receive(frame);
    }

    /**
     * {@link #receive}, as this context sees it: a decorator that intercepts received frames
     * overrides {@code receive} and so sees delivered frames too (they then take the queue).
     */
    @Override
    public boolean deliver(PacketBuffer frame) {
        return receive(frame);
    }

    @Override
    public CounterGroup counters() {
        return delegate.counters();
    }

    @Override
    public void linkStateChanged(boolean up) {
        delegate.linkStateChanged(up);
    }

    @Override
    public void reportError(String message, Throwable cause) {
        delegate.reportError(message, cause);
    }
}
