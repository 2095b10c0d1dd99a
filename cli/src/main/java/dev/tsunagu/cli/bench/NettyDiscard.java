package dev.tsunagu.cli.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * netty discard: {@link Bulk} written the Netty way, at MTU 1500: the client writes
 * {@code bytes} in 64 KiB direct buffers for as long as its channel is writable and resumes
 * when it becomes writable again; the server's handler counts and drops what it reads. The clock
 * runs from the first write until the server has read the last byte. Reports Gbit/s and the CPU
 * the process spent per GiB, as the bulk rows do.
 */
final class NettyDiscard implements Scenario {
    private static final int PORT = 5004;

    private final long bytes;
    private final Metric throughput = new Metric("netty-discard.throughput", "netty discard mtu 1500", "Gbit/s", true);
    private final Metric cpu = new Metric("netty-discard.cpu", "netty discard CPU", "s/GiB", false);
    private final ByteBuf payload;

    NettyDiscard(long bytes) {
        this.bytes = bytes;
        byte[] random = new byte[Bulk.CHUNK];
        new SplittableRandom(1).nextBytes(random); // not all zeros: the checksums do real work
        this.payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(Bulk.CHUNK).writeBytes(random));
    }

    @Override
    public String group() {
        return "netty";
    }

    @Override
    public String name() {
        return "netty discard";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(throughput, cpu);
    }

    @Override
    public void warmUp() throws Exception {
        long small = Math.min(bytes, 128L << 20);
        try (CablePair pair = CablePair.open(1500); NettyLoops loops = NettyLoops.on(pair)) {
            measure(loops, small);
        }
        try (NettyLoops loops = NettyLoops.kernel()) {
            measure(loops, small);
        }
    }

    @Override
    public Map<String, Double> tsunagu() throws Exception {
        try (CablePair pair = CablePair.open(1500); NettyLoops loops = NettyLoops.on(pair)) {
            return measure(loops, bytes);
        }
    }

    @Override
    public Map<String, Double> kernel() throws Exception {
        try (NettyLoops loops = NettyLoops.kernel()) {
            return measure(loops, bytes);
        }
    }

    private Map<String, Double> measure(NettyLoops loops, long total) throws Exception {
        CompletableFuture<Long> received = new CompletableFuture<>();
        var at = loops.listen(loops.serverAddress(PORT), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    private long got;

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        got += b.readableBytes();
                        b.release();
                        if (got >= total) {
                            received.complete(got);
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        received.completeExceptionally(new IOException("netty discard: closed after " + got + " bytes"));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        received.completeExceptionally(cause);
                    }
                });
            }
        });
        Sender sender = new Sender(total, received);
        Channel c = loops.connect(at, sender);
        long cpuStart = Bulk.processCpuNanos();
        long start = System.nanoTime();
        c.eventLoop().execute(sender::pump);
        long got = received.get(600, TimeUnit.SECONDS);
        long nanos = System.nanoTime() - start;
        long cpuNanos = Bulk.processCpuNanos() - cpuStart;
        c.close().sync();
        if (got != total) {
            throw new IllegalStateException("netty discard: received " + got + " bytes, expected " + total);
        }
        return Map.of(throughput.key(), total * 8.0 / nanos, // bits per ns = Gbit/s
                cpu.key(), cpuNanos < 0 ? Double.NaN : cpuNanos / 1e9 / ((double) total / (1L << 30)));
    }

    /** The client: writes while the channel is writable, then waits for it to be again. */
    private final class Sender extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Long> failure;
        private ChannelHandlerContext ctx;
        private long left;

        Sender(long total, CompletableFuture<Long> failure) {
            this.left = total;
            this.failure = failure;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void pump() {
            while (left > 0 && ctx.channel().isWritable()) {
                int k = (int) Math.min(Bulk.CHUNK, left);
                ctx.write(payload.slice(0, k));
                left -= k;
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                pump();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure.completeExceptionally(cause);
        }
    }
}
