package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.ForwardingLinkDriver;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Packetization Layer PMTUD (RFC 4821) over an ICMP black hole: both hosts sit on a 1500-byte
 * link and offer an MSS of 1460, but the path silently drops every packet larger than
 * {@link #passes} bytes — no "fragmentation needed" comes back, as when a firewall filters ICMP.
 * Classic PMTUD (RFC 1191) learns nothing there, and without probing the connection stalls
 * until it gives up; with it the connection falls back to the base size after two timeouts and
 * probes its way up to the largest size that passes. All on the virtual clock.
 */
class TcpPlpmtudTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("lan", 1500);
    /** IP packets larger than this vanish on the way from the client (the black hole). */
    private int passes = 1400;
    private long dropped;
    private NetworkStack client;
    private NetworkStack server;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
            server.close();
        }
    }

    /** The client's port: frames whose IP packet is larger than {@link #passes} are dropped without a word. */
    private final class BlackHole extends ForwardingLinkDriver {
        BlackHole(LinkDriver inner) {
            super(inner);
        }

        @Override
        public boolean transmit(PacketBuffer frame) {
            if (frame.length() - 14 > passes) {
                dropped++;
                frame.release();
                return true;
            }
            return super.transmit(frame);
        }
    }

    private void build(TcpOptions.MtuProbing mode) {
        client = NetworkStack.builder().name("client").eventLoop(loop).seed(1)
                .option(TcpOptions.MTU_PROBING, mode)
                .addInterface(InterfaceConfig.of(new BlackHole(lan.attach())).address("10.1.0.2/24")).buildUnchecked();
        server = NetworkStack.builder().name("server").eventLoop(loop).seed(2)
                .addInterface(InterfaceConfig.of(lan.attach()).address("10.1.0.3/24")).buildUnchecked();
    }

    private TcpSocket c;
    private TcpSocket s;

    private void connect() throws Exception {
        TcpServerSocket listener = server.tcp().listen(5001);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        c = client.tcp().connect(new InetSocketAddress("10.1.0.3", 5001));
        loop.runUntilIdle();
        s = accepted.join();
    }

    /** Sends {@code data} from client to server; what arrived, or null if it stalled for {@code patience}. */
    private byte[] transfer(byte[] data, Duration patience, boolean close) throws Exception {
        c.writeAsync(data, 0, data.length);
        if (close) {
            c.shutdownOutput();
        }
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        while (got.size() < data.length) {
            CompletableFuture<Integer> r = s.readAsync(buf, 0, buf.length);
            if (!loop.runUntil(r::isDone, patience)) {
                return null;
            }
            int n = r.join();
            if (n < 0) {
                break;
            }
            got.write(buf, 0, n);
        }
        return got.toByteArray();
    }

    private static byte[] random(int n, long seed) {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        return data;
    }

    private int clientMss() {
        return Integer.parseInt(client.sockets().stream().filter(i -> i.remote() != null && i.protocol().equals("TCP"))
                .findFirst().orElseThrow().details().get("mss"));
    }

    private long tcp(String counter) {
        return client.statistics().get("tcp", counter);
    }

    /** The packet a segment of the client's MSS makes: 20 bytes IP, 20 TCP, 12 of timestamps. */
    private int packet() {
        return clientMss() + 52;
    }

    @Test
    void aBlackHoleSlowsTheConnectionButItCompletesAndSettlesOnTheLargestSizeThatPasses() throws Exception {
        build(TcpOptions.MtuProbing.ON_BLACK_HOLE); // the default
        connect();
        assertThat(clientMss()).isEqualTo(1448);
        byte[] data = random(2_000_000, 7);
        byte[] got = transfer(data, Duration.ofSeconds(30), true);
        assertThat(got).as("the transfer completes; client %s", client.statistics()).isEqualTo(data);
        assertThat(dropped).as("the path dropped full-sized segments").isPositive();
        assertThat(tcp("PmtuBlackHoles")).as("the black hole was found once").isEqualTo(1);
        assertThat(tcp("PmtuReductions")).as("no ICMP ever said anything").isZero();
        assertThat(tcp("MtuProbeSuccesses")).isPositive();
        assertThat(tcp("MtuProbeFailures")).as("probes too big for the hole were lost").isPositive();
        assertThat(packet()).as("settled at the largest size that passes, within the search threshold")
                .isLessThanOrEqualTo(passes).isGreaterThan(passes - PacketizationLayerPmtud.SEARCH_THRESHOLD);
        assertThat(tcp("Timeouts")).as("two to find the hole; a lost probe costs no timeout").isLessThanOrEqualTo(3);
    }

    @Test
    void withoutProbingTheSameBlackHoleStallsTheConnection() throws Exception {
        build(TcpOptions.MtuProbing.OFF);
        connect();
        byte[] got = transfer(random(200_000, 7), Duration.ofSeconds(60), true);
        assertThat(got).as("nothing full-sized ever passes").isNull();
        assertThat(tcp("Timeouts")).isGreaterThanOrEqualTo(4);
        assertThat(clientMss()).isEqualTo(1448);
    }

    @Test
    void probingFromTheStartClimbsFromTheBaseSizeWithoutATimeout() throws Exception {
        build(TcpOptions.MtuProbing.ALWAYS);
        connect();
        assertThat(packet()).as("RFC 4821 7.2: search_low starts at 1024 bytes of MSS").isEqualTo(1024 + 40);
        byte[] data = random(2_000_000, 8);
        assertThat(transfer(data, Duration.ofSeconds(30), true)).isEqualTo(data);
        assertThat(tcp("Timeouts")).isZero();
        assertThat(tcp("PmtuBlackHoles")).isZero();
        assertThat(packet()).isLessThanOrEqualTo(passes).isGreaterThan(passes - PacketizationLayerPmtud.SEARCH_THRESHOLD);
    }

    @Test
    void aPathThatGrowsIsFoundAgainAfterTheProbeInterval() throws Exception {
        build(TcpOptions.MtuProbing.ALWAYS);
        connect();
        assertThat(transfer(random(1_000_000, 9), Duration.ofSeconds(30), false)).isNotNull();
        int settled = packet();
        assertThat(settled).isLessThanOrEqualTo(passes);
        passes = 1500; // the narrow hop is gone
        assertThat(transfer(random(500_000, 10), Duration.ofSeconds(30), false)).isNotNull();
        assertThat(packet()).as("a finished search stands for the probe interval").isEqualTo(settled);
        loop.advance(Duration.ofNanos(PacketizationLayerPmtud.REPROBE_NANOS));
        assertThat(transfer(random(1_000_000, 11), Duration.ofSeconds(30), false)).isNotNull();
        assertThat(packet()).as("RFC 4821 7.8: probed up again to (within the threshold of) the whole 1500 bytes")
                .isGreaterThan(1500 - PacketizationLayerPmtud.SEARCH_THRESHOLD).isLessThanOrEqualTo(1500);
    }
}
