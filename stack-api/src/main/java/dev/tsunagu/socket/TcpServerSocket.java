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
    int descriptor();

    InetSocketAddress localAddress();

    /** Waits for the next connection. */
    TcpSocket accept() throws IOException;

    TcpSocket accept(Duration timeout) throws IOException;

    /** Completes with the next connection, on the event loop. */
    CompletableFuture<TcpSocket> acceptAsync();

    /** Stops listening; connections not yet accepted are reset (RST). */
    @Override
    void close();
}
