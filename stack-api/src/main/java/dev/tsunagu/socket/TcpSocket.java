package dev.tsunagu.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection (RFC 9293), {@code java.net.Socket}-like, with an asynchronous form for
 * event-loop users.
 *
 * <p>Blocking calls park the calling thread (cheap on virtual threads); on a
 * {@link dev.tsunagu.loop.VirtualEventLoop}'s own thread they drive the simulation instead.
 * Asynchronous calls return futures that complete on the stack's event loop; the arrays they
 * are given must not be touched until then.
 *
 * <p>Errors: {@link java.net.ConnectException} ("connection refused"),
 * {@link java.net.SocketTimeoutException} (connect or retransmission gave up),
 * {@link java.net.SocketException} ("connection reset" when the peer resets, "socket closed").
 */
public interface TcpSocket extends AutoCloseable {
    /** The socket library's descriptor for this connection; the socket table shows the same number. */
    int descriptor();

    /** Our address and port. */
    InetSocketAddress localAddress();

    /** The peer's address and port. */
    InetSocketAddress remoteAddress();

    /**
     * Traces this connection into {@code sink} (see {@link dev.tsunagu.trace}), instead of the
     * stack's sink if it has one; {@code null} stops tracing it. Takes effect on the event loop
     * shortly after the call; any thread.
     *
     * @throws UnsupportedOperationException if this socket cannot be traced
     */
    default void trace(dev.tsunagu.trace.TraceSink sink) {
        throw new UnsupportedOperationException("this socket has no trace");
    }

    /** The RFC 9293 state name: {@code ESTABLISHED}, {@code CLOSE_WAIT}… */
    String state();

    /**
     * Reads up to {@code length} bytes, waiting until at least one is available.
     *
     * @return bytes read, or -1 at end of stream (the peer sent FIN and everything was read)
     */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /** Reads with a limit on the wait. @throws java.net.SocketTimeoutException if nothing arrives in time */
    int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException;

    /** Writes all bytes into the send buffer, waiting for room as needed. */
    void write(byte[] buffer, int offset, int length) throws IOException;

    /** Writes all of {@code buffer}, waiting for room in the send buffer as needed. */
    default void write(byte[] buffer) throws IOException {
        write(buffer, 0, buffer.length);
    }

    /** The application asks to send now whatever is buffered, without waiting to fill a segment (push). */
    void flush() throws IOException;

    /** Half-close: FIN after the buffered data; reading goes on. */
    void shutdownOutput() throws IOException;

    /** Closes: FIN after the buffered data (or RST at once if received data was left unread, RFC 1122 4.2.2.13). */
    @Override
    void close();

    /** Aborts: RST at once, buffered data discarded (linger 0). */
    void abort();

    /**
     * {@code TCP_NODELAY}: send partial segments at once instead of asking the send-buffering
     * policy (Nagle by default). Takes effect on the event loop shortly after the call; any thread.
     */
    void setNoDelay(boolean on);

    /** Turns keepalive probes on an idle connection (RFC 1122 4.2.3.6) on or off; any thread. */
    void setKeepAlive(boolean on);

    /**
     * {@code SO_SNDBUF} on a live connection: the send buffer holds at most {@code bytes} from
     * now on. A larger one takes waiting writes' bytes at once; a smaller one keeps what it
     * holds and takes more only once acknowledgements bring it below the new size. Takes effect
     * on the event loop shortly after the call; any thread.
     *
     * @throws IllegalArgumentException if {@code bytes} is below 1 or above 1 GiB
     */
    void setSendBufferSize(int bytes);

    /** A blocking {@link InputStream} over {@link #read}; the same instance on every call. */
    InputStream inputStream();

    /**
     * A blocking {@link OutputStream} over {@link #write}; {@code flush()} pushes; the same instance on every call.
     */
    OutputStream outputStream();

    // ---- asynchronous form ----

    /** Completes with bytes read (≥ 1) or -1 at end of stream, on the event loop. */
    CompletableFuture<Integer> readAsync(byte[] buffer, int offset, int length);

    /** Completes when every byte is in the send buffer, on the event loop. */
    CompletableFuture<Void> writeAsync(byte[] buffer, int offset, int length);

    /**
     * Completes when the connection is closed as far as the application can tell: when it enters
     * TIME_WAIT (the side that closed first; the control block lingers 2 MSL more), after
     * LAST_ACK, or when it is reset or aborted.
     */
    CompletableFuture<Void> closeFuture();
}
