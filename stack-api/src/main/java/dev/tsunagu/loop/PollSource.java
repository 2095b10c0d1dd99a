package dev.tsunagu.loop;

/**
 * Something the event loop drains on every turn: typically an interface's queue of received
 * frames. Sources are polled only on the loop thread.
 */
public interface PollSource {
    /** Does up to {@code budget} units of work (e.g. frames) and returns how many it did. */
    int poll(int budget);

    /** Whether {@link #poll} would find work now. Called by the loop before it sleeps; must be cheap and thread-safe. */
    boolean hasWork();
}
