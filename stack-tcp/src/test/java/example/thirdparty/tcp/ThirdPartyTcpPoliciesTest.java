package example.thirdparty.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.policy.Policies;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.policy.NagleProvider;
import dev.tsunagu.tcp.policy.NewReno;
import dev.tsunagu.tcp.policy.Rfc6298Provider;
import dev.tsunagu.testkit.TestHosts;
import example.thirdparty.tcp.FixedWindowProvider.FixedWindow;
import example.thirdparty.tcp.HoldForBatchProvider.HoldForBatch;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A third party adds a congestion control ({@code fixed-window}) and a send-buffering policy
 * ({@code hold-for-batch}) with nothing but classes and {@code META-INF/services} files (this
 * module's test resources), and one socket picks them by name through its
 * {@link TcpSocketOptions} while another socket on the same stack keeps the defaults
 * (CUBIC, Nagle). The providers' counters show the policies were made for that one
 * connection only and told what happened to it; the socket table shows its fixed window.
 */
class ThirdPartyTcpPoliciesTest {
    static final long SEED = 77;
    /** MTU 1500 less the IP and TCP headers and the 12 bytes of Timestamps every segment carries (RFC 7323). */
    static final int MSS = 1448;

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("thirdparty-tcp");
    private NetworkStack client;
    private NetworkStack server;

    @BeforeEach
    void setUp() {
        FixedWindowProvider.CREATED.clear();
        HoldForBatchProvider.CREATED.clear();
        client = TestHosts.host(loop, "client", 1).on(lan, "10.0.0.1/24").build();
        server = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24").build();
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    @Test
    void aSocketUsesThirdPartyPoliciesByNameWhileItsNeighbourKeepsTheDefaults() throws Exception {
        Random random = new Random(SEED);
        String seed = "seed " + SEED;
        // Found through META-INF/services alone, next to the built-in ones; the stack-wide choice is unchanged.
        assertThat(client.policies().congestionControl(FixedWindowProvider.NAME)).isInstanceOf(FixedWindowProvider.class);
        assertThat(client.policies().sendBuffering(HoldForBatchProvider.NAME)).isInstanceOf(HoldForBatchProvider.class);
        assertThat(client.policies().congestionControl(null).name()).isEqualTo("cubic");
        assertThat(client.policies().sendBuffering(null).name()).isEqualTo("nagle");

        TcpServerSocket listener = server.tcp().listen(80); // the server's side keeps the defaults
        InetSocketAddress address = new InetSocketAddress("10.0.0.2", 80);

        CompletableFuture<TcpSocket> acceptedPlain = listener.acceptAsync();
        TcpSocket plain = client.tcp().connect(address);
        TcpSocket plainPeer = acceptedPlain.get();
        CompletableFuture<TcpSocket> acceptedCustom = listener.acceptAsync();
        TcpSocket custom = client.tcp().connect(address, TcpSocketOptions.DEFAULT
                .withCongestionControl(FixedWindowProvider.NAME)
                .withSendBuffering(HoldForBatchProvider.NAME));
        TcpSocket customPeer = acceptedCustom.get();
        loop.runUntilIdle();

        // Four connections exist (two on each side); the third-party policies were made for one.
        assertThat(FixedWindowProvider.CREATED).as("fixed-window controllers made").hasSize(1);
        assertThat(HoldForBatchProvider.CREATED).as("hold-for-batch policies made").hasSize(1);
        FixedWindow window = FixedWindowProvider.CREATED.getFirst();
        HoldForBatch batching = HoldForBatchProvider.CREATED.getFirst();
        assertThat(window.mss).as("told the negotiated MSS").isEqualTo(MSS);

        // The socket table (netstat) shows the third-party window for that connection only.
        long fixed = (long) FixedWindowProvider.SEGMENTS * MSS;
        assertThat(row(client, custom).details().get("cwnd")).isEqualTo(Long.toString(fixed));
        assertThat(row(client, plain).details().get("cwnd")).as("the neighbour's initial window (CUBIC's is RFC 5681's)")
                .isNotEqualTo(Long.toString(fixed)).isEqualTo(Long.toString(NewReno.initialWindow(MSS)));
        assertThat(server.sockets()).filteredOn(r -> r.remote() != null)
                .extracting(r -> r.details().get("cwnd")).hasSize(2).doesNotContain(Long.toString(fixed));

        // hold-for-batch: a 100-byte write waits 3 ms for more (Nagle would send it at once)…
        byte[] small = new byte[100];
        random.nextBytes(small);
        long customArrival = writeAndTimeArrival(custom, customPeer, small);
        assertThat(batching.maxOverdueAtOneInstant.get())
                .as("questions asked of hold-for-batch at one instant after its hold time had passed (%s): when"
                        + " the hold timer fires and the policy answers HOLD_WITH_TIMER again, the sender must send"
                        + " (the Decision's contract), not re-arm the timer in the past and ask again", batching)
                .isLessThanOrEqualTo(1);
        assertThat(customArrival).as("hold-for-batch held the partial segment for its timer")
                .isEqualTo(HoldForBatchProvider.HOLD_NANOS);
        assertThat(batching.held.get()).isPositive();
        // …while the neighbour, on Nagle, sends the same write at once, and asks the third party nothing.
        long decisionsBefore = batching.decisions.get();
        long plainArrival = writeAndTimeArrival(plain, plainPeer, small);
        assertThat(plainArrival).as("Nagle: nothing in flight, the partial segment leaves at once").isZero();
        assertThat(batching.decisions.get()).isEqualTo(decisionsBefore);
        // 600 bytes are a batch: they leave at once.
        byte[] batch = new byte[600];
        random.nextBytes(batch);
        assertThat(writeAndTimeArrival(custom, customPeer, batch)).isZero();
        assertThat(batching.sent.get()).isPositive();

        // A bulk write through the fixed window: it arrives intact, the controller hears every ACK,
        // and the stack never had more than the fixed window in flight.
        byte[] bulk = new byte[200_000];
        random.nextBytes(bulk);
        long acksBefore = window.acks.get();
        CompletableFuture<Void> written = custom.writeAsync(bulk, 0, bulk.length);
        byte[] got = readFully(customPeer, bulk.length);
        assertThat(Arrays.equals(got, bulk)).as("bulk data intact; %s", seed).isTrue();
        assertThat(written).isDone();
        loop.advance(Duration.ofMillis(500)); // every delayed ACK is in
        long total = small.length + batch.length + bulk.length;
        assertThat(window.acks.get()).as("onAck calls: %s", window).isGreaterThan(acksBefore + bulk.length / (2L * MSS) - 2);
        assertThat(window.ackedBytes.get()).as("bytes acknowledged, as told to the controller").isEqualTo(total);
        assertThat(window.sentBytes.get()).as("bytes sent, as told to the controller (clean cable: no resends)").isEqualTo(total);
        assertThat(window.rttSamples.get()).isPositive();
        assertThat(window.maxInFlight.get()).as("bytes in flight never exceeded the fixed window")
                .isPositive().isLessThanOrEqualTo(fixed);
        assertThat(window.duplicateAcks.get() + window.fastRetransmits.get() + window.timeouts.get()).isZero();
        assertThat(row(client, custom).details().get("cwnd")).isEqualTo(Long.toString(fixed));
        assertThat(row(client, plain).details().get("cwnd")).as("CUBIC grew in slow start")
                .isEqualTo(Long.toString(NewReno.initialWindow(MSS) + small.length));

        // Nothing else was ever made from the third-party providers.
        custom.close();
        plain.close();
        customPeer.close();
        plainPeer.close();
        listener.close();
        loop.advance(Duration.ofMinutes(2));
        assertThat(FixedWindowProvider.CREATED).hasSize(1);
        assertThat(HoldForBatchProvider.CREATED).hasSize(1);
        assertThat(client.sockets()).isEmpty();
        assertThat(server.sockets()).isEmpty();
        assertThat(client.statistics().get("loop", "Errors") + server.statistics().get("loop", "Errors")).isZero();
    }

    @Test
    void aStackWideChoiceByNameMakesEveryConnectionUseTheThirdPartyController() throws Exception {
        try (NetworkStack a = TestHosts.host(loop, "a", 3).on(lan, "10.0.0.3/24").builder()
                .congestionControl(FixedWindowProvider.NAME).buildUnchecked()) {
            TcpServerSocket listener = server.tcp().listen(81);
            CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
            TcpSocket s = a.tcp().connect(new InetSocketAddress("10.0.0.2", 81));
            loop.runUntilIdle();
            assertThat(FixedWindowProvider.CREATED).hasSize(1); // the server's side is CUBIC
            assertThat(row(a, s).details().get("cwnd")).isEqualTo(Long.toString((long) FixedWindowProvider.SEGMENTS * MSS));
            s.close();
            accepted.get().close();
            listener.close();
        }
    }

    @Test
    void policiesWiredThroughTheBuilderOutrankTheSystemPropertyAndReplaceDiscovery() throws Exception {
        String property = "tsunagu.tcp.congestion-control";
        System.setProperty(property, "newreno");
        try (NetworkStack a = TestHosts.host(loop, "a", 4).on(lan, "10.0.0.4/24").builder()
                .policies(Policies.of(new FixedWindowProvider(), new Rfc6298Provider(), new NagleProvider()))
                .buildUnchecked()) {
            assertThat(a.policies().congestionControl(null)).isInstanceOf(FixedWindowProvider.class);
            assertThat(a.policies().congestionControlCatalog().providers()).as("no discovery").hasSize(1);
            assertThatThrownBy(() -> a.policies().congestionControl("newreno"))
                    .hasMessageContaining("installed: " + FixedWindowProvider.NAME);

            TcpServerSocket listener = server.tcp().listen(82);
            CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
            TcpSocket s = a.tcp().connect(new InetSocketAddress("10.0.0.2", 82));
            loop.runUntilIdle();
            assertThat(FixedWindowProvider.CREATED).as("the connection's controller").hasSize(1);
            assertThat(row(a, s).details().get("cwnd")).isEqualTo(Long.toString((long) FixedWindowProvider.SEGMENTS * MSS));
            s.close();
            accepted.get().close();
            listener.close();
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void aNameGivenToTheBuilderChoosesAmongWiredCatalogs() {
        Policies installed = Policies.installed(null, null, null);
        try (NetworkStack a = TestHosts.host(loop, "a", 5).on(lan, "10.0.0.5/24").builder()
                .policies(installed).sendBufferingPolicy("nodelay").buildUnchecked()) {
            assertThat(a.policies().sendBuffering(null).name()).isEqualTo("nodelay");
            assertThat(a.policies().congestionControl(null).name()).isEqualTo("cubic");
            assertThat(a.policies().congestionControl(FixedWindowProvider.NAME)).isInstanceOf(FixedWindowProvider.class);
        }
    }

    /** Writes {@code data} and returns how long after the write the peer could read all of it (virtual time). */
    private long writeAndTimeArrival(TcpSocket from, TcpSocket to, byte[] data) throws Exception {
        long start = loop.now();
        from.writeAsync(data, 0, data.length);
        byte[] got = readFully(to, data.length);
        assertThat(got).isEqualTo(data);
        return loop.now() - start;
    }

    private byte[] readFully(TcpSocket s, int n) throws Exception {
        byte[] got = new byte[n];
        int total = 0;
        while (total < n) {
            int k = s.read(got, total, n - total, Duration.ofMinutes(1)); // on the virtual loop: drives the simulation
            assertThat(k).isPositive();
            total += k;
        }
        return got;
    }

    private static SocketInfo row(NetworkStack stack, TcpSocket s) {
        List<SocketInfo> rows = stack.sockets().stream()
                .filter(r -> s.localAddress().equals(r.local()) && s.remoteAddress().equals(r.remote())).toList();
        assertThat(rows).as("socket table row of %s", s).hasSize(1);
        return rows.getFirst();
    }
}
