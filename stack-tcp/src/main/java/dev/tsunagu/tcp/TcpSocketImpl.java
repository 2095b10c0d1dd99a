package dev.tsunagu.tcp;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.tcp.buffer.SendBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The application's handle on a {@link TcpConnection}. Every operation is a future completed on
 * the event loop; the blocking forms wait for it with {@link EventLoop#await}, which parks a
 * virtual thread cheaply, or, on a virtual loop's own thread, runs the simulation until done.
 * The application's arrays are read and written on the loop while the caller waits (or, for
 * the async forms, until the future completes), so no extra copy is made.
 *
 * <p>A blocking call first tries to run its part itself ({@link EventLoop#tryRunInline}): when
 * the loop thread is asleep the caller takes the loop, copies into or out of the connection's
 * buffers and sends what there is to send, with no hand-off; it waits only when the call
 * cannot finish yet (a read with nothing buffered, a write beyond the send buffer's room), and
 * is then woken by the loop as before. The async forms always hand over, so their callbacks
 * keep running on the loop.
 */
final class TcpSocketImpl implements TcpSocket {
    private static final Duration FOREVER = Duration.ofDays(365);

    private final TcpLayer layer;
    private final TcpConnection conn;
    private final EventLoop loop;
    private final int fd;
    private volatile boolean closed;
    private InputStream in;
    private OutputStream out;

    TcpSocketImpl(TcpLayer layer, TcpConnection conn) {
        this(layer, conn, -1);
    }

    /** With {@code descriptor} already reserved (the socket library's socket()), or -1 to allocate one. */
    TcpSocketImpl(TcpLayer layer, TcpConnection conn, int descriptor) {
        this.layer = layer;
        this.conn = conn;
        this.loop = layer.loop();
        if (descriptor < 0) {
            this.fd = layer.context().descriptors().allocate(this);
        } else {
            layer.context().descriptors().replace(descriptor, this);
            this.fd = descriptor;
        }
        conn.attach(this);
    }

    @Override
    public int descriptor() {
        return fd;
    }

    @Override
    public InetSocketAddress localAddress() {
        return conn.local();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return conn.remote();
    }

    @Override
    public void trace(dev.tsunagu.trace.TraceSink sink) {
        layer.trace(conn, sink);
    }

    @Override
    public String state() {
        return conn.stateName();
    }

    // ---- reading ----

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        return read(buffer, offset, length, FOREVER);
    }

    @Override
    public int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
        CompletableFuture<Integer> f = read(buffer, offset, length, true);
        try {
            return await(loop, f, timeout);
        } catch (SocketTimeoutException e) {
            // The loop may have served the read as the wait ran out: its bytes are then in the
            // caller's buffer and gone from the connection, and throwing would lose them. So the
            // read is withdrawn on the loop, which fails it with the timeout only if it still
            // waits; a served read returns what it got (its future completes at once).
            onLoop(f, () -> conn.cancelRead(f, e), true);
            return await(loop, f, FOREVER);
        }
    }

    @Override
    public CompletableFuture<Integer> readAsync(byte[] buffer, int offset, int length) {
        return read(buffer, offset, length, false);
    }

    private CompletableFuture<Integer> read(byte[] buffer, int offset, int length, boolean inline) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new SocketException("socket closed"));
            return f;
        }
        onLoop(f, () -> conn.read(buffer, offset, length, f, inline), inline);
        return f;
    }

    // ---- writing ----

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        await(loop, write(buffer, offset, length, true), FOREVER);
    }

    @Override
    public CompletableFuture<Void> writeAsync(byte[] buffer, int offset, int length) {
        return write(buffer, offset, length, false);
    }

    private CompletableFuture<Void> write(byte[] buffer, int offset, int length, boolean inline) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new SocketException("socket closed"));
            return f;
        }
        if (length == 0) {
            f.complete(null);
            return f;
        }
        onLoop(f, () -> conn.write(buffer, offset, length, f, inline), inline);
        return f;
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
        call(conn::flush);
    }

    @Override
    public void shutdownOutput() throws IOException {
        checkOpen();
        call(conn::shutdownOutput);
    }

    @Override
    public void close() {
        end(conn::close);
    }

    @Override
    public void abort() {
        end(conn::abort);
    }

    /** Close or abort, the first of them only; the descriptor is released even if the stack is gone. */
    private void end(Runnable onLoop) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            call(onLoop);
        } catch (IOException e) {
            // the stack is gone; nothing left to close
        }
        layer.context().descriptors().release(fd);
    }

    @Override
    public void setNoDelay(boolean on) {
        layer.onLoop(() -> conn.setNoDelay(on));
    }

    @Override
    public void setKeepAlive(boolean on) {
        layer.onLoop(() -> conn.setKeepAlive(on));
    }

    @Override
    public void setSendBufferSize(int bytes) {
        if (bytes < 1 || bytes > SendBuffer.MAX_CAPACITY) {
            throw new IllegalArgumentException("send buffer must be 1 to " + SendBuffer.MAX_CAPACITY + " bytes: " + bytes);
        }
        layer.onLoop(() -> conn.setSendBuffer(bytes));
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return conn.closeFuture();
    }

    // ---- streams ----

    @Override
    public synchronized InputStream inputStream() {
        if (in == null) {
            in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = TcpSocketImpl.this.read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    return TcpSocketImpl.this.read(b, off, len);
                }

                @Override
                public void close() {
                    TcpSocketImpl.this.close();
                }
            };
        }
        return in;
    }

    @Override
    public synchronized OutputStream outputStream() {
        if (out == null) {
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    TcpSocketImpl.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    TcpSocketImpl.this.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    TcpSocketImpl.this.flush();
                }

                @Override
                public void close() {
                    TcpSocketImpl.this.close();
                }
            };
        }
        return out;
    }

    // ---- plumbing ----

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("socket closed");
        }
    }

    /** Runs {@code r} as loop code: on the caller's thread if {@code inline} and it can take the loop, else handed over. */
    private void onLoop(CompletableFuture<?> f, Runnable r, boolean inline) {
        if (inline && loop.tryRunInline(r)) {
            return;
        }
        try {
            layer.onLoop(r);
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new SocketException("the stack is closed"));
        }
    }

    private void call(Runnable r) throws IOException {
        CompletableFuture<Void> f = new CompletableFuture<>();
        onLoop(f, () -> {
            r.run();
            f.complete(null);
        }, true);
        await(loop, f, Duration.ofSeconds(30));
    }

    /** Waits for {@code f} the socket way: its IOException as such, a timeout as SocketTimeoutException. */
    static <T> T await(EventLoop loop, CompletableFuture<T> f, Duration timeout) throws IOException {
        try {
            return loop.await(f, timeout);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("timed out after " + timeout);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    @Override
    public String toString() {
        return "TcpSocket[fd " + fd + ", " + conn + "]";
    }
}
