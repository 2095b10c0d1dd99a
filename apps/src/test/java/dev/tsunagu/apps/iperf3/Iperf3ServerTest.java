package dev.tsunagu.apps.iperf3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.host.Poll;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Iperf3Server} against a {@link FakeClient} that speaks iperf3's protocol step by step,
 * two stacks on the in-memory cable, each on its own threaded event loop (the server blocks on
 * virtual threads, as applications do). What the real client does is covered by
 * TapIperf3InteropTest; here each rule is checked alone, including the failures.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Iperf3ServerTest {
    private static final AtomicInteger CABLES = new AtomicInteger();
    private static final String SERVER_IP = "10.7.0.2";
    private static final int PORT = 5201;
    private static final InetSocketAddress SERVER = new InetSocketAddress(SERVER_IP, PORT);

    private NetworkStack client;
    private NetworkStack serverStack;
    private Iperf3Server server;
    private final List<String> reports = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        String cable = "cable:iperf3-" + CABLES.incrementAndGet();
        serverStack = NetworkStack.builder().name("iperf3-server").addInterface(cable, SERVER_IP + "/24").buildUnchecked();
        client = NetworkStack.builder().name("iperf3-client").addInterface(cable, "10.7.0.1/24").buildUnchecked();
        server = Iperf3Server.start(serverStack, PORT, reports::add);
    }

    @AfterEach
    void stop() {
        server.close();
        client.close();
        serverStack.close();
    }

    @Test
    void tcpTestReportsTheBytesEachStreamReceivedUnderIperf3sStreamNumbers() throws Exception {
        byte[] block = new byte[10_000];
        int[] blocks = {3, 5, 7, 11}; // a different amount per stream, to see each one's count
        try (FakeClient c = new FakeClient(client, SERVER, "streams-cookie-0123456789abcdefghijk")) {
            c.exchangeParameters(FakeClient.parameters("parallel", 4));
            List<TcpSocket> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                streams.add(c.openStream());
            }
            c.awaitRunning();
            long total = 0;
            for (int i = 0; i < 4; i++) {
                for (int b = 0; b < blocks[i]; b++) {
                    streams.get(i).write(block);
                    total += block.length;
                }
                streams.get(i).flush();
            }
            awaitServerProgress(total);
            Map<String, Object> results = c.finish();
            assertThat(c.readEnd()).as("the server closes the control connection after IPERF_DONE").isEqualTo(-1);

            assertThat(results).containsKeys("cpu_util_total", "cpu_util_user", "cpu_util_system", "sender_has_retransmits");
            List<Map<String, Object>> s = streamsOf(results);
            // iperf3 numbers streams 1, 3, 4, 5 in the order they connected (which of ours came first is up to the threads).
            assertThat(s).extracting(m -> m.get("id")).containsExactly(1L, 3L, 4L, 5L);
            assertThat(s).extracting(m -> m.get("bytes"))
                    .containsExactlyInAnyOrder(30_000L, 50_000L, 70_000L, 110_000L);
            assertThat(s).allSatisfy(m -> assertThat(m).containsKeys("retransmits", "jitter", "errors", "packets", "start_time", "end_time"));
            streams.forEach(TcpSocket::close);
        }
        awaitIdle();
        assertThat(server.testsCompleted()).isEqualTo(1);
        assertThat(reports).singleElement().asString().contains("TCP, 4 streams, received 0.26 MB");
    }

    @Test
    void reverseModeSendsUntilTestEndAndReportsWhatItSent() throws Exception {
        try (FakeClient c = new FakeClient(client, SERVER, "reverse-cookie-0123456789abcdefghijk")) {
            c.exchangeParameters(FakeClient.parameters("reverse", true, "len", 8192));
            TcpSocket stream = c.openStream();
            c.awaitRunning();
            byte[] buffer = new byte[65536];
            long got = 0;
            while (got < 1_000_000) {
                int n = stream.read(buffer, 0, buffer.length, FakeClient.T);
                assertThat(n).isPositive();
                got += n;
            }
            Map<String, Object> results = c.finish();
            long sent = (Long) streamsOf(results).getFirst().get("bytes");
            assertThat(sent).as("bytes the server says it sent").isGreaterThanOrEqualTo(got);
            assertThat(sent % 8192).as("whole blocks of -l 8192").isZero();
            assertThat(results.get("sender_has_retransmits")).as("the server sent but has no retransmission count").isEqualTo(0L);
            stream.close();
        }
        awaitIdle();
        assertThat(server.testsCompleted()).isEqualTo(1);
    }

    @Test
    void udpTestCountsLossOutOfOrderAndBytesFromTheSequenceNumbers() throws Exception {
        int len = 1000;
        try (FakeClient c = new FakeClient(client, SERVER, "udp-cookie-0123456789abcdefghijklmno");
                UdpSocket u = client.udp().open().connect(SERVER)) {
            c.exchangeParameters(FakeClient.parameters("udp", true, "len", len, "bandwidth", 1_000_000));
            u.send("9876".getBytes(StandardCharsets.US_ASCII));
            Datagram reply = u.receive(FakeClient.T);
            assertThat(new String(reply.data(), StandardCharsets.US_ASCII)).isEqualTo("6789");
            c.awaitRunning();
            byte[] d = new byte[len];
            int sent = 0;
            // One datagram at a time, each counted before the next goes: the cable's queues are
            // bounded and a loaded machine could overflow them with a burst (loss we did not make).
            for (long n = 1; n <= 100; n++) {
                if (n % 10 == 5) {
                    continue; // 10 "lost"; 95 comes late, below
                }
                UdpHeader.write(d, 5_000_000 + n * 1000, n, false);
                u.send(d);
                awaitServerProgress((long) ++sent * len);
            }
            UdpHeader.write(d, 5_000_000 + 95 * 1000, 95, false);
            u.send(d); // late: fills a gap, counted out of order
            awaitServerProgress((long) ++sent * len);
            Map<String, Object> s = streamsOf(c.finish()).getFirst();
            assertThat(s.get("id")).isEqualTo(1L);
            assertThat(s.get("packets")).as("highest sequence number").isEqualTo(100L);
            assertThat(s.get("errors")).as("lost: 10 gaps, one filled late").isEqualTo(9L);
            assertThat(s.get("bytes")).isEqualTo((long) sent * len);
            assertThat((Double) s.get("jitter")).isGreaterThanOrEqualTo(0.0);
        }
        awaitIdle();
        assertThat(server.testsCompleted()).isEqualTo(1);
    }

    @Test
    void reverseUdpSendsNumberedDatagramsAtTheRequestedRate() throws Exception {
        try (FakeClient c = new FakeClient(client, SERVER, "udp-rev-cookie-0123456789abcdefghijk");
                UdpSocket u = client.udp().open().connect(SERVER)) {
            c.exchangeParameters(FakeClient.parameters("udp", true, "reverse", true, "len", 500, "bandwidth", 4_000_000));
            u.send("9876".getBytes(StandardCharsets.US_ASCII));
            assertThat(u.receive(FakeClient.T).length()).isEqualTo(4);
            c.awaitRunning();
            UdpReceiveStats stats = new UdpReceiveStats();
            long previous = 0;
            for (int i = 0; i < 50; i++) {
                Datagram d = u.receive(FakeClient.T);
                assertThat(d.length()).isEqualTo(500);
                long n = UdpHeader.count(d.data(), false);
                assertThat(n).as("numbered 1, 2, 3... in order").isGreaterThan(previous);
                previous = n;
                stats.onDatagram(n, UdpHeader.sentMicros(d.data()), 0, d.length());
            }
            // The cable's queues are bounded: on a loaded machine a datagram may drop, not many.
            assertThat(stats.lost()).isLessThanOrEqualTo(5);
            assertThat(stats.packets()).isEqualTo(50 + stats.lost());
            Map<String, Object> s = streamsOf(c.finish()).getFirst();
            assertThat((Long) s.get("packets")).isGreaterThanOrEqualTo(50L);
            assertThat((Long) s.get("bytes")).isEqualTo((Long) s.get("packets") * 500);
        }
        awaitIdle();
        assertThat(server.testsCompleted()).isEqualTo(1);
    }

    @Test
    void aSecondClientIsDeniedWhileATestRunsAndServedAfterwards() throws Exception {
        try (FakeClient first = new FakeClient(client, SERVER, "first-cookie-0123456789abcdefghijklm")) {
            first.exchangeParameters(FakeClient.parameters());
            try (FakeClient second = new FakeClient(client, SERVER, "second-cookie-0123456789abcdefghijkl")) {
                assertThat(second.read()).isEqualTo(ControlState.ACCESS_DENIED);
                assertThat(second.readEnd()).isEqualTo(-1);
            }
            // A stream connection with another test's cookie is turned away too.
            try (TcpSocket stranger = client.tcp().connect(SERVER)) {
                ControlChannel ch = new ControlChannel(stranger);
                ch.writeCookie(Cookie.of("not-the-first-cookie-0123456789abcde"));
                assertThat(ch.readState(FakeClient.T)).isEqualTo(ControlState.ACCESS_DENIED);
            }
            TcpSocket stream = first.openStream();
            first.awaitRunning();
            first.finish();
            stream.close();
        }
        awaitIdle();
        assertThat(server.clientsDenied()).isEqualTo(2);
        try (FakeClient third = new FakeClient(client, SERVER, "third-cookie-0123456789abcdefghijklm")) {
            third.exchangeParameters(FakeClient.parameters());
        }
        awaitIdle();
        assertThat(server.testsCompleted()).isEqualTo(1);
    }

    @Test
    void bidirectionalTestsAreRefusedWithServerErrorNotImplemented() throws Exception {
        try (FakeClient c = new FakeClient(client, SERVER, "bidir-cookie-0123456789abcdefghijklm")) {
            c.expect(ControlState.PARAM_EXCHANGE);
            c.control.writeJson(FakeClient.parameters("bidirectional", true));
            assertThat(c.read()).isEqualTo(ControlState.SERVER_ERROR);
            byte[] errors = c.control.readFully(8, FakeClient.T);
            assertThat(errors).containsExactly(0, 0, 0, 13, 0, 0, 0, 0); // IEUNIMP, errno 0
            assertThat(c.readEnd()).isEqualTo(-1);
        }
        awaitIdle();
        assertThat(server.testsFailed()).isEqualTo(1);
        assertThat(reports).singleElement().asString().contains("bidirectional");
    }

    @Test
    void malformedParametersEndTheTestAndFreeTheServer() throws Exception {
        try (FakeClient c = new FakeClient(client, SERVER, "garbage-cookie-0123456789abcdefghijk")) {
            c.expect(ControlState.PARAM_EXCHANGE);
            byte[] bad = {0, 0, 0, 5, '{', '"', 'x', '"', ':'};
            c.control.socket().write(bad);
            c.control.socket().flush();
            assertThatThrownBy(c::read).isInstanceOf(EOFException.class);
        }
        awaitIdle();
        try (FakeClient c = new FakeClient(client, SERVER, "huge-cookie-0123456789abcdefghijklmn")) {
            c.expect(ControlState.PARAM_EXCHANGE);
            c.control.socket().write(new byte[] {0x7f, 0, 0, 0}); // 2 GB of JSON announced
            c.control.socket().flush();
            assertThatThrownBy(c::read).isInstanceOf(EOFException.class);
        }
        awaitIdle();
        assertThat(server.testsFailed()).isEqualTo(2);
        assertThat(server.testsCompleted()).isZero();
    }

    @Test
    void clientTerminateEndsTheRunningTest() throws Exception {
        try (FakeClient c = new FakeClient(client, SERVER, "term-cookie-0123456789abcdefghijklmn")) {
            c.exchangeParameters(FakeClient.parameters());
            TcpSocket stream = c.openStream();
            c.awaitRunning();
            stream.write(new byte[1000]);
            c.say(ControlState.CLIENT_TERMINATE);
            assertThat(c.readEnd()).isEqualTo(-1);
            stream.close();
        }
        awaitIdle();
        assertThat(server.testsFailed()).isEqualTo(1);
        assertThat(reports).singleElement().asString().contains("the client terminated the test");
    }

    @Test
    void closingTheServerTellsARunningClientServerTerminate() throws Exception {
        try (FakeClient c = new FakeClient(client, SERVER, "close-cookie-0123456789abcdefghijklm")) {
            c.exchangeParameters(FakeClient.parameters());
            TcpSocket stream = c.openStream();
            c.awaitRunning();
            server.close();
            assertThat(c.read()).isEqualTo(ControlState.SERVER_TERMINATE);
            stream.close();
        }
    }

    @Test
    void strayDatagramsAreCountedAndDropped() throws Exception {
        try (UdpSocket u = client.udp().open().connect(SERVER)) {
            u.send(new byte[] {'9', '8', '7', '6'}); // a connect with no test running
            u.send(new byte[100]);
            // The loop thread delivers them: wait for the count, with a deadline.
            assertThat(Poll.until(FakeClient.T, server::strayDatagrams, n -> n >= 2)).isEqualTo(2);
            assertThat(u.poll()).as("no reply to a connect outside a test").isNull();
        }
    }

    // ---- helpers ----

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> streamsOf(Map<String, Object> results) {
        return (List<Map<String, Object>>) results.get("streams");
    }

    /**
     * Waits until the server's streams have counted {@code bytes}: data on a stream connection
     * and TEST_END on the control connection race, as with the real client; here the test
     * waits so the count is exact.
     */
    private void awaitServerProgress(long bytes) throws Exception {
        assertThat(Poll.until(FakeClient.T, server::currentProgress, n -> n >= bytes)).isEqualTo(bytes);
    }

    /** Waits until the server has finished with the last test (its thread ends after the client's last message). */
    private void awaitIdle() throws Exception {
        assertThat(Poll.until(FakeClient.T, server::busy, busy -> !busy)).as("the server is idle again").isFalse();
    }
}
