package dev.tsunagu.bench;

import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Full-size segments through the whole path, on one virtual event loop (no threads, so the
 * figure is CPU work only): the application's write into the send buffer, segmentation with
 * the TCP and IPv4 checksums, Ethernet and the ARP lookup, the cable's copy into the peer's
 * buffer, the peer's Ethernet, IPv4 and TCP input with the checksums verified, the receive
 * buffer, the ACK back and its processing, and the application's read.
 *
 * <p>Each operation moves {@code segments} full segments (one write and reads until they are
 * all in), so {@code -prof gc}'s {@code gc.alloc.rate.norm} divided by {@code segments} is the
 * allocation per segment; the futures of the one write and the reads are per operation.
 */
public class SegmentPathBenchmark extends NanosecondBenchmark {
    @Param({"1500"})
    int mtu;

    @Param({"16"})
    int segments;

    VirtualEventLoop loop;
    NetworkStack client;
    NetworkStack server;
    TcpSocket sender;
    TcpSocket receiver;
    byte[] data;
    byte[] sink;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loop = new VirtualEventLoop();
        String cable = "cable:segment-bench,mtu=" + mtu;
        server = NetworkStack.builder().name("server").eventLoop(loop).addInterface(cable, "10.79.0.2/24").buildUnchecked();
        client = NetworkStack.builder().name("client").eventLoop(loop).addInterface(cable, "10.79.0.1/24").buildUnchecked();
        TcpSocketOptions options = TcpSocketOptions.DEFAULT.withSendBuffer(1 << 20).withReceiveBuffer(1 << 20);
        TcpServerSocket listener = server.tcp().listen(80, 4, options);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        CompletableFuture<TcpSocket> connected = client.tcp().connectAsync(new InetSocketAddress("10.79.0.2", 80), options);
        loop.runUntilIdle();
        sender = connected.getNow(null);
        receiver = accepted.getNow(null);
        if (sender == null || receiver == null) {
            throw new IllegalStateException("no connection on the virtual cable");
        }
        data = new byte[segments * (mtu - 40)];
        new java.util.SplittableRandom(5).nextBytes(data);
        sink = new byte[data.length];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        server.close();
        loop.close();
    }

    @Benchmark
    public int segments() {
        CompletableFuture<Void> w = sender.writeAsync(data, 0, data.length);
        int got = 0;
        while (got < data.length) {
            CompletableFuture<Integer> r = receiver.readAsync(sink, got, sink.length - got);
            loop.runUntilIdle();
            Integer n = r.getNow(null);
            if (n == null || n < 0) {
                // Nothing moved without time passing (a delayed ACK or the like): let it.
                loop.advanceNanos(TimeUnit.MILLISECONDS.toNanos(50));
                n = r.join();
            }
            got += n;
        }
        if (!w.isDone()) {
            throw new IllegalStateException("write did not complete");
        }
        return got;
    }
}
