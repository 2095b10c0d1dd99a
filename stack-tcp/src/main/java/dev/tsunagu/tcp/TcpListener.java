package dev.tsunagu.tcp;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.tcp.wire.TcpHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A socket in LISTEN (RFC 9293 3.10.7.2): a SYN makes a child connection in SYN-RECEIVED; once
 * its handshake completes it waits in the accept queue. Half-open and queued children together
 * are bounded by the backlog; SYNs beyond it are dropped and counted ({@code ListenOverflows}),
 * so a SYN flood costs a bounded amount of memory. Loop thread only, except the socket methods.
 */
final class TcpListener {
    final TcpLayer layer;
    /** The address listened on, or null for every address of the host. */
    final IpAddress localIp;
    final int port;
    final int backlog;
    final TcpSocketOptions options;
    private final List<TcpConnection> halfOpen = new ArrayList<>();
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<TcpSocket>> waiters = new ArrayDeque<>();
    private final ServerSocket socket;
    private boolean closed;

    TcpListener(TcpLayer layer, IpAddress localIp, int port, int backlog, TcpSocketOptions options, int descriptor) {
        this.layer = layer;
        this.localIp = localIp;
        this.port = port;
        this.backlog = backlog;
        this.options = options;
        this.socket = new ServerSocket(descriptor);
    }

    TcpServerSocket socket() {
        return socket;
    }

    void onSegment(Segment s) {
        if (s.has(TcpHeader.RST)) {
            return; // first: an incoming RST is ignored
        }
        if (s.has(TcpHeader.ACK)) {
            // second: any ACK is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>
            layer.sendReset(s.destinationIp, port, s.sourceIp, s.sourcePort, s.ack, 0, false);
            return;
        }
        if (!s.has(TcpHeader.SYN)) {
            return;
        }
        if (halfOpen.size() + acceptQueue.size() >= backlog) {
            layer.counters.listenOverflows.increment();
            return;
        }
        TcpConnection c = new TcpConnection(layer, true, s.destinationIp, port, s.sourceIp, s.sourcePort, options);
        c.listener = this;
        halfOpen.add(c);
        layer.register(c);
        c.acceptSyn(s, layer.initialSequence(s.destinationIp, port, s.sourceIp, s.sourcePort));
    }

    /** A child completed its handshake. */
    void established(TcpConnection c) {
        halfOpen.remove(c);
        CompletableFuture<TcpSocket> w = waiters.poll();
        if (w != null) {
            c.listener = null;
            w.complete(new TcpSocketImpl(layer, c));
        } else {
            acceptQueue.add(c);
        }
    }

    /** A child died before it was accepted. */
    void forget(TcpConnection c) {
        if (!halfOpen.remove(c)) {
            acceptQueue.remove(c);
        }
    }

    void accept(CompletableFuture<TcpSocket> f) {
        if (closed) {
            f.completeExceptionally(new SocketException("server socket closed"));
            return;
        }
        TcpConnection c = acceptQueue.poll();
        if (c != null) {
            c.listener = null;
            f.complete(new TcpSocketImpl(layer, c));
        } else {
            waiters.add(f);
        }
    }

    /** Stops listening; children not yet accepted are reset (their peers see "connection reset"). */
    void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        layer.removeListener(this);
        List<TcpConnection> children = new ArrayList<>(halfOpen);
        children.addAll(acceptQueue);
        halfOpen.clear();
        acceptQueue.clear();
        for (TcpConnection c : children) {
            c.listener = null;
            c.abort();
        }
        while (!waiters.isEmpty()) {
            waiters.poll().completeExceptionally(new SocketException("server socket closed"));
        }
        layer.context().descriptors().release(socket.fd);
    }

    SocketInfo info() {
        return TcpLayer.listenerInfo(socket.fd, socket.localAddress(), acceptQueue.size(), backlog);
    }

    /** The application's handle. */
    private final class ServerSocket implements TcpServerSocket {
        final int fd;

        ServerSocket(int descriptor) {
            if (descriptor < 0) {
                fd = layer.context().descriptors().allocate(this);
            } else {
                layer.context().descriptors().replace(descriptor, this);
                fd = descriptor;
            }
        }

        @Override
        public int descriptor() {
            return fd;
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress((localIp == null ? Ipv4Address.ANY : localIp).toInetAddress(), port);
        }

        @Override
        public TcpSocket accept() throws IOException {
            return accept(Duration.ofDays(365));
        }

        @Override
        public TcpSocket accept(Duration timeout) throws IOException {
            return TcpSocketImpl.await(layer.loop(), acceptAsync(), timeout);
        }

        @Override
        public CompletableFuture<TcpSocket> acceptAsync() {
            CompletableFuture<TcpSocket> f = new CompletableFuture<>();
            layer.onLoop(() -> TcpListener.this.accept(f));
            return f;
        }

        @Override
        public void close() {
            if (layer.loop().inEventLoop()) {
                closeOnLoop();
            } else {
                try {
                    layer.loop().run(TcpListener.this::closeOnLoop);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the stack is gone
                }
            }
        }

        @Override
        public String toString() {
            return "TcpServerSocket[fd " + fd + ", port " + port + "]";
        }
    }
}
