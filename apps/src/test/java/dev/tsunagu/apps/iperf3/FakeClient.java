package dev.tsunagu.apps.iperf3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client's side of iperf3's control protocol, spoken step by step from a test: what the real
 * {@code iperf3 -c} does, in the order it does it, so each step's answer can be checked.
 */
final class FakeClient implements AutoCloseable {
    static final Duration T = Duration.ofSeconds(10);

    final NetworkStack stack;
    final InetSocketAddress server;
    final Cookie cookie;
    final ControlChannel control;

    FakeClient(NetworkStack stack, InetSocketAddress server, String cookie) throws IOException {
        this.stack = stack;
        this.server = server;
        this.cookie = Cookie.of(cookie);
        this.control = new ControlChannel(stack.tcp().connect(server));
        control.socket().setNoDelay(true);
        control.writeCookie(this.cookie);
    }

    /** The parameters iperf3 3.12 sends for a TCP test (as its --debug prints them), with {@code more} added. */
    static Map<String, Object> parameters(Object... more) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tcp", true);
        p.put("omit", 0);
        p.put("time", 1);
        p.put("num", 0);
        p.put("blockcount", 0);
        p.put("parallel", 1);
        p.put("len", 131072);
        p.put("pacing_timer", 1000);
        p.put("client_version", "3.12");
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        if (Boolean.TRUE.equals(p.get("udp"))) {
            p.remove("tcp");
        }
        return p;
    }

    ControlState read() throws IOException {
        return control.readState(T);
    }

    void expect(ControlState s) throws IOException {
        assertThat(read()).isEqualTo(s);
    }

    void say(ControlState s) throws IOException {
        control.writeState(s);
    }

    /** PARAM_EXCHANGE, the parameters, CREATE_STREAMS. */
    void exchangeParameters(Map<String, Object> p) throws IOException {
        expect(ControlState.PARAM_EXCHANGE);
        control.writeJson(p);
        expect(ControlState.CREATE_STREAMS);
    }

    /** A TCP stream connection: connect, then the test's cookie. */
    TcpSocket openStream() throws IOException {
        TcpSocket s = stack.tcp().connect(server);
        new ControlChannel(s).writeCookie(cookie);
        return s;
    }

    /** TEST_START then TEST_RUNNING, which the server sends once all streams are in. */
    void awaitRunning() throws IOException {
        expect(ControlState.TEST_START);
        expect(ControlState.TEST_RUNNING);
    }

    /** TEST_END, EXCHANGE_RESULTS, our results out, the server's in, DISPLAY_RESULTS, IPERF_DONE; returns the server's results. */
    Map<String, Object> finish() throws IOException {
        say(ControlState.TEST_END);
        expect(ControlState.EXCHANGE_RESULTS);
        Map<String, Object> mine = new LinkedHashMap<>();
        mine.put("cpu_util_total", 1.0);
        mine.put("cpu_util_user", 0.5);
        mine.put("cpu_util_system", 0.5);
        mine.put("sender_has_retransmits", 1);
        mine.put("streams", java.util.List.of());
        control.writeJson(mine);
        Map<String, Object> theirs = control.readJson(T);
        expect(ControlState.DISPLAY_RESULTS);
        say(ControlState.IPERF_DONE);
        return theirs;
    }

    /** -1 once the server has closed the control connection. */
    int readEnd() throws IOException {
        byte[] b = new byte[1];
        return control.socket().read(b, 0, 1, T);
    }

    @Override
    public void close() {
        control.socket().close();
    }
}
