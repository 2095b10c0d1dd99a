package dev.tsunagu.tcp.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.link.arp.ArpOptions;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.TcpLayer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ten thousand TCP connections open at the same time between two stacks, each on its own
 * threaded event loop, each connection served on the server by its own virtual thread (the
 * thread-per-connection model virtual threads make cheap) and driven on the client by its own
 * virtual thread.
 *
 * <p>Every client connects, writes a small unique message, reads the echo and then waits until
 * all ten thousand have their echo (so all connections really are open at once) before it
 * closes. The server's handlers echo until end of stream and close; afterwards nothing but the
 * listener (and TIME_WAIT, which belongs to whoever closed first: here the clients) may remain.
 */
class TenThousandConnectionsTest {
    static final int CONNECTIONS = 10_000;
    static final int PORT = 7;
    static final Duration WAIT = Duration.ofSeconds(120);
    static final long SEED = Long.getLong("tsunagu.scale.seed", 20_240_601L);

    private final String cableName = "tenk-" + System.nanoTime();
    private NetworkStack server;
    private NetworkStack client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void tenThousandConcurrentEchoConnectionsEachOnItsOwnVirtualThread() throws Exception {
        Random random = new Random(SEED);
        String seedNote = "seed " + SEED + " (-Dtsunagu.scale.seed=" + SEED + ")";
        // No eventLoop given: each stack makes its own ThreadedEventLoop.
        server = NetworkStack.builder().name("tenk-server").seed(SEED)
                .addInterface("cable:" + cableName, "10.77.0.1/24")
                .option(ArpOptions.CACHE_TIMEOUT, Duration.ofMinutes(30))
                .buildUnchecked();
        client = NetworkStack.builder().name("tenk-client").seed(SEED + 1)
                .addInterface("cable:" + cableName, "10.77.0.2/24")
                .option(ArpOptions.CACHE_TIMEOUT, Duration.ofMinutes(30))
                .buildUnchecked();
        assertThat(server.loop()).isNotSameAs(client.loop());

        // Warm the cable: one ping resolves both neighbours (the server learns the client from
        // the ARP request), so ten thousand SYNs do not pile up behind one ARP resolution.
        PingResult pong = client.service(PingService.class).orElseThrow()
                .ping(Ipv4Address.parse("10.77.0.1"), 8, Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);
        assertThat(pong).as("warm-up ping").isInstanceOf(PingResult.Reply.class);
        assertThat(client.neighbors()).as("client ARP table").isNotEmpty();
        assertThat(server.neighbors()).as("server ARP table").isNotEmpty();

        TcpSocketOptions options = TcpSocketOptions.DEFAULT.withSendBuffer(4096).withReceiveBuffer(4096)
                .withConnectTimeout(WAIT);
        TcpServerSocket listener = server.tcp().listen(PORT, CONNECTIONS + 1024, options);

        byte[][] messages = new byte[CONNECTIONS][];
        for (int i = 0; i < CONNECTIONS; i++) {
            byte[] tail = new byte[8 + random.nextInt(40)];
            random.nextBytes(tail);
            messages[i] = ("hello " + i + " ").getBytes(StandardCharsets.US_ASCII);
            messages[i] = concat(messages[i], tail);
        }

        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger handlersActive = new AtomicInteger();
        AtomicInteger handlersPeak = new AtomicInteger();
        AtomicInteger handlersDone = new AtomicInteger();
        AtomicInteger echoedBytes = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> serverErrors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CompletableFuture<Void>> serverCloses = new ConcurrentLinkedQueue<>();
        CountDownLatch handlersFinished = new CountDownLatch(CONNECTIONS);

        long start = System.nanoTime();
        Thread acceptLoop = Thread.ofVirtual().name("accept-loop").start(() -> {
            while (accepted.get() < CONNECTIONS) {
                TcpSocket s;
                try {
                    s = listener.accept(WAIT);
                } catch (IOException e) {
                    serverErrors.add(e);
                    return;
                }
                int n = accepted.incrementAndGet();
                serverCloses.add(s.closeFuture());
                Thread.ofVirtual().name("echo-" + n).start(() -> {
                    handlersPeak.accumulateAndGet(handlersActive.incrementAndGet(), Math::max);
                    try (s) {
                        byte[] buf = new byte[256];
                        int k;
                        while ((k = s.read(buf, 0, buf.length, WAIT)) > 0) {
                            s.write(buf, 0, k);
                            echoedBytes.addAndGet(k);
                        }
                        handlersDone.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        serverErrors.add(e);
                    } finally {
                        handlersActive.decrementAndGet();
                        handlersFinished.countDown();
                    }
                });
            }
        });

        AtomicInteger connected = new AtomicInteger();
        AtomicInteger echoed = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        ConcurrentLinkedQueue<String> clientErrors = new ConcurrentLinkedQueue<>();
        CountDownLatch allEchoed = new CountDownLatch(CONNECTIONS);   // counted down on success or failure
        CountDownLatch clientsFinished = new CountDownLatch(CONNECTIONS);
        InetSocketAddress target = new InetSocketAddress("10.77.0.1", PORT);
        for (int i = 0; i < CONNECTIONS; i++) {
            int id = i;
            Thread.ofVirtual().name("client-" + i).start(() -> {
                boolean phaseOneCounted = false;
                try {
                    TcpSocket c = client.tcp().connect(target, options);
                    connected.incrementAndGet();
                    try {
                        byte[] msg = messages[id];
                        c.write(msg);
                        c.flush();
                        byte[] got = new byte[msg.length];
                        int total = 0;
                        while (total < got.length) {
                            int k = c.read(got, total, got.length - total, WAIT);
                            if (k < 0) {
                                throw new SocketException("end of stream after " + total + " of " + got.length + " bytes");
                            }
                            total += k;
                        }
                        if (!Arrays.equals(got, msg)) {
                            throw new AssertionError("echo of connection " + id + " differs");
                        }
                        echoed.incrementAndGet();
                        allEchoed.countDown();
                        phaseOneCounted = true;
                        // Hold the connection open until every client has its echo: all 10,000 at once.
                        if (!allEchoed.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                            throw new AssertionError("not every connection echoed within " + WAIT);
                        }
                    } finally {
                        c.close();
                    }
                    succeeded.incrementAndGet();
                } catch (Throwable e) {
                    clientErrors.add("client " + id + ": " + e);
                } finally {
                    if (!phaseOneCounted) {
                        allEchoed.countDown();
                    }
                    clientsFinished.countDown();
                }
            });
        }

        boolean clientsDone = clientsFinished.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        boolean handlersDoneInTime = handlersFinished.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        acceptLoop.join(WAIT);
        long elapsed = System.nanoTime() - start;
        System.err.printf("TenThousandConnectionsTest: %d connections (connect, echo, all open at once, close) in %.2f s"
                + " (peak %d echo threads; retransmitted segments: client %d, server %d; rx queue drops: client %d,"
                + " server %d; %s)%n", succeeded.get(), elapsed / 1e9, handlersPeak.get(),
                client.statistics().get("tcp", "RetransSegs"), server.statistics().get("tcp", "RetransSegs"),
                client.statistics().get("if.eth0", "RxQueueDrops"), server.statistics().get("if.eth0", "RxQueueDrops"),
                seedNote);

        String diagnostics = seedNote + "; connected " + connected + ", echoed " + echoed + ", accepted " + accepted
                + ", handlers done " + handlersDone + "; first client errors " + clientErrors.stream().limit(5).toList()
                + "; first server errors " + serverErrors.stream().limit(5).map(String::valueOf).toList()
                + "; server tcp " + server.statistics().groups().get("tcp")
                + "; client tcp " + client.statistics().groups().get("tcp");
        assertThat(clientsDone).as("every client finished within %s; %s", WAIT, diagnostics).isTrue();
        assertThat(clientErrors).as(diagnostics).isEmpty();
        assertThat(succeeded.get()).as(diagnostics).isEqualTo(CONNECTIONS);
        assertThat(handlersDoneInTime).as("every echo thread finished; %s", diagnostics).isTrue();
        assertThat(serverErrors).as(diagnostics).isEmpty();
        assertThat(accepted.get()).as(diagnostics).isEqualTo(CONNECTIONS);
        assertThat(handlersDone.get()).as(diagnostics).isEqualTo(CONNECTIONS);
        assertThat(handlersPeak.get()).as("echo threads alive at the same time; %s", diagnostics)
                .isEqualTo(CONNECTIONS);
        assertThat((long) echoedBytes.get()).as(diagnostics)
                .isEqualTo(Arrays.stream(messages).mapToLong(m -> m.length).sum());

        // The server's sockets all end (LAST_ACK → CLOSED once the client's ACK of our FIN arrives).
        List<CompletableFuture<Void>> closes = new ArrayList<>(serverCloses);
        assertThat(closes).hasSize(CONNECTIONS);
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        List<SocketInfo> rows = awaitOnlyStates(server, Set.of("LISTEN", "TIME_WAIT"));
        assertThat(rows).as("server socket table: only the listener (and TIME_WAIT) left; %s", seedNote)
                .extracting(SocketInfo::state).isSubsetOf("LISTEN", "TIME_WAIT").contains("LISTEN");
        assertThat(rows).filteredOn(r -> r.state().equals("LISTEN")).hasSize(1);
        assertThat(server.service(TcpLayer.class).orElseThrow().connectionCount())
                .as("server connections left (TIME_WAIT only)")
                .isEqualTo((int) rows.stream().filter(r -> r.state().equals("TIME_WAIT")).count());
        // The clients closed first: their side holds TIME_WAIT, nothing else.
        Map<String, Long> clientStates = client.sockets().stream()
                .collect(Collectors.groupingBy(SocketInfo::state, TreeMap::new, Collectors.counting()));
        assertThat(clientStates.keySet()).as("client socket states %s", clientStates).isSubsetOf(Set.of("TIME_WAIT"));

        listener.close();
        assertThat(server.statistics().get("loop", "Errors")).as("server loop errors").isZero();
        assertThat(client.statistics().get("loop", "Errors")).as("client loop errors").isZero();
    }

    /** The socket table once every row is in one of {@code states}, or the last one seen after a bounded wait. */
    private static List<SocketInfo> awaitOnlyStates(NetworkStack stack, Set<String> states) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<SocketInfo> rows = stack.sockets();
        while (!rows.stream().allMatch(r -> states.contains(r.state())) && System.nanoTime() < deadline) {
            // Wait for one turn of the stack's loop (and whatever it queued) rather than sleeping.
            stack.loop().submit(() -> null).get(1, TimeUnit.SECONDS);
            Thread.onSpinWait();
            rows = stack.sockets();
        }
        return rows;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
