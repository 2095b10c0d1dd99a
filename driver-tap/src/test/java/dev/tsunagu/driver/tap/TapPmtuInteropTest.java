package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stats.StatisticsSnapshot;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapRig;
import dev.tsunagu.testkit.host.TapTests;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Path MTU discovery against a Linux router (issue #16): the stack (10.84.0.2, over a TAP)
 * sends 10 MB to a kernel server (10.84.1.2) one routed hop behind the TAP's namespace, whose
 * link to the server has MTU 1280 while every host offers an MSS of 1460 (the server's route
 * advertises 1460, {@code advmss}, so the handshake cannot tell the stack). Full-sized segments
 * (DF set) meet the narrow link at the router:
 *
 * <ul>
 *   <li>with ICMP, the kernel router answers "fragmentation needed, next-hop MTU 1280" (RFC 1191);
 *       the stack's path MTU cache learns 1280 and the connection's MSS comes down to fit;</li>
 *   <li>with nftables dropping those ICMP errors in the router (an ICMP black hole), nothing tells
 *       the stack; its RFC 4821 search (tcp.mtuProbing, on for black holes by default) falls back
 *       after two timeouts and probes up to the largest size that passes.</li>
 * </ul>
 *
 * Both transfers complete with the SHA-256 the sender computed. Skips loudly without root /
 * CAP_NET_ADMIN, python3 or nft.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TapPmtuInteropTest {
    private static final int SUBNET = 84;
    private static final int SIZE = 10 << 20;
    private static final int NARROW_MTU = 1280;
    private static final Duration TRANSFER_LIMIT = Duration.ofSeconds(90);
    private static final Pattern RESULT = Pattern.compile("RESULT (\\d+) ([0-9a-f]{64})");

    /** Accepts one connection, hashes it to the end, closes, prints {@code RESULT bytes sha}. */
    private static final String SINK = """
            import hashlib, socket, sys
            srv = socket.socket()
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind((sys.argv[1], int(sys.argv[2])))
            srv.listen(1)
            print("LISTENING", flush=True)
            srv.settimeout(60)
            c, _ = srv.accept()
            c.settimeout(60)
            h, n = hashlib.sha256(), 0
            buf = bytearray(1 << 20)
            view = memoryview(buf)
            while True:
                k = c.recv_into(buf)
                if not k:
                    break
                h.update(view[:k])
                n += k
            c.close()
            print("RESULT", n, h.hexdigest(), flush=True)
            """;

    private TapRig rig;
    private NetNs server;
    private String serverAddress;

    @AfterEach
    void tearDown() {
        try {
            if (rig != null) {
                rig.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void theKernelRoutersFragmentationNeededTeachesThePathMtu() throws Exception {
        startRig();
        Transfer t = stackToServer();
        long lowered = t.delta("ip", "PathMtuLowered");
        long reductions = t.delta("tcp", "PmtuReductions");
        report("ICMP frag-needed", t);
        assertThat(lowered).as("the stack's path MTU cache learnt from the router's ICMP").isPositive();
        assertThat(reductions).as("the connection's MSS lowered by it").isPositive();
        assertThat(t.mss).as("MSS after: 1280 less 40 bytes of headers and 12 of timestamps").isEqualTo(NARROW_MTU - 52);
        assertThat(t.delta("tcp", "PmtuBlackHoles")).as("no black hole where ICMP works").isZero();
    }

    @Test
    void anIcmpBlackHoleIsCrossedByProbing() throws Exception {
        startRig();
        // The router's "fragmentation needed" never leaves it: a black hole.
        rig.ns.exec("nft", "add", "table", "inet", "pmtu").check();
        rig.ns.exec("nft", "add", "chain", "inet", "pmtu", "out", "{ type filter hook output priority 0; }").check();
        rig.ns.exec("nft", "add", "rule", "inet", "pmtu", "out", "icmp", "type", "destination-unreachable",
                "icmp", "code", "frag-needed", "counter", "drop").check();
        Transfer t = stackToServer();
        report("ICMP black hole", t);
        String nft = rig.ns.exec("nft", "list", "chain", "inet", "pmtu", "out").output();
        Matcher dropped = Pattern.compile("packets (\\d+)").matcher(nft);
        assertThat(dropped.find() && Long.parseLong(dropped.group(1)) > 0).as("the router's ICMP dropped: %s", nft).isTrue();
        assertThat(t.delta("tcp", "PmtuReductions")).as("no ICMP reached the stack").isZero();
        assertThat(t.delta("tcp", "PmtuBlackHoles")).as("the black hole found (RFC 4821 7.7)").isPositive();
        assertThat(t.delta("tcp", "MtuProbeSuccesses")).as("probes that passed").isPositive();
        assertThat(t.mss + 52).as("packets settled within the search threshold below 1280")
                .isLessThanOrEqualTo(NARROW_MTU).isGreaterThan(NARROW_MTU - 8);
    }

    /** What one transfer left: the counters before and after, the connection's MSS near its end, the time. */
    private record Transfer(StatisticsSnapshot before, StatisticsSnapshot after, int mss, long ms) {
        long delta(String group, String counter) {
            return after.get(group, counter) - before.get(group, counter);
        }
    }

    private void report(String what, Transfer t) {
        System.err.printf(Locale.ROOT, "driver-tap: PMTU %s: 10 MB stack -> kernel through a 1280-byte hop in %d ms, SHA-256"
                        + " matched; MSS at the end %d; ip.PathMtuLowered %d, tcp.PmtuReductions %d, PmtuBlackHoles %d,"
                        + " MtuProbes %d (ok %d, lost %d), Timeouts %d (shared, loaded machine)%n", what, t.ms, t.mss,
                t.delta("ip", "PathMtuLowered"), t.delta("tcp", "PmtuReductions"), t.delta("tcp", "PmtuBlackHoles"),
                t.delta("tcp", "MtuProbes"), t.delta("tcp", "MtuProbeSuccesses"), t.delta("tcp", "MtuProbeFailures"),
                t.delta("tcp", "Timeouts"));
    }

    /**
     * The TAP bench with the stack's gateway at the TAP's kernel side, routing to a server
     * namespace over a veth pair with MTU 1280 on both ends (10.84.1.1 ↔ 10.84.1.2); the server's
     * route back advertises an MSS of 1460.
     */
    private void startRig() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("python3", "python3");
        TapTests.assumeCommand("nft", "nftables");
        rig = TapRig.start(SUBNET, null, b -> b.gateway("10." + SUBNET + ".0.1"));
        server = NetNs.create();
        serverAddress = "10." + SUBNET + ".1.2";
        rig.ns.exec("ip", "link", "add", "vr", "type", "veth", "peer", "name", "vp", "netns", server.name).check();
        rig.ns.exec("ip", "link", "set", "vr", "mtu", String.valueOf(NARROW_MTU)).check();
        server.exec("ip", "link", "set", "vp", "mtu", String.valueOf(NARROW_MTU)).check();
        rig.ns.exec("ip", "addr", "add", "10." + SUBNET + ".1.1/24", "dev", "vr").check();
        server.exec("ip", "addr", "add", serverAddress + "/24", "dev", "vp").check();
        rig.ns.exec("ip", "link", "set", "vr", "up").check();
        server.exec("ip", "link", "set", "vp", "up").check();
        server.exec("ip", "route", "add", "10." + SUBNET + ".0.0/24", "via", "10." + SUBNET + ".1.1", "advmss", "1460").check();
        rig.ns.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward").check();
    }

    private Transfer stackToServer() throws Exception {
        byte[] data = new byte[SIZE];
        new SplittableRandom(16).nextBytes(data);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String want = HexFormat.of().formatHex(sha.digest(data));
        Process sink = server.start("python3", "-c", SINK, serverAddress, "9000");
        BufferedReader out = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8));
        assertThat(Sh.drainLineUntil(out, "LISTENING"::equals, Duration.ofSeconds(15))).as("the sink started").isNotNull();
        StatisticsSnapshot before = rig.stack.statistics();
        long t0 = System.nanoTime();
        int mss;
        try (TcpSocket s = rig.stack.tcp().connect(new InetSocketAddress(serverAddress, 9000))) {
            for (int off = 0; off < SIZE; off += 64 * 1024) {
                s.write(data, off, Math.min(64 * 1024, SIZE - off));
            }
            mss = rig.stackTcpSockets().stream().filter(i -> i.remote() != null && i.remote().getPort() == 9000)
                    .map(SocketInfo::details).map(d -> Integer.parseInt(d.get("mss"))).findFirst().orElse(-1);
            s.shutdownOutput();
            byte[] none = new byte[16];
            assertThat(s.read(none, 0, none.length, TRANSFER_LIMIT)).as("the sink closes after the last byte").isEqualTo(-1);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String line = Sh.drainLineUntil(out, l -> l.startsWith("RESULT ") || l.contains("Error"), TRANSFER_LIMIT);
        assertThat(line).as("the sink's RESULT").isNotNull();
        Matcher m = RESULT.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("bytes the server received").isEqualTo(SIZE);
        assertThat(m.group(2)).as("SHA-256 of what the server received").isEqualTo(want);
        return new Transfer(before, rig.stack.statistics(), mss, ms);
    }
}
