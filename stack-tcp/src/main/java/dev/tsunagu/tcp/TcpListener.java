package dev.tsunagu.tcp;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.FlowFilter;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.tcp.wire.TcpHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * A socket in LISTEN (RFC 9293 3.10.7.2): a SYN makes a child connection in SYN-RECEIVED, kept
 * in the SYN queue; once its handshake completes it waits in the accept queue. The two queues
 * are bounded apart, as in Linux: the accept queue by the backlog, the SYN queue by
 * {@code tcp.synQueue} (by default the backlog too). A SYN that finds the accept queue full is dropped, and so is the ACK
 * that would complete a handshake then ({@code ListenOverflows}): the peer retries. A SYN that
 * finds the SYN queue full ({@code SynQueueOverflows}) is answered with a SYN cookie (RFC 4987,
 * {@link SynCookies}), which keeps no state; the ACK that returns a valid cookie makes the
 * connection then. So a SYN flood costs a bounded amount of memory and still lets real clients
 * in. Loop thread only, except the socket methods.
 *
 * <p>The transparent listener ({@link TcpLayer#listenAny}) is one of these with port 0 and a
 * {@link FlowFilter}: it takes SYNs for any address and port, so everything it does for a segment
 * uses the port the segment was sent to, and its children's local address and port are the
 * destination the peer asked for. A SYN its filter declines draws a RST, before any queue is
 * looked at.
 */
final class TcpListener {
    final TcpLayer layer;
    /** The address listened on, or null for every address of the host. */
    final IpAddress localIp;
    final int port;
    final int backlog;
    final TcpSocketOptions options;
    /** The transparent listener's filter; null for a listener on one port. */
    private final FlowFilter filter;
    /** Children in SYN-RECEIVED (the SYN queue), at most {@code tcp.synQueue}. */
    private final List<TcpConnection> synQueue = new ArrayList<>();
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<TcpSocket>> waiters = new ArrayDeque<>();
    private final ServerSocket socket;
    private boolean closed;
    /** When the SYN queue last overflowed (a cookie may come back for two cookie lifetimes after), and whether it ever did. */
    private long lastOverflow;
    private boolean overflowed;

    TcpListener(TcpLayer layer, IpAddress localIp, int port, int backlog, TcpSocketOptions options, int descriptor,
            FlowFilter filter) {
        this.layer = layer;
        this.localIp = localIp;
        this.port = port;
        this.backlog = backlog;
        this.options = options;
        this.filter = filter;
        this.socket = new ServerSocket(descriptor);
    }

    TcpServerSocket socket() {
        return socket;
    }

    void onSegment(Segment s) {
        if (s.has(TcpHeader.RST)) {
            layer.counters.rstsNoConnection.increment();
            return; // first: an incoming RST is ignored
        }
        if (s.has(TcpHeader.ACK)) {
            if (!s.has(TcpHeader.SYN) && cookieMayReturn()) {
                acceptCookie(s);
                return;
            }
            // second: any ACK is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>
            layer.sendReset(s.destinationIp, s.destinationPort, s.sourceIp, s.sourcePort, s.ack, 0, false);
            return;
        }
        if (!s.has(TcpHeader.SYN)) {
            return;
        }
        if (filter != null && !filter.admit(new InetSocketAddress(s.sourceIp.toInetAddress(), s.sourcePort),
                new InetSocketAddress(s.destinationIp.toInetAddress(), s.destinationPort))) {
            // Refused as the destination itself would refuse it: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>.
            layer.counters.transparentDeclined.increment();
            layer.sendReset(s.destinationIp, s.destinationPort, s.sourceIp, s.sourcePort, 0, s.seq + 1, true);
            return;
        }
        if (!hasRoom()) {
            layer.counters.listenOverflows.increment(); // no room to queue what the handshake would make
            return;
        }
        if (synQueue.size() >= synQueueLimit()) {
            layer.counters.synQueueOverflows.increment();
            if (layer.settings.synCookies) {
                overflowed = true;
                lastOverflow = layer.loop().now();
                sendCookie(s);
            }
            return;
        }
        int port = s.destinationPort; // this listener's, or for the transparent one the port asked for
        TcpConnection c = new TcpConnection(layer, true, s.destinationIp, port, s.sourceIp, s.sourcePort, options);
        c.listener = this;
        synQueue.add(c);
        layer.register(c);
        c.acceptSyn(s, layer.initialSequence(s.destinationIp, port, s.sourceIp, s.sourcePort));
    }

    /** The SYN queue's bound: {@code tcp.synQueue}, or the backlog when that is 0 (as Linux bounds both by it). */
    private int synQueueLimit() {
        return layer.settings.synQueue > 0 ? layer.settings.synQueue : backlog;
    }

    /** Whether the accept queue can take one more connection. */
    boolean hasRoom() {
        return acceptQueue.size() < backlog;
    }

    /**
     * Whether an ACK here may be a cookie's return: cookies are on and the SYN queue overflowed
     * within a cookie's lifetime (as Linux's tcp_synq_no_recent_overflow). Otherwise an ACK in
     * LISTEN draws its RST as RFC 9293 says, and nobody can try cookies against an idle listener.
     */
    private boolean cookieMayReturn() {
        return layer.settings.synCookies && overflowed
                && layer.loop().now() - lastOverflow <= (SynCookies.MAX_AGE_TICKS + 1) * SynCookies.TICK_NANOS;
    }

    /**
     * RFC 4987 3.6: answers the SYN {@code s} with a SYN-ACK whose sequence number is a cookie and
     * keeps nothing. The SYN-ACK offers what a kept connection's would (our MSS, our window
     * unscaled, scaling, SACK-permitted and ECN if the peer offered them), except that without
     * timestamps there is nowhere to keep them, so none is offered.
     */
    private void sendCookie(Segment s) {
        IpService ip = layer.network(s.sourceIp);
        int port = s.destinationPort;
        int ourMss = PathMtuDiscovery.ourMss(ip, s.sourceIp);
        int peerMss = s.options.mss > 0 ? s.options.mss : Handshake.DEFAULT_MSS;
        int mssIndex = SynCookies.mssIndex(Math.min(peerMss, ourMss));
        long now = layer.loop().now();
        int iss = layer.synCookies.cookie(s.destinationIp, port, s.sourceIp, s.sourcePort, s.seq, mssIndex, now);
        TcpHeader.Options o = layer.outOptions.clear();
        o.mss = ourMss;
        int flags = TcpHeader.SYN | TcpHeader.ACK;
        if (layer.settings.timestamps && s.options.timestamps) {
            boolean sack = layer.settings.sack && s.options.sackPermitted;
            o.sackPermitted = sack;
            o.windowScale = s.options.windowScale >= 0 ? Receiver.windowScaleFor(options.receiveBuffer()) : -1;
            int tsNow = RttSampler.tsClock(now, layer.timestampOffset(s.destinationIp, port, s.sourceIp, s.sourcePort));
            o.timestamps = true;
            // RFC 3168 6.1.1: an ECN-setup SYN (ECE and CWR) is granted with an ECN-setup SYN-ACK (ECE).
            boolean ecn = layer.settings.ecnAccept && s.has(TcpHeader.ECE) && s.has(TcpHeader.CWR);
            o.tsValue = SynCookies.encodeTimestamp(tsNow, s.options.windowScale, sack, ecn);
            o.tsEcho = s.options.tsValue;
            flags |= ecn ? TcpHeader.ECE : 0;
        }
        int window = Math.min(options.receiveBuffer(), 0xFFFF); // a SYN's window is never scaled (RFC 7323 2.2)
        layer.counters.syncookiesSent.increment();
        layer.sendStateless(s.destinationIp, port, s.sourceIp, s.sourcePort, iss, s.seq + 1, flags, window, o);
    }

    /**
     * An ACK that may return a cookie: if SEG.ACK - 1 is a valid cookie for this 4-tuple and
     * SEG.SEQ - 1, the connection is made from it and takes the ACK (and any data) as the end of
     * its handshake; a forged or stale one is dropped without an answer, so a flood of guesses
     * draws nothing back.
     */
    private void acceptCookie(Segment s) {
        int mssIndex = checkCookie(s);
        if (mssIndex < 0) {
            layer.counters.syncookiesFailed.increment();
            return;
        }
        makeFromCookie(s, mssIndex);
    }

    /**
     * An ACK that {@code child} (in SYN-RECEIVED) cannot take, because it acknowledges another
     * ISN: a cookie SYN-ACK answered our peer's first SYN while the queue was full, and its
     * retransmitted SYN made {@code child} once there was room. If the ACK returns a valid
     * cookie, the child gives way to the cookie's connection (Linux hands such an ACK to the
     * listener the same way).
     *
     * @return true if the child was replaced, false if the ACK is the child's to answer
     */
    boolean cookieReplaces(TcpConnection child, Segment s) {
        if (s.has(TcpHeader.SYN) || !cookieMayReturn()) {
            return false;
        }
        int mssIndex = checkCookie(s);
        if (mssIndex < 0) {
            return false;
        }
        child.delete();
        makeFromCookie(s, mssIndex);
        return true;
    }

    /** The MSS index of the cookie {@code s} returns, or -1. */
    private int checkCookie(Segment s) {
        return layer.synCookies.check(s.destinationIp, s.destinationPort, s.sourceIp, s.sourcePort, s.seq - 1, s.ack - 1,
                layer.loop().now());
    }

    private void makeFromCookie(Segment s, int mssIndex) {
        if (!hasRoom()) {
            layer.counters.listenOverflows.increment();
            return;
        }
        int peerScale = -1;
        boolean sack = false;
        boolean ecn = false;
        if (layer.settings.timestamps && s.options.timestamps) {
            peerScale = SynCookies.windowScaleOf(s.options.tsEcho);
            sack = SynCookies.sackPermittedOf(s.options.tsEcho);
            ecn = SynCookies.ecnOf(s.options.tsEcho);
        }
        layer.counters.syncookiesRecv.increment();
        TcpConnection c = new TcpConnection(layer, true, s.destinationIp, s.destinationPort, s.sourceIp, s.sourcePort,
                options);
        c.listener = this;
        layer.register(c);
        c.acceptCookie(s, s.ack - 1, SynCookies.MSS_TABLE[mssIndex], peerScale, sack, ecn);
    }

    /** A child completed its handshake. */
    void established(TcpConnection c) {
        synQueue.remove(c);
        CompletableFuture<TcpSocket> w;
        while ((w = waiters.poll()) != null) {
            // A future its caller gave up on (cancelled) must not take the connection with it.
            if (!w.isDone()) {
                c.listener = null;
                w.complete(new TcpSocketImpl(layer, c));
                return;
            }
        }
        acceptQueue.add(c);
    }

    /** An accept whose caller's wait ran out: failed with {@code timeout} if it still waits (see {@link TcpSocketImpl#read}). */
    void cancelAccept(CompletableFuture<TcpSocket> f, IOException timeout) {
        if (waiters.remove(f)) {
            f.completeExceptionally(timeout);
        }
    }

    /** A child died before it was accepted. */
    void forget(TcpConnection c) {
        if (!synQueue.remove(c)) {
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
        List<TcpConnection> children = new ArrayList<>(synQueue);
        children.addAll(acceptQueue);
        synQueue.clear();
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
        // A listener on every address takes both families on a dual-stack host: [::]:80, not 0.0.0.0:80.
        InetSocketAddress local = localIp != null ? socket.localAddress()
                : new InetSocketAddress(layer.context().wildcardAddress().toInetAddress(), port);
        return TcpLayer.listenerInfo(socket.fd, local, acceptQueue.size(), backlog);
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
            // Blocking: takes a waiting connection itself when it can take the loop (no hand-off),
            // else hands the accept over; either way it then waits, leading the loop if it is idle.
            CompletableFuture<TcpSocket> f = new CompletableFuture<>();
            Runnable take = () -> TcpListener.this.accept(f);
            if (!layer.loop().tryRunInline(take)) {
                layer.onLoop(take);
            }
            try {
                return TcpSocketImpl.await(layer.loop(), f, timeout);
            } catch (SocketTimeoutException e) {
                // As for a read: a connection handed to this wait as it ran out is returned, not
                // lost, and a wait still queued is withdrawn (else the next connection went to it).
                try {
                    layer.onLoop(() -> cancelAccept(f, e));
                } catch (RejectedExecutionException closed) {
                    f.completeExceptionally(new SocketException("the stack is closed"));
                }
                return TcpSocketImpl.await(layer.loop(), f, Duration.ofDays(365));
            }
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
