package dev.tsunagu.examples.code.driver;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Uses the third-party {@code pipe} driver ({@link PipeDriverProvider}) by its spec alone: two
 * stacks each ask for {@code pipe:NAME}, ARP finds the neighbour through it, a ping crosses it
 * and a megabyte of TCP follows. Nothing here refers to the driver's classes except to read its
 * counters at the end.
 */
public final class PipeExample {
    /**
     * What crossed the pipe.
     *
     * @param ping how the echo request ended
     * @param bytesSent TCP payload bytes written by the left stack
     * @param bytesReceived TCP payload bytes read by the right stack
     * @param sameData whether the bytes read equal the bytes written (CRC-32 of both)
     * @param left the left end's counters, as text
     * @param right the right end's counters, as text
     * @param leftDriver the left stack's interface driver name
     */
    public record Result(PingResult ping, long bytesSent, long bytesReceived, boolean sameData,
                         String left, String right, String leftDriver) {}

    private PipeExample() {}

    public static void main(String[] args) throws Exception {
        Result r = run("example", 1 << 20);
        System.out.println("interface driver: " + r.leftDriver());
        System.out.println("ping: " + r.ping());
        System.out.println("TCP: sent " + r.bytesSent() + " bytes, received " + r.bytesReceived()
                + " bytes" + (r.sameData() ? ", identical" : ", DIFFERENT"));
        System.out.println("left end:  " + r.left());
        System.out.println("right end: " + r.right());
    }

    /** Joins two stacks by {@code pipe:<pipeName>}, pings across and sends {@code bytes} of TCP. */
    public static Result run(String pipeName, int bytes) throws Exception {
        String spec = "pipe:" + pipeName;
        try (NetworkStack left = NetworkStack.builder().name("left").addInterface(spec, "192.168.7.1/24").build();
             NetworkStack right = NetworkStack.builder().name("right").addInterface(spec, "192.168.7.2/24").build()) {
            // ICMP echo (stack-ip's PingService): ARP request and reply first, then the echo pair.
            PingResult ping = left.service(PingService.class).orElseThrow()
                    .ping(Ipv4Address.parse("192.168.7.2"), 56, Duration.ofSeconds(5))
                    .get(10, TimeUnit.SECONDS);

            // A megabyte of TCP: the pipe's bounded queues are the wire.
            byte[] data = new byte[bytes];
            new Random(7).nextBytes(data);
            CRC32 sentCrc = new CRC32();
            sentCrc.update(data);
            try (TcpServerSocket listener = right.tcp().listen(9)) {
                CompletableFuture<long[]> read = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try (TcpSocket s = listener.accept()) {
                        CRC32 crc = new CRC32();
                        byte[] buffer = new byte[16384];
                        long total = 0;
                        int n;
                        while ((n = s.read(buffer, 0, buffer.length)) >= 0) {
                            crc.update(buffer, 0, n);
                            total += n;
                        }
                        read.complete(new long[] {total, crc.getValue()});
                    } catch (Exception e) {
                        read.completeExceptionally(e);
                    }
                });
                try (TcpSocket s = left.tcp().connect(new InetSocketAddress("192.168.7.2", 9))) {
                    s.write(data);
                } // close: FIN after the data, so the reader sees the end
                long[] got = read.get(60, TimeUnit.SECONDS);
                PipeDriver l = (PipeDriver) left.primaryInterface().driver();
                PipeDriver r = (PipeDriver) right.primaryInterface().driver();
                return new Result(ping, bytes, got[0], got[1] == sentCrc.getValue(), l.toString(), r.toString(), l.name());
            }
        }
    }
}
