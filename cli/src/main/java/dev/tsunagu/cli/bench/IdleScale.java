package dev.tsunagu.cli.bench;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Idle scale: open {@code connections} connections and leave them idle; report how fast they
 * opened and the heap they hold.
 *
 * <p>Both ends live in this JVM, so the heap held (measured after full GCs, with everything
 * still referenced) is divided by twice the count: bytes per connection <em>endpoint</em>,
 * one control block and its socket, which is what one side of a connection costs a server.
 * For the kernel side that is only the Java objects of a {@code SocketChannel}; the kernel's
 * own memory per socket is not on the heap and not counted. The kernel side is also limited
 * by the open-file limit (two descriptors per connection) and says so.
 *
 * <p>Tsunagu's ephemeral ports are unique per remote address and port (16,384 of them), so
 * the connections are spread over several listening ports, 10,000 each.
 */
final class IdleScale implements Scenario {
    private static final int FIRST_PORT = 6000;
    private static final int PER_PORT = 10_000;
    private static final int IN_FLIGHT = 256; // handshakes under way at once: keeps the rx queues far from full

    private final int connections;
    private final Metric heap = new Metric("idle.heapPerEndpoint", "idle heap per endpoint", "B", false);
    private final Metric rate = new Metric("idle.openRate", "idle open rate", "conn/s", true);
    private final Map<String, String> notes = new LinkedHashMap<>();

    IdleScale(int connections) {
        this.connections = connections;
    }

    @Override
    public String group() {
        return "idle";
    }

    @Override
    public String name() {
        return "idle x" + connections;
    }

    @Override
    public List<Metric> metrics() {
        return List.of(heap, rate);
    }

    /** Remarks for the report (the kernel side's limit). */
    Map<String, String> notes() {
        return notes;
    }

    @Override
    public void warmUp() throws Exception {
        new IdleScale(Math.min(connections, 2_000)).tsunagu();
        new IdleScale(Math.min(connections, 2_000)).kernel();
    }

    @Override
    public Map<String, Double> tsunagu() throws Exception {
        int n = connections;
        TcpSocketOptions options = TcpSocketOptions.DEFAULT;
        int ports = (n + PER_PORT - 1) / PER_PORT;
        TcpSocket[] clients = new TcpSocket[n];
        TcpSocket[] servers = new TcpSocket[n];
        try (CablePair pair = CablePair.open(1500)) {
            List<TcpServerSocket> listeners = new ArrayList<>();
            for (int p = 0; p < ports; p++) {
                listeners.add(pair.server.tcp().listen(FIRST_PORT + p, 1024, options));
            }
            AtomicInteger accepted = new AtomicInteger();
            CountDownLatch allAccepted = new CountDownLatch(n);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long before = heapAfterGc();
            long start = System.nanoTime();
            for (TcpServerSocket l : listeners) {
                acceptLoop(l, servers, accepted, allAccepted, failure);
            }
            Semaphore window = new Semaphore(IN_FLIGHT);
            CountDownLatch allConnected = new CountDownLatch(n);
            for (int i = 0; i < n && failure.get() == null; i++) {
                window.acquire();
                int index = i;
                InetSocketAddress to = new InetSocketAddress(CablePair.SERVER_IP, FIRST_PORT + i % ports);
                pair.client.tcp().connectAsync(to, options).whenComplete((s, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        clients[index] = s;
                    }
                    window.release();
                    allConnected.countDown();
                });
            }
            awaitOrFail(allConnected, failure, "connect");
            awaitOrFail(allAccepted, failure, "accept");
            double seconds = (System.nanoTime() - start) / 1e9;
            long after = heapAfterGc();
            for (TcpSocket s : clients) {
                if (s == null || !"ESTABLISHED".equals(s.state())) {
                    throw new IllegalStateException("idle: a connection is not established: " + s);
                }
            }
            if (Boolean.getBoolean("tsunagu.bench.histogram")) {
                printHistogram();
            }
            double perEndpoint = (after - before) / (2.0 * n);
            return Map.of(heap.key(), perEndpoint, rate.key(), n / seconds);
        }
    }

    private static void acceptLoop(TcpServerSocket l, TcpSocket[] into, AtomicInteger next, CountDownLatch done,
                                   AtomicReference<Throwable> failure) {
        l.acceptAsync().whenComplete((s, e) -> {
            if (e != null) {
                if (done.getCount() > 0) {
                    failure.compareAndSet(null, e);
                }
                return;
            }
            into[next.getAndIncrement()] = s;
            done.countDown();
            if (done.getCount() > 0) {
                acceptLoop(l, into, next, done, failure);
            }
        });
    }

    private static void awaitOrFail(CountDownLatch latch, AtomicReference<Throwable> failure, String what)
            throws Exception {
        while (!latch.await(100, TimeUnit.MILLISECONDS)) {
            if (failure.get() != null) {
                throw new IOException("idle: " + what + " failed: " + failure.get(), failure.get());
            }
        }
        if (failure.get() != null) {
            throw new IOException("idle: " + what + " failed: " + failure.get(), failure.get());
        }
    }

    @Override
    public Map<String, Double> kernel() throws Exception {
        int n = Math.min(connections, kernelLimit());
        if (n < connections) {
            notes.put("kernel", "kernel side opened " + n + " connections, not " + connections
                    + ": the open-file limit allows " + openFileLimit() + " descriptors, two per connection");
        }
        int ports = (n + PER_PORT - 1) / PER_PORT;
        SocketChannel[] clients = new SocketChannel[n];
        SocketChannel[] servers = new SocketChannel[n];
        List<ServerSocketChannel> listeners = new ArrayList<>();
        try {
            for (int p = 0; p < ports; p++) {
                ServerSocketChannel l = ServerSocketChannel.open();
                listeners.add(l);
                l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            }
            long before = heapAfterGc();
            long start = System.nanoTime();
            Workers w = new Workers();
            w.start("idle-accept", () -> {
                for (int i = 0; i < n; i++) {
                    servers[i] = listeners.get(i % ports).accept();
                }
            });
            for (int i = 0; i < n; i++) {
                clients[i] = SocketChannel.open(listeners.get(i % ports).getLocalAddress());
            }
            w.join(600_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            long after = heapAfterGc();
            return Map.of(heap.key(), (after - before) / (2.0 * n), rate.key(), n / seconds);
        } finally {
            closeAll(clients);
            closeAll(servers);
            for (ServerSocketChannel l : listeners) {
                l.close();
            }
        }
    }

    private static void closeAll(SocketChannel[] channels) {
        for (SocketChannel c : channels) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing for cleanup only
                }
            }
        }
    }

    private static long openFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            return u.getMaxFileDescriptorCount();
        }
        return 4096;
    }

    /** Connections the kernel side can open: two descriptors each, 1,000 kept for the JVM. */
    private static int kernelLimit() {
        return (int) Math.max(100, Math.min(Integer.MAX_VALUE, (openFileLimit() - 1_000) / 2));
    }

    /**
     * With {@code -Dtsunagu.bench.histogram=true}: the heap's class histogram while the idle
     * connections are held (what {@code jcmd PID GC.class_histogram} prints), its top lines to
     * stderr: where the bytes per connection go.
     */
    private static void printHistogram() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {null}, new String[] {String[].class.getName()});
            text.toString().lines().limit(40).forEach(System.err::println);
        } catch (javax.management.JMException e) {
            System.err.println("idle: no class histogram: " + e);
        }
    }

    /** Heap in use after full collections, everything unreachable gone. */
    static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
