package dev.tsunagu.apps.relay;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.FlowFilter;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays every TCP connection and UDP flow that a stack in transparent mode takes, whatever its
 * destination, to an {@link Upstream} toward that destination: the engine of a tun2socks-style
 * gateway. The stack must take foreign destinations as its own (the IPv4 option
 * {@code ip.transparent}); the relay opens the stack's "any" TCP listener and "any" UDP socket.
 *
 * <p><b>TCP.</b> Each accepted connection gets a virtual thread, which connects upstream to the
 * connection's {@linkplain TcpSocket#localAddress() original destination}; if that fails the
 * stack-side connection is reset, so the client sees what a refused connection looks like after
 * its handshake. Then one virtual thread per direction copies bytes. An end of stream in one
 * direction becomes a half-close on the other side ({@code shutdownOutput}), and the other
 * direction goes on until it ends too; an error in either direction (a reset received, a write
 * that fails) resets both sides: the stack side with a RST ({@link TcpSocket#abort()}), the
 * upstream socket with linger 0, which makes the kernel send one.
 *
 * <p><b>UDP.</b> A flow is a (client, original destination) pair. Its first datagram opens an
 * upstream socket toward the destination and a virtual thread that relays the answers back,
 * sent from that destination ({@link UdpSocket#sendFrom}). A flow with no datagram either way
 * for {@link Settings#udpIdleTimeout()} is closed; a TCP connection that carries nothing either
 * way for {@link Settings#tcpIdleTimeout()} is reset on both sides.
 *
 * <p><b>Bounds.</b> At most {@link Settings#maxConnections()} TCP connections are relayed at once
 * and at most {@link Settings#maxUdpFlows()} UDP flows are open: beyond them the stack refuses new
 * ones (RST, ICMP port unreachable) through the listeners' {@link FlowFilter}. The listener's
 * backlog bounds connections waiting for the relay, with SYN cookies past it.
 */
public final class TransparentRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransparentRelay.class);
    private static final int BUFFER = 64 * 1024;

    /**
     * How the relay runs.
     *
     * @param connectTimeout how long an upstream TCP connect may take
     * @param tcpIdleTimeout how long a relayed TCP connection may carry no byte either way before
     *     both sides are reset
     * @param udpIdleTimeout how long a UDP flow may be silent both ways before it is closed
     * @param maxConnections TCP connections relayed at once at most
     * @param maxUdpFlows UDP flows open at once at most
     * @param backlog the transparent listener's backlog
     */
    public record Settings(Duration connectTimeout, Duration tcpIdleTimeout, Duration udpIdleTimeout, int maxConnections,
                           int maxUdpFlows, int backlog) {
        /**
         * The TCP idle timeout a relay uses unless told otherwise: 2 hours 4 minutes, RFC 5382's
         * floor for a NAT's established-connection timeout (REQ-5), since a gateway on a TUN
         * stands where a NAT would. Shorter would cut idle SSH sessions and database pools that a
         * NAT keeps; TCP keep-alives (2 hours by default, RFC 1122 4.2.3.6) land inside it.
         */
        public static final Duration TCP_IDLE = Duration.ofMinutes(124);

        /** 10 s to connect, {@link #TCP_IDLE}, 60 s of UDP silence, 4096 connections, 1024 flows, backlog 256. */
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(10), TCP_IDLE, Duration.ofSeconds(60), 4096,
                1024, 256);

        /** Checks the bounds. */
        public Settings {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(tcpIdleTimeout, "tcpIdleTimeout");
            Objects.requireNonNull(udpIdleTimeout, "udpIdleTimeout");
            if (maxConnections < 1 || maxUdpFlows < 1 || backlog < 1) {
                throw new IllegalArgumentException("maxConnections, maxUdpFlows and backlog must be positive");
            }
            if (!tcpIdleTimeout.isPositive() || !udpIdleTimeout.isPositive()) {
                throw new IllegalArgumentException("idle timeouts must be positive");
            }
        }

        /** The same with another UDP idle timeout. */
        public Settings withUdpIdleTimeout(Duration d) {
            return new Settings(connectTimeout, tcpIdleTimeout, d, maxConnections, maxUdpFlows, backlog);
        }

        /** The same with another TCP idle timeout. */
        public Settings withTcpIdleTimeout(Duration d) {
            return new Settings(connectTimeout, d, udpIdleTimeout, maxConnections, maxUdpFlows, backlog);
        }
    }

    private final NetworkStack stack;
    private final Upstream upstream;
    private final Settings settings;
    private final TcpServerSocket tcp;
    private final UdpSocket udp;
    private final Map<FlowKey, Flow> flows = new ConcurrentHashMap<>();
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private final AtomicInteger liveConnections = new AtomicInteger();
    private final LongAdder connections = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder resets = new LongAdder();
    private final LongAdder bytesToUpstream = new LongAdder();
    private final LongAdder bytesFromUpstream = new LongAdder();
    private final LongAdder udpFlows = new LongAdder();
    private final LongAdder udpFlowsExpired = new LongAdder();
    private final LongAdder tcpIdleTimeouts = new LongAdder();

    private TransparentRelay(NetworkStack stack, Upstream upstream, Settings settings) throws IOException {
        this.stack = stack;
        this.upstream = upstream;
        this.settings = settings;
        this.tcp = stack.tcp().listenAny(settings.backlog(), TcpSocketOptions.DEFAULT,
                (source, destination) -> liveConnections.get() < settings.maxConnections());
        try {
            this.udp = stack.udp().openAny((source, destination) -> flows.size() < settings.maxUdpFlows()
                    || flows.containsKey(new FlowKey(source, destination)));
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    /**
     * Starts relaying on {@code stack} (which must be in transparent mode to see foreign
     * destinations) to {@code upstream}.
     *
     * @throws java.net.BindException if the stack already has a transparent listener or socket
     */
    public static TransparentRelay start(NetworkStack stack, Upstream upstream, Settings settings) throws IOException {
        TransparentRelay r = new TransparentRelay(Objects.requireNonNull(stack, "stack"),
                Objects.requireNonNull(upstream, "upstream"), Objects.requireNonNull(settings, "settings"));
        Thread.ofVirtual().name("relay-accept").start(r::acceptLoop);
        Thread.ofVirtual().name("relay-udp").start(r::udpLoop);
        Thread.ofVirtual().name("relay-udp-expiry").start(r::expiryLoop);
        return r;
    }

    // ---- statistics ----

    /** TCP connections being relayed now. */
    public int liveConnections() {
        return liveConnections.get();
    }

    /** TCP connections accepted since the start. */
    public long connections() {
        return connections.sum();
    }

    /** Connections whose upstream connect failed (and were reset on the stack side). */
    public long connectFailures() {
        return connectFailures.sum();
    }

    /** Connections ended by a reset, from either side (carried to the other). */
    public long resets() {
        return resets.sum();
    }

    /** Bytes relayed from the stack's side to upstream (TCP and UDP payload). */
    public long bytesToUpstream() {
        return bytesToUpstream.sum();
    }

    /** Bytes relayed from upstream to the stack's side (TCP and UDP payload). */
    public long bytesFromUpstream() {
        return bytesFromUpstream.sum();
    }

    /** UDP flows open now. */
    public int liveUdpFlows() {
        return flows.size();
    }

    /** UDP flows opened since the start. */
    public long udpFlows() {
        return udpFlows.sum();
    }

    /** TCP connections reset for carrying nothing either way for {@link Settings#tcpIdleTimeout()}. */
    public long tcpIdleTimeouts() {
        return tcpIdleTimeouts.sum();
    }

    /** UDP flows closed for being idle. */
    public long udpFlowsExpired() {
        return udpFlowsExpired.sum();
    }

    /** One line: live connections and flows, totals, bytes each way. */
    public String summary() {
        return String.format("tcp %d live (%d total, %d upstream failures, %d resets, %d idle), udp %d flows (%d total, "
                        + "%d expired), %d bytes up, %d bytes down", liveConnections(), connections(), connectFailures(),
                resets(), tcpIdleTimeouts(), liveUdpFlows(), udpFlows(), udpFlowsExpired(), bytesToUpstream(),
                bytesFromUpstream());
    }

    // ---- TCP ----

    private void acceptLoop() {
        while (!closed) {
            TcpSocket down;
            try {
                down = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("relay on {}: the transparent listener failed: {}", stack.name(), e.toString());
                }
                return;
            }
            liveConnections.incrementAndGet();
            connections.increment();
            Thread.ofVirtual().name("relay-tcp").start(() -> {
                try {
                    relay(down);
                } finally {
                    liveConnections.decrementAndGet();
                }
            });
        }
    }

    private void relay(TcpSocket down) {
        InetSocketAddress destination = down.localAddress();
        Socket up;
        try {
            up = upstream.connect(destination, settings.connectTimeout());
        } catch (IOException | RuntimeException e) {
            connectFailures.increment();
            log.debug("relay: {} -> {}: upstream connect failed: {}", down.remoteAddress(), destination, e.toString());
            down.abort();
            return;
        }
        Pair pair = new Pair(down, up);
        pairs.add(pair);
        Thread toUpstream = Thread.ofVirtual().name("relay-tcp-up").start(pair::downToUp);
        pair.upToDown();
        try {
            toUpstream.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pair.reset();
        }
        pairs.remove(pair);
        pair.close();
    }

    /** One relayed connection: the stack side and the upstream side. */
    private final class Pair {
        final TcpSocket down;
        final Socket up;
        final AtomicBoolean reset = new AtomicBoolean();
        volatile long lastActive = System.nanoTime();

        Pair(TcpSocket down, Socket up) {
            this.down = down;
            this.up = up;
        }

        /** Client to upstream; the client's FIN becomes a half-close upstream. */
        void downToUp() {
            byte[] buf = new byte[BUFFER];
            try {
                OutputStream out = up.getOutputStream();
                while (true) {
                    int n = down.read(buf, 0, buf.length);
                    if (n < 0) {
                        up.shutdownOutput();
                        return;
                    }
                    lastActive = System.nanoTime();
                    out.write(buf, 0, n);
                    bytesToUpstream.add(n);
                }
            } catch (IOException | RuntimeException e) {
                reset();
            }
        }

        /** Upstream to client; upstream's FIN becomes a half-close toward the client. */
        void upToDown() {
            byte[] buf = new byte[BUFFER];
            try {
                InputStream in = up.getInputStream();
                while (true) {
                    int n = in.read(buf);
                    if (n < 0) {
                        down.shutdownOutput();
                        return;
                    }
                    lastActive = System.nanoTime();
                    down.write(buf, 0, n);
                    down.flush();
                    bytesFromUpstream.add(n);
                }
            } catch (IOException | RuntimeException e) {
                reset();
            }
        }

        /** An error either way: RST to both sides, once. */
        void reset() {
            if (!reset.compareAndSet(false, true)) {
                return;
            }
            resets.increment();
            down.abort();
            try {
                up.setSoLinger(true, 0); // close sends RST
                up.close();
            } catch (IOException e) {
                // already gone
            }
        }

        void close() {
            if (reset.get()) {
                return;
            }
            down.close();
            try {
                up.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }

    // ---- UDP ----

    /** A UDP flow's identity: the client and the destination it sent to. */
    private record FlowKey(InetSocketAddress client, InetSocketAddress destination) {}

    /** An open UDP flow: its upstream socket and when it last carried a datagram. */
    private static final class Flow {
        final DatagramSocket socket;
        volatile long lastActive = System.nanoTime();

        Flow(DatagramSocket socket) {
            this.socket = socket;
        }
    }

    private void udpLoop() {
        while (!closed) {
            Datagram d;
            try {
                d = udp.receive();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("relay on {}: the transparent UDP socket failed: {}", stack.name(), e.toString());
                }
                return;
            }
            FlowKey key = new FlowKey(d.source(), d.destination());
            Flow f = flows.get(key);
            if (f == null) {
                try {
                    f = new Flow(upstream.datagrams(d.destination()));
                } catch (IOException | RuntimeException e) {
                    log.debug("relay: udp {} -> {}: no upstream socket: {}", d.source(), d.destination(), e.toString());
                    continue;
                }
                flows.put(key, f);
                udpFlows.increment();
                Flow flow = f;
                Thread.ofVirtual().name("relay-udp-flow").start(() -> answers(key, flow));
            }
            f.lastActive = System.nanoTime();
            try {
                f.socket.send(new DatagramPacket(d.data(), d.length())); // connected toward the destination
                bytesToUpstream.add(d.length());
            } catch (IOException e) {
                log.debug("relay: udp {} -> {}: {}", d.source(), d.destination(), e.toString());
            }
        }
    }

    /** Relays one flow's answers back to its client, from the destination it sent to. */
    private void answers(FlowKey key, Flow f) {
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            while (!closed) {
                p.setLength(buf.length);
                f.socket.receive(p);
                f.lastActive = System.nanoTime();
                udp.sendFrom(buf, 0, p.getLength(), key.destination(), key.client());
                bytesFromUpstream.add(p.getLength());
            }
        } catch (IOException e) {
            // closed (expired, or the relay closed), or the destination refused (ICMP): the flow ends
        } finally {
            f.socket.close();
            flows.remove(key, f);
        }
    }

    private void expiryLoop() {
        long idle = Math.min(settings.udpIdleTimeout().toNanos(), settings.tcpIdleTimeout().toNanos());
        long period = Math.max(Duration.ofMillis(50).toNanos(), Math.min(idle / 4, Duration.ofSeconds(1).toNanos()));
        while (!closed) {
            try {
                Thread.sleep(Duration.ofNanos(period));
            } catch (InterruptedException e) {
                return;
            }
            expireIdle(System.nanoTime());
        }
    }

    /**
     * Ends what has been idle at {@code now} ({@link System#nanoTime()}'s scale): UDP flows silent
     * for the UDP idle timeout are closed; TCP connections that carried no byte either way for
     * the TCP idle timeout are reset on both sides (RST to the client and upstream, so neither
     * waits on a peer the relay has forgotten, where a NAT would drop them silently). Called by the
     * relay's expiry thread about once a second; tests call it with a time of their choosing.
     */
    void expireIdle(long now) {
        long udpIdle = settings.udpIdleTimeout().toNanos();
        flows.forEach((key, f) -> {
            if (now - f.lastActive > udpIdle && flows.remove(key, f)) {
                udpFlowsExpired.increment();
                f.socket.close(); // ends its answers thread
            }
        });
        long tcpIdle = settings.tcpIdleTimeout().toNanos();
        for (Pair p : pairs) {
            if (now - p.lastActive > tcpIdle && pairs.remove(p)) {
                tcpIdleTimeouts.increment();
                log.debug("relay: {} -> {}: idle for {}, reset", p.down.remoteAddress(), p.down.localAddress(),
                        settings.tcpIdleTimeout());
                p.reset();
            }
        }
    }

    /** Stops relaying: the listener and the UDP socket close, open flows close; relayed connections run to their end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tcp.close();
        udp.close();
        flows.values().forEach(f -> f.socket.close());
        flows.clear();
    }
}
