package dev.tsunagu.udp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Endpoint;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.FlowFilter;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A UDP socket. Its binding and peer live on the event loop (changed only there); its receive
 * queue is the one structure shared with application threads, guarded by a lock whose waits
 * park virtual threads cheaply.
 */
final class UdpSocketImpl implements UdpSocket {
    /** The largest UDP payload IPv4 can carry: 65535 − 20 (IP) − 8 (UDP). */
    static final int MAX_PAYLOAD = 65507;

    private final UdpLayer layer;
    private final EventLoop loop;
    private final int fd;
    private final int capacity;

    /** The address bound to, or null for the wildcard. */
    private volatile IpAddress localAddress;
    private volatile int localPort;
    private volatile InetSocketAddress remote;
    private IpAddress remoteIp;
    private int remotePort;
    private volatile Consumer<Datagram> handler;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private long queuedBytes;
    private final AtomicReference<IOException> pendingError = new AtomicReference<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;
    /** The transparent socket ({@link UdpLayer#openAny}): receives for any destination, answers with sendFrom. */
    private volatile boolean transparent;

    UdpSocketImpl(UdpLayer layer, int capacity) {
        this.layer = layer;
        this.loop = layer.ctx.loop();
        this.capacity = capacity;
        this.fd = layer.ctx.descriptors().allocate(this);
    }

    @Override
    public int descriptor() {
        return fd;
    }

    @Override
    public UdpSocket bind(int port) throws IOException {
        return bind(new InetSocketAddress(port));
    }

    /** Makes this the stack's transparent socket. */
    void becomeTransparent(FlowFilter filter) throws IOException {
        onLoop(() -> {
            layer.setAnySocket(this, filter);
            transparent = true;
            return null;
        });
    }

    private void refuseIfTransparent(String what) throws SocketException {
        if (transparent) {
            throw new SocketException("a transparent socket cannot " + what + ": it receives for every destination "
                    + "and answers with sendFrom");
        }
    }

    @Override
    public UdpSocket bind(InetSocketAddress local) throws IOException {
        checkOpen();
        refuseIfTransparent("be bound");
        IpAddress address = addressOf(local, true);
        int port = local.getPort();
        onLoop(() -> {
            if (localPort != 0) {
                throw new SocketException("socket is already bound to port " + localPort);
            }
            localPort = layer.bind(this, address, port);
            localAddress = address;
            return null;
        });
        return this;
    }

    @Override
    public UdpSocket connect(InetSocketAddress peer) throws IOException {
        checkOpen();
        refuseIfTransparent("be connected");
        IpAddress address = addressOf(peer, false);
        int port = peer.getPort();
        if (port <= 0 || port > 65535) {
            throw new SocketException("bad port " + port);
        }
        onLoop(() -> {
            ensureBound();
            remoteIp = address;
            remotePort = port;
            remote = new InetSocketAddress(address.toInetAddress(), port);
            return null;
        });
        return this;
    }

    @Override
    public InetSocketAddress localAddress() {
        int port = localPort;
        IpAddress a = localAddress;
        return port == 0 ? null : new InetSocketAddress((a == null ? Ipv4Address.ANY : a).toInetAddress(), port);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void send(byte[] data, int offset, int length, InetSocketAddress to) throws IOException {
        checkOpen();
        refuseIfTransparent("send without a source (use sendFrom)");
        throwPendingError();
        IpAddress address = addressOf(to, false);
        sendTo(data, offset, length, null, 0, address, to.getPort());
    }

    @Override
    public void sendFrom(byte[] data, int offset, int length, InetSocketAddress from, InetSocketAddress to)
            throws IOException {
        checkOpen();
        if (!transparent) {
            throw new SocketException("sendFrom is for a transparent socket (UdpService.openAny)");
        }
        IpAddress source = addressOf(from, false);
        if (from.getPort() <= 0 || from.getPort() > 65535) {
            throw new SocketException("bad source port " + from.getPort());
        }
        sendTo(data, offset, length, source, from.getPort(), addressOf(to, false), to.getPort());
    }

    @Override
    public void send(byte[] data, int offset, int length) throws IOException {
        checkOpen();
        throwPendingError();
        InetSocketAddress peer = remote;
        if (peer == null) {
            throw new SocketException("socket is not connected: give a destination");
        }
        sendTo(data, offset, length, null, 0, remoteIp, remotePort);
    }

    /** Sends from {@code source:sourcePort}, or (null, 0) from this socket's binding (bound now if it is not yet). */
    private void sendTo(byte[] data, int offset, int length, IpAddress source, int sourcePort, IpAddress address,
            int port) throws IOException {
        if (length > MAX_PAYLOAD) {
            throw new SocketException("message too long: " + length + " bytes (UDP over IPv4 carries at most " + MAX_PAYLOAD + ")");
        }
        if (port <= 0 || port > 65535) {
            throw new SocketException("bad destination port " + port);
        }
        // Copy on the caller's thread (the pool is thread-safe), send on the loop.
        PacketBuffer b = layer.ctx.buffers().acquire(length);
        b.append(data, offset, length);
        onLoop(() -> {
            int result;
            if (source != null) {
                result = layer.send(b, source, sourcePort, address, port);
            } else {
                ensureBound();
                result = layer.send(b, localAddress, localPort, address, port);
            }
            if (result == IpService.NO_ROUTE) {
                throw new NoRouteToHostException("no route to host " + address);
            }
            return null;
        });
    }

    private void ensureBound() throws IOException {
        if (localPort == 0) {
            localPort = layer.bind(this, null, 0);
        }
    }

    @Override
    public Datagram receive() throws IOException {
        return receive(Duration.ofDays(365));
    }

    @Override
    public Datagram receive(Duration timeout) throws IOException {
        checkOpen();
        if (loop instanceof VirtualEventLoop v && v.inEventLoop()) {
            // A test driving the simulation: run it until something arrives.
            v.runUntil(this::ready, timeout);
            Datagram d = take();
            if (d == null) {
                throw new SocketTimeoutException("no datagram within " + timeout + " (virtual time)");
            }
            return d;
        }
        if (loop.inEventLoop()) {
            throw new IllegalStateException("blocking receive on the event loop: use onReceive there");
        }
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (queue.isEmpty() && !closed && pendingError.get() == null) {
                if (nanos <= 0) {
                    throw new SocketTimeoutException("no datagram within " + timeout);
                }
                nanos = changed.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while receiving");
        } finally {
            lock.unlock();
        }
        Datagram d = take();
        if (d == null) {
            throw new SocketException("socket closed");
        }
        return d;
    }

    @Override
    public Datagram poll() throws IOException {
        checkOpen();
        return take();
    }

    /** The next queued datagram, after reporting a pending error; null if none. */
    private Datagram take() throws IOException {
        throwPendingError();
        lock.lock();
        try {
            Datagram d = queue.poll();
            if (d != null) {
                queuedBytes -= d.length();
            }
            return d;
        } finally {
            lock.unlock();
        }
    }

    private boolean ready() {
        lock.lock();
        try {
            return !queue.isEmpty() || closed || pendingError.get() != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onReceive(Consumer<Datagram> newHandler) {
        Runnable install = () -> {
            handler = newHandler;
            if (newHandler != null) {
                Datagram d;
                while (true) {
                    lock.lock();
                    try {
                        d = queue.poll();
                        if (d != null) {
                            queuedBytes -= d.length();
                        }
                    } finally {
                        lock.unlock();
                    }
                    if (d == null) {
                        break;
                    }
                    newHandler.accept(d);
                }
            }
        };
        if (loop.inEventLoop()) {
            install.run();
        } else {
            loop.run(install);
        }
    }

    @Override
    public long droppedDatagrams() {
        return dropped.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop.inEventLoop()) {
            closeOnLoop();
        } else {
            try {
                loop.run(this::closeOnLoop);
            } catch (RejectedExecutionException e) {
                // the stack is gone, and the port with it
            }
        }
        layer.ctx.descriptors().release(fd);
        signal();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    // ---- called by UdpLayer on the loop ----

    void closeOnLoop() {
        closed = true;
        layer.unbind(this, localPort);
        signal();
    }

    boolean accepts(IpAddress destination, boolean broadcast) {
        IpAddress a = localAddress;
        return a == null || a.equals(destination) || broadcast;
    }

    boolean acceptsPeer(IpAddress source, int sourcePort) {
        return remote == null || (source.equals(remoteIp) && sourcePort == remotePort);
    }

    void deliver(IpAddress src, int sport, IpAddress dst, int dport, PacketBuffer payload) {
        Datagram d = new Datagram(new InetSocketAddress(src.toInetAddress(), sport),
                new InetSocketAddress(dst.toInetAddress(), dport), payload.toByteArray());
        Consumer<Datagram> h = handler;
        if (h != null) {
            h.accept(d);
            return;
        }
        lock.lock();
        try {
            if (queue.size() >= capacity) {
                dropped.incrementAndGet();
                layer.rcvbufErrors.increment();
                return;
            }
            queue.add(d);
            queuedBytes += d.length();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** An ICMP error about a datagram we sent to {@code destinationPort}: reported to a connected socket. */
    void icmpError(IcmpErrorInfo error, int destinationPort) {
        if (remote == null || !error.quotedDestination().equals(remoteIp) || destinationPort != remotePort) {
            return; // unconnected sockets are not told (as on Linux)
        }
        String peer = Endpoint.format(remote);
        IOException e = switch (error.kind()) {
            case PORT_UNREACHABLE -> new PortUnreachableException("connection refused: " + peer + " (ICMP port unreachable)");
            case PROTOCOL_UNREACHABLE, UNREACHABLE, PACKET_TOO_BIG -> new NoRouteToHostException("no route to "
                    + peer + " (ICMP destination unreachable, code " + error.code() + ", from " + error.reporter() + ")");
            default -> new SocketException("ICMP type " + error.type() + " code " + error.code() + " from "
                    + error.reporter() + " about a datagram to " + peer);
        };
        pendingError.set(e);
        signal();
    }

    SocketInfo info() {
        int queued;
        long bytes;
        lock.lock();
        try {
            queued = queue.size();
            bytes = queuedBytes;
        } finally {
            lock.unlock();
        }
        InetSocketAddress local = localAddress();
        if (local != null && localAddress == null) {
            // Bound to every address: both families on a dual-stack host, [::]:53 rather than 0.0.0.0:53.
            local = new InetSocketAddress(layer.ctx.wildcardAddress().toInetAddress(), local.getPort());
        }
        return UdpLayer.info(fd, local, remote, queued, bytes);
    }

    // ---- helpers ----

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("socket closed");
        }
    }

    private void throwPendingError() throws IOException {
        IOException e = pendingError.getAndSet(null);
        if (e != null) {
            throw e;
        }
    }

    /** The address of {@code a}, of either family; null for the wildcard where it is allowed. */
    private static IpAddress addressOf(InetSocketAddress a, boolean wildcardAllowed) throws SocketException {
        if (a.isUnresolved()) {
            throw new SocketException("unresolved address " + a.getHostString() + ": resolve it first (the stack's resolver)");
        }
        if (wildcardAllowed && a.getAddress().isAnyLocalAddress()) {
            return null;
        }
        return IpAddress.of(a.getAddress());
    }

    /** Runs {@code task} on the loop, rethrowing its IOException as such. */
    private void onLoop(Callable<Void> task) throws IOException {
        try {
            loop.call(task);
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        } catch (RejectedExecutionException e) {
            throw new SocketException("the stack is closed");
        }
    }

    @Override
    public String toString() {
        return "UdpSocket[fd " + fd + ", " + localAddress() + (remote != null ? " -> " + remote : "") + "]";
    }
}
