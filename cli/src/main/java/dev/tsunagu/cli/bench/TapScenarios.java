package dev.tsunagu.cli.bench;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code bench --driver tap} (root): a kernel socket talking to a Tsunagu socket over a TAP,
 * beside a kernel socket talking to a kernel socket over a veth pair, in the same run.
 *
 * <pre>
 *  namespace T: kernel 10.98.0.1 ── TAP ── this JVM's stack 10.98.0.2 (the TAP's fd stays with us)
 *  namespace A: kernel 10.97.0.1 ── veth ── namespace B: kernel 10.97.0.2
 * </pre>
 *
 * <p>The kernel ends are JDK sockets made on threads that joined the namespaces
 * ({@link NetNamespace#call}). bulk: the kernel client writes {@code bytes} in 64 KiB writes to
 * the server (Tsunagu's, or the other kernel namespace's). rr: the kernel client's one-byte
 * ping-pong with no-delay; Tsunagu answers on the blocking API from a virtual thread, as
 * {@code tsunagu serve} does ({@code tap rr}), or from a callback on its loop ({@code tap rr
 * async}). Everything runs with the machine's offloads as they are (veth keeps its segmentation
 * offloads; the TAP takes the kernel's checksum and segmentation offloads unless
 * {@code -Dtsunagu.tap.offload=off}), at MTU 1500.
 *
 * <p>Beside the speeds: bulk's CPU seconds per GiB (the whole process, both ends, as in
 * {@link Bulk}); rr's wake-ups per round trip (voluntary context switches of every thread of the
 * process but the client's: the server side, Tsunagu's loop, reader and echo threads or the
 * kernel's echo thread); and Tsunagu's system calls on the TAP per frame (the driver's reads,
 * writes, polls and eventfd calls, from the interface's counters, over the frames it moved).
 * The TAP driver's receive mode follows {@code -Dtsunagu.tap.rx} ({@code loop} by default, or
 * {@code thread}), so a before-and-after comparison comes from one build.
 */
final class TapScenarios implements AutoCloseable {
    private static final String TAP_KERNEL = "10.98.0.1";
    private static final String TAP_STACK = "10.98.0.2";
    private static final String VETH_A = "10.97.0.1";
    private static final String VETH_B = "10.97.0.2";

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private NetNamespace tapNs;
    private NetNamespace nsA;
    private NetNamespace nsB;
    private NetworkStack stack;
    private final long bytes;
    private final int rrIterations;

    private TapScenarios(long bytes, int rrIterations) {
        this.bytes = bytes;
        this.rrIterations = rrIterations;
    }

    static TapScenarios prepare(boolean quick, long bytes, PrintWriter out) throws Exception {
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            throw new IllegalStateException("bench --driver tap needs /dev/net/tun (Linux with the tun module)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("bench --driver tap needs root (network namespaces, TAP and veth devices)");
        }
        TapScenarios t = new TapScenarios(bytes, quick ? 2_000 : 20_000);
        try {
            t.setUp();
        } catch (Exception | Error e) {
            t.close();
            throw e;
        }
        out.println("tap: kernel " + TAP_KERNEL + " (netns " + t.tapNs.name + ") ↔ TAP ↔ Tsunagu " + TAP_STACK
                + "; baseline: kernel " + VETH_A + " (netns " + t.nsA.name + ") ↔ veth ↔ kernel " + VETH_B
                + " (netns " + t.nsB.name + ")");
        return t;
    }

    private void setUp() throws Exception {
        String tag = Long.toString(ProcessHandle.current().pid());
        tapNs = NetNamespace.create("tsu-bench-t" + tag);
        cleanup.add(tapNs);
        nsA = NetNamespace.create("tsu-bench-a" + tag);
        cleanup.add(nsA);
        nsB = NetNamespace.create("tsu-bench-b" + tag);
        cleanup.add(nsB);

        // The TAP driver by its spec (the cli module does not read driver-tap's module):
        // the stack creates the device, up and addressed so that its first frames go somewhere,
        // and it then moves into namespace T (which clears both); its fd stays here.
        String dev = "tsub" + (Integer.parseInt(tag) % 100_000);
        stack = NetworkStack.builder().name("bench-tap")
                .addInterface("tap:" + dev + ",up=" + TAP_KERNEL + "/24", TAP_STACK + "/24").build();
        cleanup.addFirst(stack);
        NetNamespace.sh("ip", "link", "set", dev, "netns", tapNs.name);
        tapNs.exec("ip", "addr", "add", TAP_KERNEL + "/24", "dev", dev);
        tapNs.exec("ip", "link", "set", dev, "up");

        NetNamespace.sh("ip", "link", "add", "tsuva", "netns", nsA.name, "type", "veth", "peer", "name", "tsuvb",
                "netns", nsB.name);
        nsA.exec("ip", "addr", "add", VETH_A + "/24", "dev", "tsuva");
        nsB.exec("ip", "addr", "add", VETH_B + "/24", "dev", "tsuvb");
        nsA.exec("ip", "link", "set", "tsuva", "up");
        nsB.exec("ip", "link", "set", "tsuvb", "up");
    }

    List<Scenario> scenarios(Set<String> chosen) {
        List<Scenario> list = new ArrayList<>();
        if (chosen.contains("bulk")) {
            list.add(new TapBulk());
        }
        if (chosen.contains("rr")) {
            list.add(new TapRr(false));
            list.add(new TapRr(true));
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("--driver tap runs bulk and rr only");
        }
        return list;
    }

    /** The TAP interface's system calls and frames so far. */
    private long[] tapCounts() {
        String g = "if." + stack.primaryInterface().name();
        var s = stack.statistics();
        return new long[] {s.get(g, "SysReads") + s.get(g, "SysWrites") + s.get(g, "SysPolls") + s.get(g, "SysEventFd"),
            s.get(g, "RxFrames") + s.get(g, "TxFrames")};
    }

    /** System calls per frame since {@code before} ({@link #tapCounts}). */
    private double syscallsPerFrame(long[] before) {
        long[] now = tapCounts();
        long frames = now[1] - before[1];
        return frames <= 0 ? Double.NaN : (now[0] - before[0]) / (double) frames;
    }

    @Override
    public void close() {
        for (AutoCloseable c : cleanup) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("bench: cleanup: " + e.getMessage());
            }
        }
        cleanup.clear();
    }

    private final class TapBulk implements Scenario {
        private final Metric metric = new Metric("tap-bulk.throughput", "tap bulk mtu 1500", "Gbit/s", true);
        private final Metric cpu = new Metric("tap-bulk.cpu", "tap bulk CPU", "s/GiB", false);
        private final Metric syscalls = new Metric("tap-bulk.syscalls", "tap bulk syscalls", "per frame", false);
        private final byte[] payload = new byte[Bulk.CHUNK];

        TapBulk() {
            new SplittableRandom(2).nextBytes(payload);
        }

        @Override
        public String group() {
            return "bulk";
        }

        @Override
        public String name() {
            return "tap bulk";
        }

        @Override
        public List<Metric> metrics() {
            return List.of(metric, cpu, syscalls);
        }

        @Override
        public void warmUp() throws Exception {
            runTsunagu(Math.min(bytes, 128L << 20));
            runKernel(Math.min(bytes, 128L << 20));
        }

        @Override
        public Map<String, Double> tsunagu() throws Exception {
            return runTsunagu(bytes);
        }

        @Override
        public Map<String, Double> kernel() throws Exception {
            return runKernel(bytes);
        }

        private Map<String, Double> runTsunagu(long n) throws Exception {
            try (TcpServerSocket server = stack.tcp().listen(5101, 1, Bulk.options())) {
                Socket client = tapNs.call(() -> new Socket(TAP_STACK, 5101));
                try (client; TcpSocket s = server.accept()) {
                    long[] before = tapCounts();
                    Map<String, Double> m = new HashMap<>(
                            transfer(client.getOutputStream(), client::shutdownOutput, s.inputStream(), n));
                    m.put(syscalls.key(), syscallsPerFrame(before));
                    return m;
                }
            }
        }

        private Map<String, Double> runKernel(long n) throws Exception {
            try (ServerSocket server = nsB.call(() -> new ServerSocket(5102, 1, InetAddress.getByName(VETH_B)))) {
                Socket client = nsA.call(() -> new Socket(VETH_B, 5102));
                try (client; Socket s = server.accept()) {
                    return transfer(client.getOutputStream(), client::shutdownOutput, s.getInputStream(), n);
                }
            }
        }

        private Map<String, Double> transfer(OutputStream out, AutoCloseable shutdown, InputStream in, long n)
                throws Exception {
            Workers w = new Workers();
            long cpuStart = Bulk.processCpuNanos();
            long start = System.nanoTime();
            w.start("tap-send", () -> {
                long left = n;
                while (left > 0) {
                    int k = (int) Math.min(payload.length, left);
                    out.write(payload, 0, k);
                    left -= k;
                }
                out.flush();
                shutdown.close();
            });
            w.start("tap-recv", () -> {
                byte[] buf = new byte[Bulk.CHUNK];
                long got = 0;
                int k;
                while ((k = in.read(buf, 0, buf.length)) >= 0) {
                    got += k;
                }
                if (got != n) {
                    throw new IOException("tap bulk: received " + got + " of " + n + " bytes");
                }
            });
            w.join(600_000);
            long nanos = System.nanoTime() - start;
            long cpuNanos = Bulk.processCpuNanos() - cpuStart;
            return Map.of(metric.key(), n * 8.0 / nanos,
                    cpu.key(), cpuStart < 0 ? Double.NaN : cpuNanos / 1e9 / (n / (double) (1L << 30)));
        }
    }

    private final class TapRr implements Scenario {
        private final boolean async;
        private final int port;
        private final Metric median;
        private final Metric p99;
        private final Metric wakeups;
        private final Metric syscalls;

        TapRr(boolean async) {
            this.async = async;
            this.port = async ? 5105 : 5103;
            String key = async ? "tap-rr-async" : "tap-rr";
            String label = async ? "tap rr async" : "tap rr";
            median = new Metric(key + ".median", label + " median", "µs", false);
            p99 = new Metric(key + ".p99", label + " p99", "µs", false);
            wakeups = new Metric(key + ".wakeups", label + " wake-ups", "per trip", false);
            syscalls = new Metric(key + ".syscalls", label + " syscalls", "per frame", false);
        }

        @Override
        public String group() {
            return "rr";
        }

        @Override
        public String name() {
            return async ? "tap rr async" : "tap rr";
        }

        @Override
        public List<Metric> metrics() {
            return List.of(median, p99, wakeups, syscalls);
        }

        @Override
        public Map<String, Double> tsunagu() throws Exception {
            TcpSocketOptions options = TcpSocketOptions.DEFAULT.withNoDelay(true);
            try (TcpServerSocket server = stack.tcp().listen(port, 1, options)) {
                Socket client = tapNs.call(() -> new Socket(TAP_STACK, port));
                try (client; TcpSocket s = server.accept()) {
                    client.setTcpNoDelay(true);
                    Thread echo = null;
                    if (async) {
                        echoAsync(s, new byte[1]);
                    } else {
                        // as `tsunagu serve` answers: the blocking API on a virtual thread
                        echo = Thread.ofVirtual().name("tap-rr-echo").start(() -> echoBlocking(s));
                    }
                    long[] before = tapCounts();
                    Map<String, Double> m = new HashMap<>(pingPong(client));
                    m.put(syscalls.key(), syscallsPerFrame(before));
                    client.shutdownOutput();
                    if (echo != null) {
                        echo.join(10_000);
                    }
                    return m;
                }
            }
        }

        @Override
        public Map<String, Double> kernel() throws Exception {
            try (ServerSocket server = nsB.call(() -> new ServerSocket(5104, 1, InetAddress.getByName(VETH_B)))) {
                Socket client = nsA.call(() -> new Socket(VETH_B, 5104));
                try (client; Socket s = server.accept()) {
                    client.setTcpNoDelay(true);
                    s.setTcpNoDelay(true);
                    Workers w = new Workers();
                    w.start("tap-rr-echo", () -> {
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream();
                        int b;
                        while ((b = in.read()) >= 0) {
                            out.write(b);
                        }
                    });
                    Map<String, Double> r = pingPong(client);
                    client.shutdownOutput();
                    w.join(10_000);
                    return r;
                }
            }
        }

        private void echoAsync(TcpSocket s, byte[] buf) {
            s.readAsync(buf, 0, 1).thenAccept(n -> {
                if (n > 0) {
                    s.writeAsync(buf, 0, 1).thenRun(() -> echoAsync(s, buf));
                }
            });
        }

        private static void echoBlocking(TcpSocket s) {
            try {
                InputStream in = s.inputStream();
                OutputStream out = s.outputStream();
                int b;
                while ((b = in.read()) >= 0) {
                    out.write(b);
                    out.flush();
                }
            } catch (IOException e) {
                // the round is over (the client went away); its figures tell if it failed
            }
        }

        /**
         * The client's round trips, timed one by one; and the wake-ups of the server side: every
         * thread's voluntary context switches but the client's own, per trip.
         */
        private Map<String, Double> pingPong(Socket client) throws IOException {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            long[] rtt = new long[rrIterations];
            long all0 = WakeUps.voluntarySwitchesOfProcess();
            long mine0 = WakeUps.voluntarySwitchesOfThisThread();
            for (int i = 0; i < rrIterations; i++) {
                long t0 = System.nanoTime();
                out.write(i & 0xFF);
                if (in.read() != (i & 0xFF)) {
                    throw new IOException("tap rr: wrong byte back at iteration " + i);
                }
                rtt[i] = System.nanoTime() - t0;
            }
            long mine = WakeUps.voluntarySwitchesOfThisThread() - mine0;
            long all = WakeUps.voluntarySwitchesOfProcess() - all0;
            Arrays.sort(rtt);
            return Map.of(median.key(), Stats.percentileSorted(rtt, 50) / 1000.0,
                    p99.key(), Stats.percentileSorted(rtt, 99) / 1000.0,
                    wakeups.key(), all0 < 0 || mine0 < 0 ? Double.NaN : (all - mine) / (double) rrIterations);
        }
    }
}
