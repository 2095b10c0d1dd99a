package dev.tsunagu.tcp.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bulk transfer between two stacks on a clean jumbo-frame cable, each stack on its own
 * threaded loop: the sender streams bytes from a seeded PRNG, hashing what it writes, the
 * receiver hashes what it reads; the two SHA-256 digests must be equal. Nothing is held in
 * memory but one chunk on each side.
 *
 * <p>{@code -Dtsunagu.bulk.bytes=N} sets the size (default 1 GiB, a few seconds on a 2-core
 * machine), {@code -Dtsunagu.bulk.mtu=M} the cable MTU (default 65535, a little faster than 9000
 * when measured), {@code -Dtsunagu.bulk.buffer=B} the socket buffers (default 4 MiB),
 * {@code -Dtsunagu.bulk.seed=S} the data. The throughput goes to stderr.
 */
class BulkTransferTest {
    static final long BYTES = Long.getLong("tsunagu.bulk.bytes", 1L << 30);
    static final int MTU = Integer.getInteger("tsunagu.bulk.mtu", 65535);
    static final long SEED = Long.getLong("tsunagu.bulk.seed", 0x5EED_B01CL);
    static final int BUFFER = Integer.getInteger("tsunagu.bulk.buffer", 4 << 20);
    static final int CHUNK = 256 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private NetworkStack sender;
    private NetworkStack receiver;

    @AfterEach
    void tearDown() {
        if (sender != null) {
            sender.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // a guard for hand-run sizes; the default takes seconds
    void aBulkTransferArrivesIntact() throws Exception {
        String cable = "cable:bulk-" + System.nanoTime() + ",mtu=" + MTU;
        String note = BYTES + " bytes, MTU " + MTU + ", buffers " + BUFFER + ", seed " + SEED
                + " (-Dtsunagu.bulk.bytes=" + BYTES + " -Dtsunagu.bulk.mtu=" + MTU + " -Dtsunagu.bulk.seed=" + SEED + ")";
        receiver = NetworkStack.builder().name("bulk-receiver").seed(SEED + 1).addInterface(cable, "10.78.0.1/24")
                .buildUnchecked();
        sender = NetworkStack.builder().name("bulk-sender").seed(SEED + 2).addInterface(cable, "10.78.0.2/24")
                .buildUnchecked();
        assertThat(sender.primaryInterface().mtu()).isEqualTo(MTU);

        TcpSocketOptions options = TcpSocketOptions.DEFAULT.withSendBuffer(BUFFER).withReceiveBuffer(BUFFER)
                .withConnectTimeout(Duration.ofSeconds(30));
        TcpServerSocket listener = receiver.tcp().listen(9, 4, options);
        CompletableFuture<TcpSocket> acceptedF = listener.acceptAsync();
        TcpSocket out = sender.tcp().connect(new InetSocketAddress("10.78.0.1", 9), options);
        TcpSocket in = acceptedF.get(30, TimeUnit.SECONDS);
        SocketInfo row = sender.sockets().stream().filter(r -> "ESTABLISHED".equals(r.state())).findFirst().orElseThrow();
        // The MTU less IP and TCP headers, less the Timestamps option every segment carries.
        assertThat(Integer.parseInt(row.details().get("mss"))).as("MSS from the jumbo MTU").isEqualTo(MTU - 40 - 12);

        CompletableFuture<byte[]> receivedDigest = new CompletableFuture<>();
        CompletableFuture<Long> receivedBytes = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().name("bulk-reader").start(() -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[CHUNK];
                long total = 0;
                int n;
                while ((n = in.read(buf, 0, buf.length, Duration.ofSeconds(60))) >= 0) {
                    sha.update(buf, 0, n);
                    total += n;
                }
                in.close();
                receivedBytes.complete(total);
                receivedDigest.complete(sha.digest());
            } catch (Throwable e) {
                receivedBytes.completeExceptionally(e);
                receivedDigest.completeExceptionally(e);
            }
        });

        long start = System.nanoTime();
        CompletableFuture<byte[]> sentDigest = new CompletableFuture<>();
        Thread writer = Thread.ofVirtual().name("bulk-writer").start(() -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                SplittableRandom prng = new SplittableRandom(SEED);
                byte[] chunk = new byte[CHUNK];
                long left = BYTES;
                while (left > 0) {
                    int n = (int) Math.min(CHUNK, left);
                    fill(prng, chunk, n);
                    sha.update(chunk, 0, n);
                    out.write(chunk, 0, n); // returns once every byte is in the send buffer: chunk is free again
                    left -= n;
                }
                out.close(); // FIN after the data
                sentDigest.complete(sha.digest());
            } catch (Throwable e) {
                sentDigest.completeExceptionally(e);
            }
        });

        // At most a minute per GiB (at least a minute): the default size must stay well inside it.
        long limitSeconds = Math.max(60, BYTES * 60 / (1L << 30));
        byte[] sent = sentDigest.get(limitSeconds, TimeUnit.SECONDS);
        long total = receivedBytes.get(limitSeconds, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        byte[] received = receivedDigest.get();
        writer.join();
        reader.join();
        double seconds = elapsed / 1e9;
        System.err.printf("BulkTransferTest: %d MiB in %.2f s = %.2f Gbit/s (%s; sender tcp RetransSegs %d)%n",
                BYTES >> 20, seconds, BYTES * 8 / seconds / 1e9, note, sender.statistics().get("tcp", "RetransSegs"));

        if (sender.statistics().get("tcp", "RetransSegs") > 0 || Boolean.getBoolean("tsunagu.bulk.verbose")) {
            // A clean cable should need no retransmission: say where the loss came from.
            System.err.println("BulkTransferTest: sender " + sender.statistics().groups() + "\n  receiver "
                    + receiver.statistics().groups());
        }
        assertThat(total).as(note).isEqualTo(BYTES);
        assertThat(HexFormat.of().formatHex(received)).as("SHA-256 received vs sent; %s", note)
                .isEqualTo(HexFormat.of().formatHex(sent));
        out.closeFuture().get(30, TimeUnit.SECONDS);
        listener.close();
        assertThat(sender.statistics().get("loop", "Errors")).as("sender loop errors").isZero();
        assertThat(receiver.statistics().get("loop", "Errors")).as("receiver loop errors").isZero();
    }

    /** The next {@code n} bytes of the stream, drawn from {@code prng} eight at a time. */
    private static void fill(SplittableRandom prng, byte[] chunk, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            LONGS.set(chunk, i, prng.nextLong());
        }
        if (i < n) {
            long last = prng.nextLong();
            for (; i < n; i++, last >>>= 8) {
                chunk[i] = (byte) last;
            }
        }
    }
}
