package dev.tsunagu.trace;

/**
 * Where a stack's TCP trace goes. Called on the stack's event loop, in the order the facts
 * happened, so an implementation must be quick and must not block (hand the event to another
 * thread if it has more to do); it must not call back into the stack. An exception it throws
 * is the loop's: caught, logged and counted there, and the connection's work for that event
 * may be cut short, so a sink should not throw.
 */
@FunctionalInterface
public interface TraceSink {
    /** One event of one connection. */
    void onEvent(TcpTraceEvent event);
}
