package dev.tsunagu.apps.iperf3;

import dev.tsunagu.apps.iperf3.ServerMachine.Action;
import dev.tsunagu.apps.iperf3.ServerMachine.Event;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's test, run on its control connection's virtual thread: performs the
 * {@link ServerMachine}'s actions on the sockets and feeds it what the client does. Stream
 * connections and UDP datagrams arrive from other threads through {@link #offerStream} and
 * {@link #onDatagram}.
 */
final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /** How long the client may take for each message outside the running test, and to connect its streams. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(15);
    /** While the test runs the server waits for TEST_END as long as data moves; this long without any, it gives up. */
    static final Duration IDLE_LIMIT = Duration.ofSeconds(60);
    /**
     * How often the running test's wait for TEST_END looks at the streams' progress. The client
     * sends TEST_END after its {@code -t}, so with {@code -t 5} it arrives as a 5 s poll runs out:
     * the timed read must then return the byte rather than lose it (issue #18).
     */
    static final Duration IDLE_POLL = Duration.ofSeconds(5);
    private static final Duration WATCH_SLICE = Duration.ofMillis(10);

    private final ControlChannel control;
    private final Cookie cookie;
    private final UdpSocket udp;
    private final LongSupplier micros;
    private final Duration idlePoll;
    private final ServerMachine machine = new ServerMachine();
    private volatile TestParameters params;
    private volatile Traffic traffic;
    private long cpuStartNanos;
    private long wallStartMicros;
    private Summary summary;

    Session(TcpSocket control, Cookie cookie, UdpSocket udp, LongSupplier micros, Duration idlePoll) {
        this.control = new ControlChannel(control);
        this.cookie = cookie;
        this.udp = udp;
        this.micros = micros;
        this.idlePoll = idlePoll;
        control.setNoDelay(true); // one-byte states must not wait for Nagle
    }

    /** What a finished test did, for the server's log line. */
    record Summary(String remote, TestParameters params, List<StreamReport> streams, String endReason) {
        boolean completed() {
            return "done".equals(endReason);
        }

        long bytes() {
            return streams.stream().mapToLong(StreamReport::bytes).sum();
        }

        /** One line in the manner of iperf3's server report. */
        String describe() {
            if (params == null) {
                return "iperf3 client " + remote + ": " + endReason;
            }
            double seconds = streams.stream().mapToDouble(StreamReport::seconds).max().orElse(0);
            String line = String.format(Locale.ROOT, "iperf3 client %s: %s%s, %d stream%s, %s %.2f MB in %.2f s = %.1f Mbit/s",
                    remote, params.udp() ? "UDP" : "TCP", params.reverse() ? " reverse" : "", streams.size(),
                    streams.size() == 1 ? "" : "s", params.reverse() ? "sent" : "received", bytes() / 1e6, seconds,
                    seconds > 0 ? bytes() * 8 / seconds / 1e6 : 0.0);
            if (params.udp() && !params.reverse()) {
                long lost = streams.stream().mapToLong(StreamReport::errors).sum();
                long packets = streams.stream().mapToLong(StreamReport::packets).sum();
                double jitter = streams.stream().mapToDouble(StreamReport::jitterSeconds).max().orElse(0);
                line += String.format(Locale.ROOT, ", jitter %.3f ms, lost %d/%d", jitter * 1e3, lost, packets);
            }
            return completed() ? line : line + " (" + endReason + ")";
        }
    }

    /** Runs the test to its end (or failure) and says how it went. */
    Summary run() {
        String remote = String.valueOf(control.socket().remoteAddress());
        try {
            Event next = new Event.Connected();
            while (next != null && !machine.ended()) {
                Event produced = null;
                for (Action a : machine.on(next)) {
                    produced = perform(a);
                    if (produced instanceof Event.Lost) {
                        break;
                    }
                }
                if (machine.ended()) {
                    break;
                }
                next = produced != null ? produced : readClient();
            }
        } finally {
            closeAll();
        }
        Traffic t = traffic;
        return summary != null ? summary
                : new Summary(remote, params, t == null ? List.of() : t.reports(), machine.endReason());
    }

    /** Whether a stream connection with {@code c} belongs here; if so the session takes {@code s}. */
    boolean offerStream(Cookie c, TcpSocket s) {
        return cookie.equals(c) && traffic instanceof TcpTraffic t && machine.phase() == ServerMachine.Phase.STREAMS && t.add(s);
    }

    /** A datagram to the server's port (on the event loop). */
    boolean onDatagram(Datagram d) {
        if (traffic instanceof UdpTraffic t) {
            t.onDatagram(d);
            return true;
        }
        return false;
    }

    long progress() {
        Traffic t = traffic;
        return t == null ? 0 : t.progress();
    }

    /** The server is shutting down: tell the client, as iperf3's server does, and end. */
    void terminate() {
        try {
            control.writeState(ControlState.SERVER_TERMINATE);
        } catch (IOException e) {
            // the client is gone already
        }
        closeAll();
    }

    private Event perform(Action a) {
        try {
            return switch (a) {
                case Action.Send(ControlState s) -> {
                    control.writeState(s);
                    yield null;
                }
                case Action.SendError(int errno) -> {
                    control.writeServerError(errno, 0);
                    yield null;
                }
                case Action.ReadParameters r -> readParameters();
                case Action.PrepareStreams(TestParameters p) -> {
                    traffic = p.udp() ? new UdpTraffic(p, udp, micros) : new TcpTraffic(p, micros);
                    yield null;
                }
                case Action.AwaitStreams w -> awaitStreams();
                case Action.StartTraffic s -> {
                    cpuStartNanos = cpuNanos();
                    wallStartMicros = micros.getAsLong();
                    traffic.start();
                    yield null;
                }
                case Action.StopTraffic s -> {
                    Traffic t = traffic;
                    if (t != null) {
                        t.stop();
                    }
                    yield null;
                }
                case Action.ExchangeResults x -> exchangeResults();
                case Action.Close(String why) -> {
                    log.debug("iperf3 test from {} ends: {}", control.socket().remoteAddress(), why);
                    closeAll();
                    yield null;
                }
            };
        } catch (IOException e) {
            return new Event.Lost(e.getMessage() != null ? e.getMessage() : e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Event.Lost("interrupted");
        }
    }

    private Event readParameters() throws IOException {
        Map<String, Object> j = control.readJson(STEP_TIMEOUT);
        TestParameters p;
        try {
            p = TestParameters.fromJson(j);
        } catch (IllegalArgumentException e) {
            return new Event.ParametersRefused(ServerMachine.IE_RECEIVE_PARAMETERS, e.getMessage());
        }
        if (p.bidirectional()) {
            return new Event.ParametersRefused(ServerMachine.IE_UNIMPLEMENTED, "bidirectional tests are not served");
        }
        params = p;
        log.debug("iperf3 parameters from {}: {}", control.socket().remoteAddress(), j);
        return new Event.ParametersAccepted(p);
    }

    /**
     * Waits for the streams while watching the control connection: a client that gives up
     * (closes, or says CLIENT_TERMINATE) ends the test at once rather than after the timeout.
     */
    private Event awaitStreams() throws InterruptedException, IOException {
        TestParameters p = params;
        long deadline = micros.getAsLong() + STEP_TIMEOUT.toNanos() / 1000;
        byte[] one = new byte[1];
        while (!traffic.awaitStreams(WATCH_SLICE)) {
            try {
                if (control.socket().read(one, 0, 1, WATCH_SLICE) < 0) {
                    return new Event.Lost("the client closed the control connection before its streams connected");
                }
                return ControlState.of(one[0]).<Event>map(Event.ClientSaid::new)
                        .orElseGet(() -> new Event.Lost("unknown control message " + one[0]));
            } catch (SocketTimeoutException quiet) {
                // nothing from the client: keep waiting for its streams
            }
            if (micros.getAsLong() > deadline) {
                return new Event.Lost("the client did not connect its " + p.streams() + " stream(s) within "
                        + STEP_TIMEOUT.toSeconds() + " s");
            }
        }
        return new Event.StreamsReady();
    }

    /** The client's results come first, then ours (iperf3's order on the server). */
    private Event exchangeResults() throws IOException {
        Map<String, Object> theirs = control.readJson(STEP_TIMEOUT);
        log.debug("iperf3 client results: {}", theirs);
        double cpu = cpuPercent();
        List<StreamReport> reports = traffic.reports();
        Map<String, Object> ours = new LinkedHashMap<>();
        ours.put("cpu_util_total", cpu);
        ours.put("cpu_util_user", cpu); // the JVM tells process CPU time, not its user/system split
        ours.put("cpu_util_system", 0.0);
        // 0: the server sent but cannot count retransmissions; -1 (iperf3's value): the server received.
        ours.put("sender_has_retransmits", params.serverSends() ? 0 : -1);
        ours.put("streams", reports.stream().map(StreamReport::toJson).toList());
        summary = new Summary(String.valueOf(control.socket().remoteAddress()), params, reports, "done");
        if (params.serverOutput()) {
            ours.put("server_output_text", "Tsunagu iperf3-compatible server (user-space TCP/IP in Java)\n" + summary.describe() + "\n");
        }
        control.writeJson(ours);
        return new Event.ResultsExchanged();
    }

    /** The next state byte from the client; while the test runs, waits as long as data moves. */
    private Event readClient() {
        try {
            if (machine.phase() != ServerMachine.Phase.RUNNING) {
                return new Event.ClientSaid(control.readState(STEP_TIMEOUT));
            }
            long lastProgress = -1;
            long idleSince = micros.getAsLong();
            while (true) {
                try {
                    return new Event.ClientSaid(control.readState(idlePoll));
                } catch (SocketTimeoutException e) {
                    long p = traffic.progress();
                    long now = micros.getAsLong();
                    if (p != lastProgress) {
                        lastProgress = p;
                        idleSince = now;
                    } else if (now - idleSince > IDLE_LIMIT.toNanos() / 1000) {
                        return new Event.Lost("no data and no message for " + IDLE_LIMIT.toSeconds() + " s");
                    }
                }
            }
        } catch (IOException e) {
            return new Event.Lost(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private void closeAll() {
        Traffic t = traffic;
        if (t != null) {
            t.close();
        }
        control.socket().close();
    }

    private double cpuPercent() {
        long wall = micros.getAsLong() - wallStartMicros;
        long cpu = cpuNanos() - cpuStartNanos;
        return wall <= 0 || cpu < 0 ? 0.0 : 100.0 * (cpu / 1000.0) / wall;
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
