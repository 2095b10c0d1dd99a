package dev.tsunagu.tcp;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.tcp.buffer.ReceiveBuffer;
import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The application's side of one connection: what its calls wait for, each a future completed on
 * the loop. The connect waits for the handshake; reads wait, in order, for the receive buffer's
 * bytes, the end of the stream or the connection's error; writes wait until the send buffer has
 * taken all their bytes (a write larger than the buffer waits for ACKs to make room); the close
 * future waits for TIME-WAIT or deletion. The connection's error, once it has one, is kept here:
 * every later call fails with it. Bounded by the application: each call waits here until it is
 * served or the connection dies.
 *
 * <p>A call of the blocking API (a thread parked on its future, nothing else attached) that
 * succeeds is completed once the loop's owner lets go of the loop ({@link
 * EventLoop#completeOnRelease}): the thread it wakes then finds the loop free and makes its
 * next call itself, instead of finding it mid-turn and handing that call over. Failures, and
 * the async API's futures (whose callbacks run on the loop), complete at once.
 *
 * <p>Called by the connection, which decides when they are served and how they fail; calls the
 * {@link Sender} to take waiting writes' bytes.
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
    /** Made on first use (an idle connection keeps two deques' arrays less), never given back. */
    private ArrayDeque<PendingRead> reads;
    private ArrayDeque<PendingWrite> writes;
    /** The application's connect (active open), until the handshake ends either way. */
    private CompletableFuture<TcpConnection> connect;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Why the connection died, for every later call. */
    private IOException error;

    SocketCalls(EventLoop loop) {
        this.loop = loop;
    }

    void connecting(CompletableFuture<TcpConnection> f) {
        connect = f;
    }

    /** The handshake completed: a waiting connect returns the connection. */
    void connected(TcpConnection c) {
        if (connect != null) {
            CompletableFuture<TcpConnection> f = connect;
            connect = null;
            f.complete(c);
        }
    }

    CompletableFuture<Void> closeFuture() {
        return closed;
    }

    /** The connection reached TIME-WAIT or was deleted. */
    void closed() {
        if (!closed.isDone()) {
            closed.complete(null);
        }
    }

    /**
     * A read: the error, end of stream (the connection is {@code deleted}) or zero bytes at
     * once when nothing is left to read; else it waits.
     *
     * @return whether it waits (the connection then serves the reads)
     */
    boolean read(byte[] buffer, int offset, int length, CompletableFuture<Integer> f, boolean blocking,
                 ReceiveBuffer in, boolean deleted) {
        if (error != null && in.readable() == 0) {
            f.completeExceptionally(error);
        } else if (deleted && in.readable() == 0) {
            f.complete(-1);
        } else if (length == 0) {
            f.complete(0);
        } else {
            if (reads == null) {
                reads = new ArrayDeque<>();
            }
            reads.add(new PendingRead(buffer, offset, length, f, blocking));
            return true;
        }
        return false;
    }

    /**
     * A read whose caller's wait ran out: if it still waits it is withdrawn and fails with
     * {@code timeout}; if it was served meanwhile, its future has its bytes (or completes with
     * them when the loop is let go) and the caller takes them rather than losing them.
     */
    void cancelRead(CompletableFuture<Integer> f, IOException timeout) {
        if (reads != null && reads.removeIf(r -> r.future() == f)) {
            f.completeExceptionally(timeout);
        }
    }

    /**
     * A write: fails at once if the connection is {@code deleted}, failed or its output shut
     * down; else its bytes go into the send buffer as room allows, the rest waits for ACKs.
     *
     * @return whether it was taken (the connection then lets the sender output)
     */
    boolean write(byte[] buffer, int offset, int length, CompletableFuture<Void> f, boolean blocking,
                  boolean deleted, Sender snd) {
        if (deleted) {
            f.completeExceptionally(error != null ? error : new SocketException("connection closed"));
            return false;
        }
        if (error != null) {
            f.completeExceptionally(error);
            return false;
        }
        if (snd.finQueued) {
            f.completeExceptionally(new SocketException("socket output is shut down"));
            return false;
        }
        if (writes == null) {
            writes = new ArrayDeque<>();
        }
        writes.add(new PendingWrite(buffer, offset, length, f, blocking));
        serveWrites(snd);
        return true;
    }

    /** The application closed its socket: the calls that would get nothing fail. */
    void socketClosed(ReceiveBuffer in, boolean finReceived) {
        if ((reads != null && !reads.isEmpty()) || (writes != null && !writes.isEmpty())) {
            fail(new SocketException("socket closed"), in, finReceived); // (a stack trace is not free: only when needed)
        }
    }

    /**
     * Serves waiting reads in order: bytes while there are any, then end of stream after the
     * peer's FIN, or the connection's error.
     *
     * @return whether any bytes were read (the window may have opened)
     */
    boolean serveReads(ReceiveBuffer in, boolean finReceived) {
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
     * The connection failed: {@code why} is its error (unless it had one), the connect and
     * every waiting call fail with it.
     */
    void fail(IOException why) {
        if (error == null) {
            error = why;
        }
        if (connect != null) {
            CompletableFuture<TcpConnection> f = connect;
            connect = null;
            f.completeExceptionally(why);
        }
        fail(why, null, false);
    }

    /**
     * Fails every waiting write, and the reads: all of them after an error, else only those
     * that would get nothing (readers still get what arrived, then EOF).
     */
    void fail(IOException why, ReceiveBuffer in, boolean finReceived) {
        while (writes != null && !writes.isEmpty()) {
            writes.poll().future.completeExceptionally(why);
        }
        if (reads == null) {
            return;
        }
        if (error != null) {
            while (!reads.isEmpty()) {
                reads.poll().future().completeExceptionally(why);
            }
        } else {
            while (!reads.isEmpty() && in.readable() == 0 && !finReceived) {
                reads.poll().future().completeExceptionally(why);
            }
        }
    }

    /**
     * The connection is deleted: after a normal end every waiting read gets end of stream
     * (unless unread bytes remain), after an error every waiting call fails; a connect still
     * waiting fails.
     */
    void deleted(ReceiveBuffer in, boolean finReceived) {
        if (error == null && (!finReceived || in.readable() == 0)) {
            while (reads != null && !reads.isEmpty()) {
                reads.poll().future().complete(-1);
            }
        } else if (error != null) {
            fail(error, in, finReceived);
        }
        if (connect != null) {
            connect.completeExceptionally(error != null ? error : new SocketException("connection closed"));
            connect = null;
        }
    }
}
