package dev.tsunagu.cli.bench;

import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.TcpOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two stacks on a fresh in-memory cable of the given MTU, each on its own threaded event loop
 * (the default when no loop is given): a client at 10.77.0.1 and a server at 10.77.0.2.
 *
 * <p>The cable copies every frame into the receiver's buffers and carries it as is: the
 * sender computes the IPv4 and TCP checksums, the receiver verifies them (there is no
 * checksum offload on this path), just as over a wire. The {@code offload} rows ask the cable for
 * checksum and segmentation offload instead (segments of up to 64 KiB, checksums left partial),
 * as two guests on one host exchange them through virtio.
 */
final class CablePair implements AutoCloseable {
    static final String SERVER_IP = "10.77.0.2";
    private static final AtomicInteger CABLES = new AtomicInteger();
    /** {@code bench --trace}: both stacks trace every connection into a sink that counts (the trace's own cost). */
    static volatile boolean traced;

    final NetworkStack client;
    final NetworkStack server;

    private CablePair(NetworkStack client, NetworkStack server) {
        this.client = client;
        this.server = server;
    }

    static CablePair open(int mtu) {
        return open(mtu, false);
    }

    /** With {@code offloads}, the cable offers checksum and segmentation offload ({@code cable:NAME,offload=on}). */
    static CablePair open(int mtu, boolean offloads) {
        String spec = "cable:bench-" + CABLES.incrementAndGet() + ",mtu=" + mtu + (offloads ? ",offload=on" : "");
        NetworkStack server = NetworkStack.builder().name("bench-server").addInterface(spec, SERVER_IP + "/24")
                // crr makes thousands of connections per round: the client side keeps them in
                // TIME_WAIT for 2 MSL; a short MSL keeps the tables (and the port scan) small.
                .option(TcpOptions.MSL, Duration.ofSeconds(5))
                .buildUnchecked();
        try {
            NetworkStack client = NetworkStack.builder().name("bench-client").addInterface(spec, "10.77.0.1/24")
                    .option(TcpOptions.MSL, Duration.ofSeconds(5))
                    .buildUnchecked();
            if (traced) {
                for (NetworkStack s : new NetworkStack[] {client, server}) {
                    long[] events = new long[1]; // each stack's sink runs on that stack's loop only
                    s.tcp().trace(e -> events[0]++);
                }
            }
            return new CablePair(client, server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Frames both stacks dropped because an interface's receive queue was full (the rest of the loss is nil on a cable). */
    long rxQueueDrops() {
        long n = 0;
        for (NetworkStack s : new NetworkStack[] {client, server}) {
            for (var group : s.statistics().groups().entrySet()) {
                Long d = group.getValue().get("RxQueueDrops");
                if (d != null) {
                    n += d;
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
