package dev.tsunagu.trace;

/** A sink's place in a stack's trace: {@link #close} takes the sink out again (once; later calls do nothing). */
@FunctionalInterface
public interface TraceHandle extends AutoCloseable {
    /** Stops giving the sink events (on the event loop, shortly after the call; any thread). */
    @Override
    void close();
}
