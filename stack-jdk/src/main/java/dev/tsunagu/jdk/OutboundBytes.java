package dev.tsunagu.jdk;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.socket.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The sending half of a stream channel. A non-blocking {@code write} must say at once how many
 * bytes it took, and Tsunagu's TCP says only when a write has been taken whole (its future
 * completes once the send buffer holds every byte). So the channel stages: the application's
 * bytes are copied into a chunk of the channel's own ("filling"), and the event loop hands that
 * chunk to the stack with one {@code writeAsync} at a time ("in flight"). When the stack has
 * taken it, the loop sends the next chunk if bytes are waiting and signals the channel's
 * {@link Readiness}: it is writable again. A channel is writable while its filling chunk has
 * room.
 *
 * <p>Only the loop hands chunks to the stack ({@link #pump}), so bytes leave in the order they
 * were written. The application thread takes the small {@code lock} only to copy, and never
 * while it submits to the loop; the loop takes it only for bookkeeping, so neither ever waits
 * for the other to make progress.
 *
 * <p>Memory: at most two chunks of at most 64 KiB (at most {@code SO_SNDBUF}) per connection.
 * No byte accepted is lost: {@link #whenDrained} runs an action (the half-close or the close of
 * the connection) only after every staged byte has been taken by the stack; a failure of the
 * connection is kept and thrown by the next {@code write}.
 */
final class OutboundBytes {
    static final int MAX_CHUNK = 64 * 1024;

    private final TcpSocket connection;
    private final EventLoop loop;
    private final Runnable onChange;
    private final int chunkSize;
    private final Object lock = new Object();
    // ---- guarded by lock ----
    private byte[] filling;
    private int fillCount;
    private byte[] spare;
    private boolean inFlight;
    private boolean pumpScheduled;
    private Runnable whenDrained;
    // ---- read by any thread ----
    private volatile boolean roomy = true;
    private volatile IOException failure;

    OutboundBytes(TcpSocket connection, EventLoop loop, int sendBuffer, Runnable onChange) {
        this.connection = connection;
        this.loop = loop;
        this.onChange = onChange;
        this.chunkSize = Math.min(MAX_CHUNK, Math.max(1, sendBuffer));
    }

    /**
     * Copies as many bytes as fit into the staging chunk, without waiting.
     *
     * @return the bytes taken (0 when the chunk is full)
     * @throws IOException the connection's failure, once it has failed
     */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
        long taken = 0;
        boolean kick;
        synchronized (lock) {
            if (filling == null) {
                filling = new byte[chunkSize];
            }
            for (int i = offset; i < offset + length && fillCount < chunkSize; i++) {
                ByteBuffer src = srcs[i];
                int n = Math.min(src.remaining(), chunkSize - fillCount);
                src.get(filling, fillCount, n);
                fillCount += n;
                taken += n;
            }
            roomy = fillCount < chunkSize;
            kick = taken > 0 && !inFlight && !pumpScheduled;
            if (kick) {
                pumpScheduled = true;
            }
        }
        if (kick) {
            schedulePump();
        }
        return taken;
    }

    /** Whether a write would take at least one byte (or fail) at once. */
    boolean ready() {
        return roomy || failure != null;
    }

    /** Runs {@code action} on the loop once every staged byte is in the stack's send buffer (or the connection failed). */
    void whenDrained(Runnable action) {
        synchronized (lock) {
            Runnable before = whenDrained;
            whenDrained = before == null ? action : () -> {
                before.run();
                action.run();
            };
            pumpScheduled = true;
        }
        schedulePump();
    }

    /** Drops what is staged (an abort): nothing more is sent. */
    void discard() {
        synchronized (lock) {
            fillCount = 0;
            whenDrained = null;
        }
    }

    private static IOException failureOf(Throwable t) {
        try {
            return JdkErrors.onConnection(t);
        } catch (RuntimeException | Error e) {
            return new IOException(e);
        }
    }

    private void schedulePump() {
        try {
            loop.execute(this::pump);
        } catch (RejectedExecutionException e) {
            failure = new java.net.SocketException(JdkErrors.SOCKET_CLOSED);
            onChange.run();
        }
    }

    /** On the loop: hands the staged chunk to the stack if none is in flight, or runs the drained action. */
    private void pump() {
        byte[] out;
        int count;
        Runnable drained = null;
        synchronized (lock) {
            pumpScheduled = false;
            if (inFlight) {
                return;
            }
            if (fillCount == 0 || failure != null) {
                fillCount = 0;
                drained = whenDrained;
                whenDrained = null;
                out = null;
                count = 0;
            } else {
                out = filling;
                count = fillCount;
                filling = spare != null ? spare : new byte[chunkSize];
                spare = null;
                fillCount = 0;
                roomy = true;
                inFlight = true;
            }
        }
        if (out == null) {
            if (drained != null) {
                drained.run();
            }
            return;
        }
        CompletableFuture<Void> f = connection.writeAsync(out, 0, count);
        f.whenComplete((v, t) -> {
            if (t != null) {
                failure = failureOf(t);
            }
            synchronized (lock) {
                inFlight = false;
                spare = out;
            }
            pump();
            onChange.run();
        });
        onChange.run(); // the filling chunk has room again
    }
}
