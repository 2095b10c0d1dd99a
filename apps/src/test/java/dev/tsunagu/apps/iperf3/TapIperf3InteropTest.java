package dev.tsunagu.apps.iperf3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.testkit.host.BenchNamespace;
import dev.tsunagu.testkit.host.TapBench;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real iperf3 client (Debian's, 3.12) against {@link Iperf3Server} on a stack on a TAP:
 * the stack at 10.83.0.2 in this JVM ({@link TapBench}), {@code iperf3 -c} in a fresh network
 * namespace at 10.83.0.1. Each case runs {@code iperf3 --json} for a short test and checks what
 * the client reports, including the server's side it fetched at the end (the receiver's bytes, or
 * UDP loss and jitter). The figures go to stderr and in a table after the last case; they come
 * from a shared, loaded machine and say that the tests work, not how fast the stack is.
 * Skips loudly without CAP_NET_ADMIN or iperf3.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TapIperf3InteropTest {
    private static final int SUBNET = 83;
    private static final Duration CLIENT_LIMIT = Duration.ofSeconds(30);
    /** Runs of the lossy upload, each about 1.1 s. */
    private static final int LOSSY_RUNS = 20;
    private static final Duration LOSSY_RUN_LIMIT = Duration.ofSeconds(6);
    private static final List<String> FIGURES = new ArrayList<>();

    private TapBench bench;
    private Iperf3Server server;

    @BeforeEach
    void startBench() throws Exception {
        TapBench.assumeTapAndNetns();
        TapBench.assumeCommand("iperf3", "iperf3");
        bench = TapBench.start(SUBNET);
        server = Iperf3Server.start(bench.stack(), Iperf3Server.DEFAULT_PORT, line -> System.err.println("apps: " + line));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (bench != null) {
            bench.close();
        }
    }

    @AfterAll
    static void printFigures() {
        if (!FIGURES.isEmpty()) {
            System.err.println("apps: iperf3 3.12 client (kernel, netns) -> Tsunagu iperf3 server over a TAP, MTU 1500"
                    + " (shared machine under load: not a benchmark)");
            FIGURES.forEach(f -> System.err.println("  " + f));
        }
    }

    @Test
    void tcpUpload() throws Exception {
        Map<String, Object> end = iperf3("TCP", "-t", "2");
        long sent = bytes(end, "sum_sent");
        long received = bytes(end, "sum_received");
        assertThat(received).as("bytes the server says it received").isPositive();
        // The server counts until TEST_END: what was in flight then is the only difference.
        assertThat(received).isLessThanOrEqualTo(sent).isGreaterThan(sent / 2);
        assertThat(completedTests()).isEqualTo(1);
    }

    /**
     * Issue #18: {@code iperf3 -c -t 5 -J} uploading through a 2% drop on the kernel's way to the
     * stack sometimes never ended: its TEST_END arrived as the server's 5 s poll of the control
     * connection ran out, and the timed read lost it (see {@code TcpTimedWaitTest}). Here the
     * server polls every second and the client runs for a second, so every run meets the poll's
     * end as every {@code -t 5} run met the 5 s one. Without the fix a run hung within the
     * first four in each of two tries (and {@code -t 5} against the 5 s poll in 1 of 20 runs).
     */
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void tcpUploadsThroughTwoPercentLossEachEnd() throws Exception {
        server.close();
        server = Iperf3Server.start(bench.stack(), Iperf3Server.DEFAULT_PORT, line -> System.err.println("apps: " + line),
                Duration.ofSeconds(1));
        BenchNamespace ns = bench.kernelSide();
        Duration t = Duration.ofSeconds(10);
        ns.check(t, "nft", "add", "table", "inet", "loss");
        ns.check(t, "nft", "add", "chain", "inet", "loss", "output", "{ type filter hook output priority 0; }");
        ns.check(t, "nft", "add", "rule", "inet", "loss", "output", "oifname", bench.device(), "ip", "daddr",
                bench.stackAddress(), "numgen", "random", "mod", "100", "<", "2", "counter", "drop");
        List<String> outcomes = new ArrayList<>();
        for (int run = 1; run <= LOSSY_RUNS; run++) {
            long start = System.nanoTime();
            BenchNamespace.Result r = ns.exec(LOSSY_RUN_LIMIT, "iperf3", "-c", bench.stackAddress(), "-t", "1", "-J");
            long ms = (System.nanoTime() - start) / 1_000_000;
            outcomes.add("run " + run + ": exit " + r.exit() + " in " + ms + " ms");
            assertThat(r.exit()).as("iperf3 run %d of %d (%s); it said:%n%s", run, LOSSY_RUNS, outcomes, r.output()).isZero();
            assertThat(completedTests()).isEqualTo(run);
        }
        String rules = ns.check(t, "nft", "list", "table", "inet", "loss").output();
        System.err.println("apps: " + LOSSY_RUNS + " iperf3 -t 1 uploads through a 2% drop, each ended: " + outcomes
                + "; nftables: " + rules.lines().filter(l -> l.contains("counter")).map(String::strip).toList());
        assertThat(rules).containsPattern("counter packets [1-9]\\d* bytes");
    }

    @Test
    void tcpReverse() throws Exception {
        Map<String, Object> end = iperf3("TCP -R", "-t", "2", "-R");
        assertThat(bytes(end, "sum_sent")).as("bytes the server says it sent").isPositive();
        assertThat(bytes(end, "sum_received")).as("bytes the client received").isPositive()
                .isLessThanOrEqualTo(bytes(end, "sum_sent"));
        assertThat(completedTests()).isEqualTo(1);
    }

    @Test
    void fourParallelStreams() throws Exception {
        Map<String, Object> end = iperf3("TCP -P 4", "-t", "2", "-P", "4");
        List<?> streams = (List<?>) end.get("streams");
        assertThat(streams).hasSize(4);
        for (Object s : streams) {
            @SuppressWarnings("unchecked")
            Map<String, Object> receiver = (Map<String, Object>) ((Map<String, Object>) s).get("receiver");
            assertThat(Json.longMember(receiver, "bytes", 0)).as("every stream's received bytes (server side)").isPositive();
        }
        assertThat(bytes(end, "sum_received")).isPositive();
        assertThat(completedTests()).isEqualTo(1);
    }

    @Test
    void udpAtHundredMegabits() throws Exception {
        long refusedBefore = receiverRefusals();
        Map<String, Object> end = iperf3("UDP -b 100M", "-t", "2", "-u", "-b", "100M");
        // Datagrams the receiving end could not take in time on a loaded machine are counted
        // where they fell — the TAP's own queue (tx_dropped of its kernel side), the server
        // socket's full queue (udp.RcvbufErrors) — and allowed on top of the 5%, as in udpReverse:
        // what no counter explains must stay within it.
        long refused = receiverRefusals() - refusedBefore;
        Map<String, Object> sum = member(end, "sum");
        long packets = Json.longMember(sum, "packets", 0);
        long lost = Json.longMember(sum, "lost_packets", -1);
        assertThat(packets).as("datagrams the server counted").isGreaterThan(1000);
        assertThat(lost).as("datagrams the server found missing (%d of them refused by a full queue on the way in)", refused)
                .isBetween(0L, packets / 20 + refused);
        assertThat(Json.doubleMember(sum, "jitter_ms", -1)).as("jitter the server measured").isBetween(0.0, 50.0);
        assertThat(completedTests()).isEqualTo(1);
    }

    @Test
    void udpReverse() throws Exception {
        long overflowsBefore = kernelUdpReceiveBufferErrors();
        Map<String, Object> end = iperf3("UDP -R -b 20M", "-t", "1", "-u", "-R", "-b", "20M");
        // Datagrams the kernel side's own socket buffer refused (its iperf3 client did not run in
        // time on a loaded machine) are counted lost by the client but were delivered by the
        // stack: they are allowed on top of the 5%, and said.
        long overflows = kernelUdpReceiveBufferErrors() - overflowsBefore;
        Map<String, Object> sum = member(end, "sum");
        long packets = Json.longMember(sum, "packets", 0);
        assertThat(packets).as("datagrams the client counted").isGreaterThan(100);
        assertThat(Json.longMember(sum, "lost_packets", -1))
                .as("datagrams the client found missing (%d of them refused by its own full socket buffer)", overflows)
                .isBetween(0L, packets / 20 + overflows);
        assertThat(completedTests()).isEqualTo(1);
    }

    /** Datagrams the stack's side refused for want of room: the TAP's queue toward it, and its UDP sockets' queues. */
    private long receiverRefusals() throws Exception {
        BenchNamespace.Result r = bench.kernelSide().exec(CLIENT_LIMIT, "cat",
                "/sys/class/net/" + bench.device() + "/statistics/tx_dropped");
        long tapDropped = Long.parseLong(r.output().strip());
        return tapDropped + bench.stack().statistics().get("udp", "RcvbufErrors");
    }

    /** The kernel side's UDP RcvbufErrors (/proc/net/snmp of its namespace): datagrams its full socket buffers refused. */
    private long kernelUdpReceiveBufferErrors() throws Exception {
        BenchNamespace.Result r = bench.kernelSide().exec(CLIENT_LIMIT, "cat", "/proc/net/snmp");
        List<String[]> udp = r.output().lines().filter(l -> l.startsWith("Udp:")).map(l -> l.trim().split("\\s+")).toList();
        assertThat(udp).as(r.output()).hasSizeGreaterThanOrEqualTo(2);
        int column = List.of(udp.get(0)).indexOf("RcvbufErrors");
        assertThat(column).as(r.output()).isPositive();
        return Long.parseLong(udp.get(1)[column]);
    }

    @Test
    void secondClientIsToldTheServerIsBusy() throws Exception {
        BenchNamespace ns = bench.kernelSide();
        Process first = ns.start("iperf3", "-c", bench.stackAddress(), "-t", "3");
        // Wait (bounded) for the first test to hold the server, then try a second.
        assertThat(Poll.until(Duration.ofSeconds(10), server::busy, busy -> busy))
                .as("the first client's test started").isTrue();
        BenchNamespace.Result second = ns.exec(CLIENT_LIMIT, "iperf3", "-c", bench.stackAddress(), "-t", "1");
        assertThat(second.exit()).isNotZero();
        assertThat(second.output()).contains("the server is busy running a test");
        assertThat(first.waitFor(CLIENT_LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(new String(first.getInputStream().readAllBytes())).isZero();
        assertThat(server.clientsDenied()).isEqualTo(1);
        assertThat(completedTests()).isEqualTo(1);
    }

    /**
     * Tests the server finished, once it is idle: the client exits as soon as it has sent its
     * last message, which the server may not have read yet (waits with a deadline).
     */
    private long completedTests() throws Exception {
        Poll.until(Duration.ofSeconds(10), server::busy, busy -> !busy);
        return server.testsCompleted();
    }

    /** Runs {@code iperf3 -c STACK --json ARGS} in the namespace, asserts it succeeded, and returns its "end" object. */
    private Map<String, Object> iperf3(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("iperf3", "-c", bench.stackAddress(), "--json"));
        command.addAll(List.of(args));
        BenchNamespace.Result r = bench.kernelSide().exec(CLIENT_LIMIT, command.toArray(String[]::new));
        assertThat(r.exit()).as("iperf3 %s exit status; it said:%n%s", name, r.output()).isZero();
        Map<String, Object> json = Json.parseObject(r.output().substring(r.output().indexOf('{')));
        assertThat(json).as(r.output()).doesNotContainKey("error");
        Map<String, Object> end = member(json, "end");
        FIGURES.add(figure(name, end));
        System.err.println("apps: iperf3 " + name + ": " + FIGURES.getLast());
        return end;
    }

    private static String figure(String name, Map<String, Object> end) {
        if (end.containsKey("sum_received") && !name.startsWith("UDP")) {
            Map<String, Object> s = member(end, "sum_sent");
            Map<String, Object> r = member(end, "sum_received");
            return String.format(Locale.ROOT, "%-14s sender %8.1f Mbit/s, receiver %8.1f Mbit/s (%d bytes)", name,
                    Json.doubleMember(s, "bits_per_second", 0) / 1e6, Json.doubleMember(r, "bits_per_second", 0) / 1e6,
                    Json.longMember(r, "bytes", 0));
        }
        Map<String, Object> s = member(end, "sum");
        return String.format(Locale.ROOT, "%-14s %8.1f Mbit/s, jitter %.3f ms, lost %d/%d datagrams", name,
                Json.doubleMember(s, "bits_per_second", 0) / 1e6, Json.doubleMember(s, "jitter_ms", 0),
                Json.longMember(s, "lost_packets", 0), Json.longMember(s, "packets", 0));
    }

    private static long bytes(Map<String, Object> end, String sum) {
        return Json.longMember(member(end, sum), "bytes", 0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> member(Map<String, Object> m, String name) {
        Object v = m.get(name);
        assertThat(v).as("member %s of %s", name, m.keySet()).isInstanceOf(Map.class);
        return (Map<String, Object>) v;
    }
}
