package dev.tsunagu.tcp;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.tcp.buffer.ReceiveBuffer;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The application's reads and writes that wait on one connection, in order, each a future
 * completed on the loop: a read by the receive buffer's bytes, the end of the stream or the
 * connection's error; a write once the send buffer has taken all its bytes (a write larger than
 * the buffer waits for ACKs to make room). Bounded by the application: each call waits here
 * until it is served or the connection dies.
 *
 * <p>A call of the blocking API (a thread parked on its future, nothing else attached) that
 * succeeds is completed once the loop's owner lets go of the loop ({@link
 * EventLoop#completeOnRelease}): the thread it wakes then finds the loop free and makes its
 * next call itself, instead of finding it mid-turn and handing that call over. Failures, and
 * the async API's futures (whose callbacks run on the loop), complete at once.
 *
 * <p>Called by the connection, which decides when they are served and how they fail.
 */
final class SocketCalls {
    private record PendingRead(byte[] buffer, int offset, int length, CompletableFuture<Integer> future,
                               boolean blocking) {}

    private static final class PendingWrite {
        final byte[] buffer;
        int offset;
        int remaining;
        final CompletableFuture<Void> future;
        final boolean blocking;

        PendingWrite(byte[] buffer, int offset, int length, CompletableFuture<Void> future, boolean blocking) {
            this.buffer = buffer;
            this.offset = offset;
            this.remaining = length;
            this.future = future;
            this.blocking = blocking;
        }
    }

    private final EventLoop loop;

    SocketCalls(EventLoop loop) {
        this.loop = loop;
    }

    /** Made on first use (an idle connection keeps two deques' arrays less), never given back. */
    private ArrayDeque<PendingRead> reads;
    private ArrayDeque<PendingWrite> writes;

    void addRead(byte[] buffer, int offset, int length, CompletableFuture<Integer> future, boolean blocking) {
        if (reads == null) {
            reads = new ArrayDeque<>();
        }
        reads.add(new PendingRead(buffer, offset, length, future, blocking));
    }

    /** A read that timed out is no longer waiting. */
    void cancelRead(CompletableFuture<Integer> f) {
        if (reads != null) {
            reads.removeIf(r -> r.future() == f);
        }
    }

    void addWrite(byte[] buffer, int offset, int length, CompletableFuture<Void> future, boolean blocking) {
        if (writes == null) {
            writes = new ArrayDeque<>();
        }
        writes.add(new PendingWrite(buffer, offset, length, future, blocking));
    }

    boolean isEmpty() {
        return (reads == null || reads.isEmpty()) && (writes == null || writes.isEmpty());
    }

    /**
     * Serves waiting reads in order: bytes while there are any, then end of stream after the
     * peer's FIN, or the connection's error.
     *
     * @return whether any bytes were read (the window may have opened)
     */
    boolean serveReads(ReceiveBuffer in, boolean finReceived, IOException error) {
        boolean readSomething = false;
        while (reads != null && !reads.isEmpty()) {
            PendingRead r = reads.peek();
            if (in.readable() > 0) {
                int n = in.read(r.buffer(), r.offset(), r.length());
                reads.poll();
                readSomething = true;
                complete(r.future(), n, r.blocking());
            } else if (finReceived) {
                reads.poll();
                complete(r.future(), -1, r.blocking());
            } else if (error != null) {
                reads.poll();
                r.future().completeExceptionally(error);
            } else {
                break;
            }
        }
        return readSomething;
    }

    /** Moves waiting writes into the send buffer, in order, while it has room. */
    void serveWrites(Sender snd) {
        while (writes != null && !writes.isEmpty()) {
            PendingWrite w = writes.peek();
            int n = snd.write(w.buffer, w.offset, w.remaining);
            w.offset += n;
            w.remaining -= n;
            if (w.remaining > 0) {
                break;
            }
            writes.poll();
            complete(w.future, null, w.blocking);
        }
    }

    private <T> void complete(CompletableFuture<T> f, T value, boolean blocking) {
        if (blocking) {
            loop.completeOnRelease(f, value);
        } else {
            f.complete(value);
        }
    }

    /**
     * Fails every waiting write, and the reads: all of them after an error ({@code allReads}),
     * else only those that would get nothing (readers still get what arrived, then EOF).
     */
    void fail(IOException why, boolean allReads, ReceiveBuffer in, boolean finReceived) {
        while (writes != null && !writes.isEmpty()) {
            writes.poll().future.completeExceptionally(why);
        }
        if (reads == null) {
            return;
        }
        if (allReads) {
            while (!reads.isEmpty()) {
                reads.poll().future().completeExceptionally(why);
            }
        } else {
            while (!reads.isEmpty() && in.readable() == 0 && !finReceived) {
                reads.poll().future().completeExceptionally(why);
            }
        }
    }

    /** The stream ended normally: every waiting read gets end of stream. */
    void endReads() {
        while (reads != null && !reads.isEmpty()) {
            reads.poll().future().complete(-1);
        }
    }
}
