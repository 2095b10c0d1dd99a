package dev.tsunagu.jdk;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.socket.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The receiving half of a stream channel: one read is always asked of the stack, into a chunk
 * of this channel's own, so that the stack's event loop can tell the channel, by completing
 * that read, that bytes (or the end of the stream, or a reset) arrived. That completion is what
 * makes the channel readable: it signals the channel's {@link Readiness}, which wakes selectors
 * and blocked readers. The application copies out of the chunk; when it is empty, the next read
 * is asked for.
 *
 * <p>Memory: one chunk per connection (at most 64 KiB, at most {@code SO_RCVBUF}), on top of the
 * stack's receive buffer. The chunk is never handed to the application, so a read that returns
 * early never leaves the stack writing into the caller's buffer.
 *
 * <p>Threads: {@link #read} runs under the channel's read lock; {@link #ready} on any thread.
 * The loop only completes the future; it takes no lock here.
 */
final class InboundBytes {
    static final int MAX_CHUNK = 64 * 1024;

    private final TcpSocket connection;
    private final EventLoop loop;
    private final Runnable onChange;
    private final byte[] chunk;
    private int position;
    private int limit;
    /** {@code limit - position}, for {@link #ready} on other threads. */
    private volatile int buffered;
    private volatile CompletableFuture<Integer> pending;
    private volatile boolean endOfStream;
    private volatile IOException failure;

    InboundBytes(TcpSocket connection, EventLoop loop, int receiveBuffer, Runnable onChange) {
        this.connection = connection;
        this.loop = loop;
        this.onChange = onChange;
        this.chunk = new byte[Math.min(MAX_CHUNK, Math.max(1, receiveBuffer))];
    }

    /** Asks the stack for the first bytes. */
    void start() {
        arm();
    }

    /**
     * Copies what has arrived into {@code dsts}, without waiting.
     *
     * @return bytes copied, 0 if none are here yet (or {@code dsts} has no room), -1 at end of stream
     * @throws IOException the connection's failure ("Connection reset"), again on every later call
     */
    long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (buffered == 0) {
            take();
        }
        if (buffered == 0) {
            if (failure != null) {
                throw failure;
            }
            return endOfStream ? -1 : 0;
        }
        long copied = 0;
        for (int i = offset; i < offset + length && position < limit; i++) {
            ByteBuffer dst = dsts[i];
            int n = Math.min(dst.remaining(), limit - position);
            dst.put(chunk, position, n);
            position += n;
            copied += n;
        }
        buffered = limit - position;
        if (buffered == 0) {
            arm();
        }
        return copied;
    }

    /** Whether a read would not wait: bytes here or done arriving, the end, or a failure. */
    boolean ready() {
        CompletableFuture<Integer> p = pending;
        return buffered > 0 || endOfStream || failure != null || (p != null && p.isDone());
    }

    /** Takes the stack's completed read into the chunk; the state is set before {@code pending} is cleared, for {@link #ready}. */
    private void take() {
        CompletableFuture<Integer> f = pending;
        if (f == null || !f.isDone()) {
            return;
        }
        int n;
        try {
            n = f.join();
        } catch (CompletionException e) {
            failure = JdkErrors.onConnection(e);
            pending = null;
            return;
        }
        if (n < 0) {
            endOfStream = true;
        } else {
            position = 0;
            limit = n;
            buffered = n;
        }
        pending = null;
    }

    private void arm() {
        if (pending != null || endOfStream || failure != null) {
            return;
        }
        // Asked as loop code on this thread when the loop is idle (as a kernel runs TCP in the
        // system call), else handed to the loop: the loop thread is not woken just to take note
        // of a read. If bytes are already buffered the read completes here, and so does the signal.
        @SuppressWarnings("unchecked")
        CompletableFuture<Integer>[] asked = new CompletableFuture[1];
        if (!loop.tryRunInline(() -> asked[0] = connection.readAsync(chunk, 0, chunk.length)) || asked[0] == null) {
            asked[0] = connection.readAsync(chunk, 0, chunk.length);
        }
        CompletableFuture<Integer> f = asked[0];
        pending = f;
        f.whenComplete((n, t) -> onChange.run());
    }
}
