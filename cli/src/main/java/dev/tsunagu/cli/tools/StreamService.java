package dev.tsunagu.cli.tools;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two simple services of the inetd tradition, on TCP and UDP at once, each connection and
 * each UDP socket served by a virtual thread of its own:
 * <ul>
 *   <li>echo (RFC 862): TCP sends back every byte it reads and, once the peer has sent its FIN
 *       and everything has been echoed, closes; UDP sends each datagram back to its sender.</li>
 *   <li>discard (RFC 863): reads and throws away; TCP closes after the peer's FIN.</li>
 * </ul>
 */
final class StreamService implements Service {
    enum Kind { ECHO, DISCARD }

    /**
     * Echo's send and receive buffers. Echo moves what it reads straight back, so 64 KiB each
     * way keeps a LAN busy; what bounds memory is that a client that sends and never reads fills
     * both, and with 10,000 of them the stack's 256 KiB defaults would ask for 5 GiB.
     */
    static final int ECHO_BUFFER = 64 << 10;
    /**
     * Discard keeps the stack's 256 KiB receive window (its job is a bulk stream: the peers
     * benchmark's stream runs against it); it never writes, so its send buffer never holds data.
     */
    static final int DISCARD_RECEIVE_BUFFER = TcpSocketOptions.DEFAULT_BUFFER;
    /** What each connection's thread reads into. */
    static final int READ_CHUNK = 16 << 10;
    /** Connections waiting to be accepted; a burst beyond it is met with SYN cookies. */
    static final int BACKLOG = 1024;
    /** The connection's own state (TCB, socket, virtual thread), roughly. */
    private static final int STATE = 4096;

    /** What one connection of {@code kind} may hold at most: its socket buffers, the read chunk, its state. */
    static long worstCasePerConnection(Kind kind) {
        return switch (kind) {
            case ECHO -> 2L * ECHO_BUFFER + READ_CHUNK + STATE;
            case DISCARD -> (long) DISCARD_RECEIVE_BUFFER + READ_CHUNK + STATE;
        };
    }

    private static TcpSocketOptions served(Kind kind) {
        return switch (kind) {
            case ECHO -> TcpSocketOptions.DEFAULT.withSendBuffer(ECHO_BUFFER).withReceiveBuffer(ECHO_BUFFER);
            case DISCARD -> TcpSocketOptions.DEFAULT.withSendBuffer(ECHO_BUFFER).withReceiveBuffer(DISCARD_RECEIVE_BUFFER);
        };
    }

    /**
     * UDP source ports never answered: the small services themselves (echo, discard, daytime,
     * quote, chargen, time) and port 0, so that two echo servers cannot be set to answer each
     * other forever with one forged datagram (the classic "echo-chargen" loop, CERT CA-1996-01).
     */
    static final java.util.Set<Integer> NEVER_ANSWER = java.util.Set.of(0, 7, 9, 13, 17, 19, 37);

    private final Kind kind;
    private final int port;
    private final int maxConnections;
    private final Refusals refusals;
    private final PrintWriter log;
    private final TcpServerSocket listener;
    private final UdpSocket udp;
    private final List<Thread> threads = new ArrayList<>();
    private final Set<TcpSocket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private StreamService(Kind kind, int port, int maxConnections, PrintWriter log, TcpServerSocket listener, UdpSocket udp) {
        this.kind = kind;
        this.port = port;
        this.maxConnections = maxConnections;
        this.refusals = new Refusals("tcp/" + port + " " + kind.name().toLowerCase(java.util.Locale.ROOT), maxConnections, this::say);
        this.log = log;
        this.listener = listener;
        this.udp = udp;
    }

    /**
     * Listens on TCP and/or UDP {@code port} of {@code stack}, serving at most {@code maxConnections}
     * TCP connections at once; connection lines go to {@code log}.
     *
     * @throws java.net.BindException if the port is in use
     */
    static StreamService start(NetworkStack stack, Kind kind, int port, boolean tcp, boolean udp, int maxConnections,
                               PrintWriter log) throws IOException {
        TcpServerSocket l = tcp ? stack.tcp().listen(port, BACKLOG, served(kind)) : null;
        UdpSocket u = null;
        try {
            u = udp ? stack.udp().open().bind(port) : null;
        } catch (IOException | RuntimeException e) {
            if (l != null) {
                l.close();
            }
            throw e;
        }
        StreamService s = new StreamService(kind, port, maxConnections, log, l, u);
        if (l != null) {
            s.threads.add(Thread.ofVirtual().name(kind + "-tcp-" + port).start(s::acceptLoop));
        }
        if (u != null) {
            s.threads.add(Thread.ofVirtual().name(kind + "-udp-" + port).start(s::udpLoop));
        }
        return s;
    }

    private String name() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String describe() {
        List<String> on = new ArrayList<>();
        if (listener != null) {
            on.add("tcp/" + port);
        }
        if (udp != null) {
            on.add("udp/" + port);
        }
        return name() + " (RFC " + (kind == Kind.ECHO ? 862 : 863) + ") on " + String.join(" and ", on)
                + (listener != null ? ", at most " + maxConnections + " TCP connections at once" : "");
    }

    @Override
    public long worstCaseBytes() {
        return listener == null ? 0 : maxConnections * worstCasePerConnection(kind);
    }

    /** TCP connections being served now. */
    int connections() {
        return open.size();
    }

    /** TCP connections reset because {@code maxConnections} were being served. */
    long refused() {
        return refusals.count();
    }

    private void acceptLoop() {
        while (!closed) {
            TcpSocket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (open.size() >= maxConnections) {
                refusals.refuse(s);
                continue;
            }
            open.add(s);
            Thread.ofVirtual().name(name() + "-" + s.remoteAddress()).start(() -> serve(s));
        }
    }

    private void serve(TcpSocket s) {
        String who = "tcp/" + port + " " + name() + ": " + Addresses.format(s.remoteAddress());
        say(who + " connected");
        long bytes = 0;
        try (s) {
            byte[] buf = new byte[READ_CHUNK];
            int n;
            while ((n = s.read(buf, 0, buf.length)) >= 0) {
                bytes += n;
                if (kind == Kind.ECHO) {
                    s.write(buf, 0, n);
                    s.flush();
                }
            }
            // The peer sent FIN and everything read was echoed: close (FIN after the buffered data).
            say(who + " closed after " + bytes + " bytes" + (kind == Kind.ECHO ? " echoed" : " discarded"));
        } catch (IOException e) {
            say(who + " ended: " + e.getMessage());
        } finally {
            open.remove(s);
        }
    }

    private void udpLoop() {
        while (!closed) {
            Datagram d;
            try {
                d = udp.receive();
            } catch (IOException e) {
                return; // closed
            }
            if (kind == Kind.ECHO && !NEVER_ANSWER.contains(d.source().getPort())) {
                try {
                    udp.send(d.data(), d.source());
                } catch (IOException e) {
                    say("udp/" + port + " echo: cannot answer " + Addresses.format(d.source()) + ": " + e.getMessage());
                }
            }
        }
    }

    private void say(String line) {
        synchronized (log) {
            log.println(line);
            log.flush();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (listener != null) {
            listener.close();
        }
        if (udp != null) {
            udp.close();
        }
        open.forEach(TcpSocket::abort);
        for (Thread t : threads) {
            try {
                t.join(java.time.Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
