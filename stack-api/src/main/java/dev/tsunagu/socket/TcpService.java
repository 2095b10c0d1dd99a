package dev.tsunagu.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The entry point to a stack's TCP, provided by the {@code stack-tcp} module and obtained with
 * {@code NetworkStack.tcp()}. A stack without that module has no TCP, and asking for it fails
 * with a message naming the module.
 */
public interface TcpService {
    /** Connects (active open), waiting for the handshake; the options' connect timeout applies. */
    TcpSocket connect(InetSocketAddress remote, TcpSocketOptions options) throws IOException;

    /** Connects with {@link TcpSocketOptions#DEFAULT}, waiting for the handshake (at most 75 s). */
    default TcpSocket connect(InetSocketAddress remote) throws IOException {
        return connect(remote, TcpSocketOptions.DEFAULT);
    }

    /**
     * Connects without waiting; the future completes on the event loop. Cancelling it before it
     * completes abandons the attempt, as a {@code close()} in SYN-SENT does (RFC 9293 3.10.4):
     * the connection is deleted without a segment, and a SYN-ACK that comes later finds no
     * connection (a reset answers it).
     */
    CompletableFuture<TcpSocket> connectAsync(InetSocketAddress remote, TcpSocketOptions options);

    /**
     * Connects from a chosen local address and port (what {@code bind} then {@code connect} does
     * with a kernel's socket), waiting for the handshake; the options' connect timeout applies.
     *
     * @param local one of the stack's addresses, or the wildcard for the source address the route
     *     to {@code remote} gives; port 0 for an ephemeral port
     * @throws java.net.BindException if the address is not the stack's, the port is a listener's,
     *     or a connection from that address and port to {@code remote} already exists (the
     *     kernel's EADDRNOTAVAIL / EADDRINUSE)
     */
    TcpSocket connect(InetSocketAddress local, InetSocketAddress remote, TcpSocketOptions options) throws IOException;

    /**
     * {@link #connect(InetSocketAddress, InetSocketAddress, TcpSocketOptions)} without waiting;
     * the future completes on the event loop, exceptionally with a {@link java.net.BindException}
     * for a local address or port that cannot be had; cancelling it abandons the attempt (see
     * {@link #connectAsync(InetSocketAddress, TcpSocketOptions)}).
     */
    CompletableFuture<TcpSocket> connectAsync(InetSocketAddress local, InetSocketAddress remote, TcpSocketOptions options);

    /** Listens (passive open) on {@code port} of every local address. */
    TcpServerSocket listen(int port, int backlog, TcpSocketOptions options) throws IOException;

    /**
     * Listens transparently: every SYN for an address and port that no connection or listener
     * takes makes a connection here, whatever its destination, once the IP layer takes such
     * destinations as its own (transparent mode, the IPv4 option {@code ip.transparent}); the
     * stack's own addresses included. An accepted socket's {@link TcpSocket#localAddress()} is
     * the destination the peer asked for. Bounded like any listener (the backlog, the SYN queue,
     * SYN cookies when it is full); a SYN the filter declines is answered with a RST. One per
     * stack; closing it ends transparent accepting.
     *
     * @throws java.net.BindException if the stack already has one
     */
    default TcpServerSocket listenAny(int backlog, TcpSocketOptions options, FlowFilter filter) throws IOException {
        throw new UnsupportedOperationException("this TCP has no transparent listener");
    }

    /** Listens on {@code port} with the default backlog and options. */
    default TcpServerSocket listen(int port) throws IOException {
        return listen(port, DEFAULT_BACKLOG, TcpSocketOptions.DEFAULT);
    }

    /**
     * Traces every connection of this stack, those open now and those opened later, into
     * {@code sink} (see {@link dev.tsunagu.trace}) until the handle is closed. Several sinks may
     * watch at once (a JFR recording, a plot, a live page); each gets every event. Takes effect
     * on the event loop shortly after the call; any thread.
     *
     * @throws UnsupportedOperationException if this TCP cannot trace
     */
    default dev.tsunagu.trace.TraceHandle trace(dev.tsunagu.trace.TraceSink sink) {
        throw new UnsupportedOperationException("this TCP has no trace");
    }

    /** Completed connections a listener queues for {@code accept} before it drops new SYNs. */
    int DEFAULT_BACKLOG = 128;
}
