package dev.tsunagu.cli.bench;

import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Bulk transfer: {@code streams} connections in parallel, {@code bytes} in all, one way, in
 * 64 KiB writes; the clock runs from the first write until the receiver has read the last
 * byte (end of stream). Reports Gbit/s of application data.
 */
final class Bulk implements Scenario {
    static final int CHUNK = 64 * 1024;
    private static final int PORT = 5001;

    private final int mtu;
    /** The cable offers checksum and segmentation offload (a row of its own; off in the like-for-like rows). */
    private final boolean offloads;
    private final int streams;
    private final long bytes;
    private final Metric metric;
    private final Metric cpu;
    private final byte[] payload = new byte[CHUNK];

    Bulk(int mtu, int streams, long bytes) {
        this(mtu, false, streams, bytes);
    }

    Bulk(int mtu, boolean offloads, int streams, long bytes) {
        this.mtu = mtu;
        this.offloads = offloads;
        this.streams = streams;
        this.bytes = bytes;
        String key = "bulk" + (streams > 1 ? "x" + streams : "") + "-" + mtu + (offloads ? "-offload" : "");
        this.metric = new Metric(key + ".throughput", name(), "Gbit/s", true);
        this.cpu = new Metric(key + ".cpu", name() + " CPU", "s/GiB", false);
        new SplittableRandom(1).nextBytes(payload); // not all zeros: the checksums do real work
    }

    @Override
    public String group() {
        return streams > 1 ? "bulk8" : "bulk";
    }

    @Override
    public String name() {
        return "bulk" + (streams > 1 ? " x" + streams : "") + " mtu " + mtu + (offloads ? " offload" : "");
    }

    @Override
    public List<Metric> metrics() {
        return List.of(metric, cpu);
    }

    @Override
    public void warmUp() throws Exception {
        long small = Math.min(bytes, 128L << 20);
        run(true, small);
        run(false, small);
    }

    @Override
    public Map<String, Double> tsunagu() throws Exception {
        return run(true, bytes);
    }

    @Override
    public Map<String, Double> kernel() throws Exception {
        return run(false, bytes);
    }

    /** Buffers for Tsunagu: 4 MiB each way, comparable with what Linux autotunes to on loopback. */
    static TcpSocketOptions options() {
        return options(1);
    }

    /**
     * 4 MiB each way shared by the streams: what is in flight in all stays within what the
     * receiver's interface queue holds (4,096 frames; 8 × 4 MiB windows at MTU 1500 would be
     * 22,000 frames, dropped at the queue and recovered by timeouts). For experiments:
     * {@code -Dtsunagu.bench.bulkBuffer=BYTES} per stream, {@code -Dtsunagu.bench.drops=true}
     * reports queue drops.
     */
    static TcpSocketOptions options(int streams) {
        int each = Integer.getInteger("tsunagu.bench.bulkBuffer", Math.max(256 << 10, (4 << 20) / streams));
        return TcpSocketOptions.DEFAULT.withSendBuffer(each).withReceiveBuffer(each);
    }

    /** Frames dropped at the receive queues in the last Tsunagu run (a cable loses nothing else). */
    long lastDrops;

    /**
     * Gbit/s, and the CPU the whole process spent per GiB moved: both ends of the transfer
     * (both stacks and their loops, or the kernel's work done in the threads' system calls),
     * and the JVM's own threads on either side alike.
     */
    private Map<String, Double> run(boolean tsunagu, long total) throws Exception {
        long perStream = total / streams;
        List<Endpoint> senders = new ArrayList<>();
        List<Endpoint> receivers = new ArrayList<>();
        AutoCloseable setup = tsunagu ? tsunagu(senders, receivers) : kernel(senders, receivers);
        try (setup) {
            Workers w = new Workers();
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            for (int i = 0; i < streams; i++) {
                Endpoint s = senders.get(i);
                Endpoint r = receivers.get(i);
                w.start("send-" + i, () -> send(s.out, perStream, s));
                w.start("recv-" + i, () -> receive(r.in, perStream));
            }
            w.join(600_000);
            long nanos = System.nanoTime() - start;
            long cpuNanos = processCpuNanos() - cpuStart;
            if (setup instanceof CablePair pair) {
                lastDrops = pair.rxQueueDrops();
                if (lastDrops > 0 && Boolean.getBoolean("tsunagu.bench.drops")) {
                    System.err.println(name() + ": " + lastDrops + " frames dropped at a full receive queue");
                }
            }
            double moved = perStream * streams;
            return Map.of(metric.key(), moved * 8.0 / nanos, // bits per ns = Gbit/s
                    cpu.key(), cpuNanos < 0 ? Double.NaN : cpuNanos / 1e9 / (moved / (1L << 30)));
        }
    }

    /** CPU time of the whole process so far, or a negative number where the platform does not say. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private record Endpoint(InputStream in, OutputStream out, AutoCloseable closeOutput) {}

    private void send(OutputStream out, long n, Endpoint e) throws Exception {
        long left = n;
        while (left > 0) {
            int k = (int) Math.min(CHUNK, left);
            out.write(payload, 0, k);
            left -= k;
        }
        out.flush();
        e.closeOutput.close();
    }

    private static void receive(InputStream in, long expected) throws Exception {
        byte[] buf = new byte[CHUNK];
        long got = 0;
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            got += n;
        }
        if (got != expected) {
            throw new IllegalStateException("received " + got + " bytes, expected " + expected);
        }
    }

    private AutoCloseable tsunagu(List<Endpoint> senders, List<Endpoint> receivers) throws Exception {
        CablePair pair = CablePair.open(mtu, offloads);
        try {
            TcpServerSocket server = pair.server.tcp().listen(PORT, streams, options(streams));
            InetSocketAddress to = new InetSocketAddress(CablePair.SERVER_IP, PORT);
            for (int i = 0; i < streams; i++) {
                TcpSocket c = pair.client.tcp().connect(to, options(streams));
                TcpSocket s = server.accept();
                senders.add(new Endpoint(c.inputStream(), c.outputStream(), c::shutdownOutput));
                receivers.add(new Endpoint(s.inputStream(), s.outputStream(), s::close));
            }
            return pair;
        } catch (Exception | Error e) {
            pair.close();
            throw e;
        }
    }

    private AutoCloseable kernel(List<Endpoint> senders, List<Endpoint> receivers) throws Exception {
        List<AutoCloseable> all = new ArrayList<>();
        AutoCloseable closeAll = () -> {
            for (AutoCloseable c : all) {
                c.close();
            }
        };
        try {
            ServerSocket server = new ServerSocket(0, streams, InetAddress.getLoopbackAddress());
            all.add(server);
            for (int i = 0; i < streams; i++) {
                Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket s = server.accept();
                all.add(c);
                all.add(s);
                senders.add(new Endpoint(c.getInputStream(), c.getOutputStream(), c::shutdownOutput));
                receivers.add(new Endpoint(s.getInputStream(), s.getOutputStream(), s::close));
            }
            return closeAll;
        } catch (Exception | Error e) {
            closeAll.close();
            throw e;
        }
    }
}
