package dev.tsunagu.apps.iperf3;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An iperf3-compatible server on a Tsunagu stack, so the real {@code iperf3 -c} measures it:
 * TCP, reverse ({@code -R}), parallel streams ({@code -P}) and UDP ({@code -u}, also reversed).
 *
 * <pre>{@code
 * try (Iperf3Server server = Iperf3Server.start(stack, 5201)) {
 *     ...                                   // iperf3 -c 10.0.0.2 -P 4
 * }
 * }</pre>
 *
 * <ul>
 *   <li>One test at a time, as iperf3's own server: a client that connects while a test runs
 *       gets ACCESS_DENIED ("the server is busy running a test") and is closed.</li>
 *   <li>The port serves TCP (control and stream connections, told apart by the cookie they
 *       start with) and UDP (the flows of a UDP test).</li>
 *   <li>Not served: {@code --bidir} (the client is told "not implemented"), SCTP, authentication;
 *       the server has no TCP
 *       retransmission count to report.</li>
 *   <li>Threads: an accept loop on a virtual thread; each connection on its own until its
 *       cookie is read; a test runs on its control connection's thread, with one virtual thread
 *       per TCP stream or reverse UDP flow.</li>
 * </ul>
 */
public final class Iperf3Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Iperf3Server.class);

    /** iperf3's port. */
    public static final int DEFAULT_PORT = 5201;
    /** How long a new connection may take to send its cookie. */
    static final Duration COOKIE_TIMEOUT = Duration.ofSeconds(10);
    /** Connections still to send their cookie, at most; more are closed at once (and counted as denied). */
    static final int MAX_PENDING = 64;

    private final int port;
    private final TcpServerSocket listener;
    private final UdpSocket udp;
    private final Consumer<String> reporter;
    private final LongSupplier micros;
    private final Duration idlePoll;
    private final Set<TcpSocket> pending = ConcurrentHashMap.newKeySet();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();
    private final AtomicLong strayDatagrams = new AtomicLong();
    private final Thread acceptor;
    private volatile Session current;
    private volatile boolean closed;

    private Iperf3Server(NetworkStack stack, int port, Consumer<String> reporter, LongSupplier micros, Duration idlePoll)
            throws IOException {
        this.port = port;
        this.reporter = reporter;
        this.micros = micros;
        this.idlePoll = idlePoll;
        this.listener = stack.tcp().listen(port);
        try {
            this.udp = stack.udp().open().bind(port);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        udp.onReceive(this::onDatagram);
        this.acceptor = Thread.ofVirtual().name("iperf3-accept-" + port).start(this::acceptLoop);
    }

    /** Serves iperf3 clients on {@code port} (TCP and UDP) of every address of {@code stack}. */
    public static Iperf3Server start(NetworkStack stack, int port) throws IOException {
        return start(stack, port, line -> log.info("{}", line));
    }

    /** As {@link #start(NetworkStack, int)}, with one line per finished test handed to {@code reporter}. */
    public static Iperf3Server start(NetworkStack stack, int port, Consumer<String> reporter) throws IOException {
        return new Iperf3Server(stack, port, reporter, () -> System.nanoTime() / 1000, Session.IDLE_POLL);
    }

    /** With the clock passed in (microseconds, any origin): for tests. */
    static Iperf3Server start(NetworkStack stack, int port, Consumer<String> reporter, LongSupplier micros) throws IOException {
        return new Iperf3Server(stack, port, Objects.requireNonNull(reporter), micros, Session.IDLE_POLL);
    }

    /**
     * With the running test's poll for TEST_END every {@code idlePoll} (5 s otherwise): a test
     * can make the client's {@code -t} meet the poll's end, the moment a timed read must not lose
     * the byte that arrives with it.
     */
    static Iperf3Server start(NetworkStack stack, int port, Consumer<String> reporter, Duration idlePoll) throws IOException {
        return new Iperf3Server(stack, port, Objects.requireNonNull(reporter), () -> System.nanoTime() / 1000, idlePoll);
    }

    public int port() {
        return port;
    }

    /** Tests that ran to the end (the client said IPERF_DONE). */
    public long testsCompleted() {
        return completed.get();
    }

    /** Tests that ended early: client gone, bad parameters, timeouts. */
    public long testsFailed() {
        return failed.get();
    }

    /** Connections refused with ACCESS_DENIED (busy, or a stream cookie that matched no test). */
    public long clientsDenied() {
        return denied.get();
    }

    /** UDP datagrams to the port while no UDP test wanted them, dropped. */
    public long strayDatagrams() {
        return strayDatagrams.get();
    }

    /** True while a test runs. */
    public boolean busy() {
        return current != null;
    }

    /** Bytes the running test's streams moved so far (0 if none): lets tests wait for data in flight. */
    long currentProgress() {
        Session s = current;
        return s == null ? 0 : s.progress();
    }

    private void acceptLoop() {
        while (!closed) {
            TcpSocket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("iperf3 server on port {} stops accepting: {}", port, e.toString());
                }
                return;
            }
            if (pending.size() >= MAX_PENDING) {
                denied.incrementAndGet();
                s.abort();
                continue;
            }
            pending.add(s);
            Thread.ofVirtual().name("iperf3-conn").start(() -> handle(s));
        }
    }

    /** A new connection: its cookie says whether it is a new test, a stream of the running one, or turned away. */
    private void handle(TcpSocket s) {
        Cookie cookie;
        try {
            cookie = new ControlChannel(s).readCookie(COOKIE_TIMEOUT);
        } catch (IOException e) {
            log.debug("iperf3: connection from {} sent no cookie: {}", s.remoteAddress(), e.toString());
            pending.remove(s);
            s.close();
            return;
        }
        Session session;
        synchronized (this) {
            Session running = current;
            if (running == null && !closed) {
                session = new Session(s, cookie, udp, micros, idlePoll);
                current = session;
            } else {
                session = null;
                if (running != null && running.offerStream(cookie, s)) {
                    pending.remove(s); // the session owns it now
                    return;
                }
            }
        }
        if (session == null) {
            deny(s);
            return;
        }
        pending.remove(s);
        try {
            Session.Summary summary = session.run();
            // Counted and reported before the server stops being busy: whoever sees it idle
            // (the next client, a test) sees the last test's outcome too.
            (summary.completed() ? completed : failed).incrementAndGet();
            reporter.accept(summary.describe());
        } finally {
            synchronized (this) {
                current = null;
            }
        }
    }

    private void deny(TcpSocket s) {
        denied.incrementAndGet();
        try {
            new ControlChannel(s).writeState(ControlState.ACCESS_DENIED);
        } catch (IOException e) {
            // gone already
        } finally {
            pending.remove(s);
            s.close();
        }
    }

    private void onDatagram(Datagram d) {
        Session s = current;
        if (s == null || !s.onDatagram(d)) {
            strayDatagrams.incrementAndGet();
        }
    }

    /** Stops listening; a running test's client is told SERVER_TERMINATE. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        Session s = current;
        if (s != null) {
            s.terminate();
        }
        for (TcpSocket p : pending) {
            p.close();
        }
        udp.close();
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
