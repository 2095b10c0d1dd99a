package dev.tsunagu.jdk;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one path by which a channel tells the world its state changed: the stack's event loop
 * completes a future of the channel (data arrived, the send buffer took bytes, a handshake
 * finished, a connection is waiting to be accepted, the peer reset), and the future's callback
 * calls {@link #signal}. That hands each of the channel's selection keys to its selector, which
 * wakes if it is waiting, and completes the future that blocked callers of the channel wait on.
 * Nothing polls: a selector with nothing signalled sleeps until its timeout.
 *
 * <p>{@link #signal} runs on the loop thread, so it takes no lock a caller could hold while it
 * waits for the loop: it only reads a copy-on-write list, sets flags and unparks.
 */
final class Readiness {
    private final CopyOnWriteArrayList<TsunaguSelectionKey> keys = new CopyOnWriteArrayList<>();
    /** Completed and cleared by the next signal; made only when a blocked caller asks for one. */
    private final AtomicReference<CompletableFuture<Void>> change = new AtomicReference<>();

    void add(TsunaguSelectionKey key) {
        keys.add(key);
    }

    void remove(TsunaguSelectionKey key) {
        keys.remove(key);
    }

    /** The state changed: tell the selectors and wake blocked callers. Any thread. */
    void signal() {
        for (TsunaguSelectionKey k : keys) {
            k.tsunaguSelector().changed(k);
        }
        CompletableFuture<Void> f = change.getAndSet(null);
        if (f != null) {
            f.complete(null);
        }
    }

    /**
     * A future the next {@link #signal} completes. Take it <em>before</em> looking at the state,
     * then wait on it only if the state was not what you wanted: no signal is missed in between.
     */
    CompletableFuture<Void> nextChange() {
        return change.updateAndGet(f -> f != null ? f : new CompletableFuture<>());
    }
}
