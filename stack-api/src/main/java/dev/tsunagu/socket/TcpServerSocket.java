package dev.tsunagu.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A listening TCP socket: completed connections wait in a bounded accept queue (the backlog);
 * SYNs beyond it are dropped and counted rather than growing memory.
 */
public interface TcpServerSocket extends AutoCloseable {
    /** The socket library's descriptor for this listener; the socket table shows the same number. */
    int descriptor();

    /** The local address and port listened on (the wildcard address: every local address). */
    InetSocketAddress localAddress();

    /** Waits for the next connection. */
    TcpSocket accept() throws IOException;

    /**
     * Waits at most {@code timeout} for the next connection.
     *
     * @throws java.net.SocketTimeoutException if none completes in time
     * @throws java.net.SocketException if the listener is closed meanwhile
     */
    TcpSocket accept(Duration timeout) throws IOException;

    /** Completes with the next connection, on the event loop. */
    CompletableFuture<TcpSocket> acceptAsync();

    /** Stops listening; connections not yet accepted are reset (RST). */
    @Override
    void close();
}
