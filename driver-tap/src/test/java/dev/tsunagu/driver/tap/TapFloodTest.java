package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stats.StatisticsSnapshot;
import dev.tsunagu.testkit.host.TapRig;
import dev.tsunagu.testkit.host.TapTests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods from the kernel side of a TAP while a legitimate transfer runs (issue #18): ACKs with
 * random ports and numbers, RSTs with random sequence numbers on the transfer's own connection,
 * overlapping IPv4 fragments never completed, ARP requests from random sources, UDP to closed
 * ports. Each flood lasts {@link #FLOOD}; a python3 program ({@code flood.py}, AF_PACKET) writes
 * the frames as fast as it can, while another sends the stack a paced stream over TCP for as
 * long. Each case checks that the transfer completes with the SHA-256 its sender computed, that
 * the counters named for that flood account for its frames, and that memory stays bounded: the
 * heap after a GC near the flood's end, less the heap before, and the stack's own bounded
 * tables (the ARP cache). The figures go to stderr and in a table after the last case.
 *
 * <p>Skips loudly without root / CAP_NET_ADMIN or python3.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TapFloodTest {
    private static final int SUBNET = 92;
    private static final int PORT = 5001;
    private static final int SPORT = 40123;
    static final Duration FLOOD = Duration.ofSeconds(Long.getLong("tsunagu.flood.seconds", 10));
    /** Heap after GC during a flood, above the heap before it, at most. */
    private static final long HEAP_GROWTH_LIMIT = 64L << 20;
    private static final List<String> FIGURES = new ArrayList<>();
    /** The bytes of the legitimate transfer, among the counters {@link #flood} returns. */
    private static final String TRANSFERRED = "transfer.Bytes";

    @TempDir
    Path dir;

    private TapRig rig;
    private TcpServerSocket listener;

    @BeforeEach
    void start() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("python3", "python3");
        rig = TapRig.start(SUBNET, null, b -> b);
        listener = rig.stack.tcp().listen(PORT);
        for (String name : List.of("flood.py")) {
            try (InputStream in = TapFloodTest.class.getResourceAsStream("/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        Files.writeString(dir.resolve("send.py"), SENDER);
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close();
        }
        if (rig != null) {
            rig.close();
        }
    }

    @AfterAll
    static void table() {
        if (!FIGURES.isEmpty()) {
            System.err.println("driver-tap: floods over a TAP, " + FLOOD.toSeconds() + " s each, while a paced TCP transfer ran"
                    + " (shared, loaded machine)");
            FIGURES.forEach(f -> System.err.println("  " + f));
        }
    }

    @Test
    void ackFlood() throws Exception {
        Map<String, Long> d = flood("ack");
        // An ACK for no connection is answered with RST (RFC 9293 3.10.7.1); the listener takes
        // it for a SYN cookie only after its SYN queue overflowed, which the flood does not make.
        assertThat(d.getOrDefault("tcp.OutRsts", 0L)).as("ACKs answered with RST").isGreaterThan(frames(d) / 2);
    }

    @Test
    void rstFloodWithRandomSequenceNumbers() throws Exception {
        Map<String, Long> d = flood("rst");
        // RFC 5961 3.2: a RST outside the window is dropped, one inside but not exact draws a (rate-limited) challenge ACK.
        // Those that come after the transfer's connection is gone are for no connection, ignored (RFC 9293 3.10.7.1).
        assertThat(d.getOrDefault("tcp.RstsOutOfWindow", 0L) + d.getOrDefault("tcp.ChallengeAcks", 0L)
                + d.getOrDefault("tcp.ChallengeAcksLimited", 0L) + d.getOrDefault("tcp.RstsNoConnection", 0L))
                .as("RSTs refused").isGreaterThan(frames(d) * 8 / 10);
        assertThat(d.getOrDefault("tcp.RstsOutOfWindow", 0L)).as("RSTs out of the window").isPositive();
        assertThat(d.getOrDefault("tcp.InRsts", 0L)).as("RSTs accepted").isZero();
    }

    @Test
    void overlappingFragmentsNeverCompleted() throws Exception {
        Map<String, Long> d = flood("frag");
        assertThat(d.getOrDefault("ip.ReasmReqds", 0L)).as("fragments taken for reassembly").isGreaterThan(frames(d) * 8 / 10);
        assertThat(d.getOrDefault("ip.DropFragOverlap", 0L)).as("overlapping fragments dropped").isPositive();
        assertThat(d.getOrDefault("ip.ReasmFails", 0L)).as("datagrams given up").isPositive();
        assertThat(d.getOrDefault("ip.ReasmOKs", 0L)).as("datagrams reassembled").isZero();
    }

    @Test
    void arpRequestsFromRandomSources() throws Exception {
        Map<String, Long> d = flood("arp");
        assertThat(d.getOrDefault("arp.InRequests", 0L)).as("ARP requests for us").isGreaterThan(frames(d) / 2);
        assertThat(d.getOrDefault("arp.Evicted", 0L)).as("entries the flood's own entries evicted").isPositive();
        // Askers evict only entries not in use: the transfer's neighbour stays resolved throughout.
        assertThat(d.getOrDefault("arp.DropUnresolved", 0L)).as("packets dropped for want of a MAC").isZero();
        int cache = rig.stack.neighbors().size();
        assertThat(cache).as("ARP cache entries after the flood (arp.cacheSize is 1024)").isLessThanOrEqualTo(1024);
        FIGURES.add(String.format(Locale.ROOT, "%-5s ARP cache after the flood: %d entries (bound 1024)", "arp", cache));
    }

    @Test
    void udpToClosedPorts() throws Exception {
        Map<String, Long> d = flood("udp");
        assertThat(d.getOrDefault("udp.NoPorts", 0L)).as("datagrams to closed ports").isGreaterThan(frames(d) * 8 / 10);
        // ICMP port unreachable is rate-limited (icmp.errorRate, 100 a second); the rest is counted as limited.
        assertThat(d.getOrDefault("icmp.OutDestUnreachs", 0L)).as("port unreachables sent")
                .isLessThanOrEqualTo(100L * (FLOOD.toSeconds() + 5) + 100);
        assertThat(d.getOrDefault("icmp.OutRateLimited", 0L)).as("port unreachables not sent").isPositive();
    }

    /**
     * Flood frames the stack took from the TAP: all it took, less the transfer's segments (at
     * most one per 1,000 bytes: the kernel sends full segments of 1,448 bytes, and nothing else
     * the stack needs once connected).
     */
    private static long frames(Map<String, Long> d) {
        return Math.max(0, d.getOrDefault("ethernet.InFrames", 0L) - d.getOrDefault(TRANSFERRED, 0L) / 1000);
    }

    /**
     * Runs flood {@code kind} for {@link #FLOOD} beside a transfer to the stack of as long; checks
     * the transfer and the heap, and returns the counters that moved, as "GROUP.Counter" → delta.
     */
    private Map<String, Long> flood(String kind) throws Exception {
        long heapBefore = dev.tsunagu.testkit.host.Heap.usedAfterGc();
        StatisticsSnapshot before = rig.stack.statistics();
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        String seconds = String.valueOf(FLOOD.toSeconds());
        Process sender = rig.ns.start("python3", dir.resolve("send.py").toString(), rig.stackAddress, String.valueOf(PORT),
                String.valueOf(SPORT), seconds);
        TcpSocket conn = accepted.get(20, TimeUnit.SECONDS);
        CompletableFuture<String[]> received = CompletableFuture.supplyAsync(() -> readAll(conn),
                r -> Thread.ofVirtual().start(r));
        String mac = rig.stack.primaryInterface().mac().toString().toLowerCase(Locale.ROOT);
        Process flooder = rig.ns.start("python3", dir.resolve("flood.py").toString(), kind, rig.dev, mac, rig.stackAddress,
                rig.kernel, seconds, String.valueOf(PORT), String.valueOf(SPORT));

        // Near the flood's end, with it still running: what the stack holds then.
        Thread.sleep(FLOOD.toMillis() * 8 / 10);
        long heapDuring = dev.tsunagu.testkit.host.Heap.usedAfterGc();
        assertThat(flooder.waitFor(FLOOD.toSeconds() + 30, TimeUnit.SECONDS)).as("the flood ended").isTrue();
        String floodSaid = new String(flooder.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(sender.waitFor(FLOOD.toSeconds() + 60, TimeUnit.SECONDS)).as("the legitimate sender ended").isTrue();
        String senderSaid = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(sender.exitValue()).as("the sender: %s", senderSaid).isZero();
        String[] got = received.get(60, TimeUnit.SECONDS);

        Matcher sent = Pattern.compile("sent (\\d+) bytes sha256 ([0-9a-f]{64})").matcher(senderSaid);
        assertThat(sent.find()).as("the sender's report: %s", senderSaid).isTrue();
        assertThat(got[0]).as("bytes the stack received").isEqualTo(sent.group(1));
        assertThat(got[1]).as("SHA-256 of what the stack received").isEqualTo(sent.group(2));
        Matcher frames = Pattern.compile("sent (\\d+) frames").matcher(floodSaid);
        assertThat(frames.find()).as("the flood's report: %s", floodSaid).isTrue();
        long floodFrames = Long.parseLong(frames.group(1));
        assertThat(floodFrames).as("frames flooded").isGreaterThan(10_000);

        Map<String, Long> delta = delta(before, rig.stack.statistics());
        delta.put(TRANSFERRED, Long.parseLong(got[0]));
        long growth = heapDuring - heapBefore;
        String tapDropped = rig.ns.exec("cat", "/sys/class/net/" + rig.dev + "/statistics/tx_dropped").output().strip();
        String figure = String.format(Locale.ROOT,
                "%-5s %,d frames (%,d/s; the TAP's queue dropped %s in all); transfer %,d bytes, SHA-256 matched;"
                        + " heap after GC %d MiB before, %d MiB near the end (%+.1f MiB); counters: %s",
                kind, floodFrames, floodFrames / FLOOD.toSeconds(), tapDropped, Long.parseLong(got[0]), heapBefore >> 20,
                heapDuring >> 20, growth / 1048576.0, biggest(delta));
        System.err.println("driver-tap: flood " + figure);
        System.err.println("driver-tap: flood " + kind + " counters: " + delta);
        FIGURES.add(figure);
        assertThat(growth).as("heap growth during the %s flood", kind).isLessThan(HEAP_GROWTH_LIMIT);
        assertThat(delta.getOrDefault("loop.Errors", 0L)).as("exceptions in the event loop").isZero();
        return delta;
    }

    /** Reads to the end: {byte count, SHA-256 hex}. */
    private static String[] readAll(TcpSocket conn) {
        try (conn) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 << 10];
            long total = 0;
            int n;
            while ((n = conn.read(buf, 0, buf.length)) >= 0) {
                sha.update(buf, 0, n);
                total += n;
            }
            return new String[] {Long.toString(total), HexFormat.of().formatHex(sha.digest())};
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new java.io.UncheckedIOException(e instanceof IOException io ? io : new IOException(e));
        }
    }

    private static Map<String, Long> delta(StatisticsSnapshot a, StatisticsSnapshot b) {
        Map<String, Long> d = new TreeMap<>();
        b.groups().forEach((group, counters) -> counters.forEach((name, v) -> {
            long was = a.groups().getOrDefault(group, Map.of()).getOrDefault(name, 0L);
            if (v != was) {
                d.put(group + "." + name, v - was);
            }
        }));
        return d;
    }

    /** The counters that moved most, leaving out those every frame moves, for the figure. */
    private static String biggest(Map<String, Long> delta) {
        return delta.entrySet().stream().filter(e -> e.getValue() >= 100 && !EVERY_FRAME.matcher(e.getKey()).matches())
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(6)
                .map(e -> e.getKey() + " " + e.getValue()).toList().toString();
    }

    private static final Pattern EVERY_FRAME = Pattern.compile(
            "transfer\\..*|if\\..*|loop\\..*|ethernet\\.(In|Out)Frames|ip\\.(InReceives|InDelivers|OutRequests)|tcp\\.(InSegs|OutSegs)");

    /** The legitimate transfer: random bytes, paced (64 KiB every 10 ms) for SECONDS, from a fixed port; then its SHA-256. */
    private static final String SENDER = """
            import hashlib, os, socket, sys, time
            host, port, sport, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", sport))
            s.settimeout(60)
            s.connect((host, port))
            sha, total = hashlib.sha256(), 0
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                block = os.urandom(64 * 1024)
                s.sendall(block)
                sha.update(block)
                total += len(block)
                time.sleep(0.01)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
            s.close()
            print("sent %d bytes sha256 %s" % (total, sha.hexdigest()), flush=True)
            """;
}
