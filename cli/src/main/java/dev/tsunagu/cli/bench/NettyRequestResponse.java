package dev.tsunagu.cli.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * netty rr: {@link RequestResponse}'s one-byte ping-pong written the Netty way, both ends
 * handlers on their event loops (an echo server, a client that sends the next byte when the
 * answer arrives), on Tsunagu's provider over the cable and on the JDK's over 127.0.0.1.
 * Reports the median and 99th percentile round trip, and wake-ups per trip: the Netty loops'
 * voluntary context switches, plus on the Tsunagu side the stacks' loop wake-ups.
 */
final class NettyRequestResponse implements Scenario {
    private static final int PORT = 5003;

    private final int iterations;
    private final Metric median = new Metric("netty-rr.median", "netty rr median", "µs", false);
    private final Metric p99 = new Metric("netty-rr.p99", "netty rr p99", "µs", false);
    private final Metric wakeups = new Metric("netty-rr.wakeups", "netty rr wake-ups", "per trip", false);

    NettyRequestResponse(int iterations) {
        this.iterations = iterations;
    }

    @Override
    public String group() {
        return "netty";
    }

    @Override
    public String name() {
        return "netty rr";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(median, p99, wakeups);
    }

    @Override
    public Map<String, Double> tsunagu() throws Exception {
        try (CablePair pair = CablePair.open(1500);
             NettyLoops loops = NettyLoops.on(pair)) {
            return measure(loops, () -> WakeUps.loopWakeups(pair.client, pair.server));
        }
    }

    @Override
    public Map<String, Double> kernel() throws Exception {
        try (NettyLoops loops = NettyLoops.kernel()) {
            return measure(loops, () -> 0);
        }
    }

    private Map<String, Double> measure(NettyLoops loops, LongSupplier stackWakeups) throws Exception {
        var at = loops.listen(loops.serverAddress(PORT), new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg); // the byte back, as it came
                    }
                });
            }
        });
        Pinger pinger = new Pinger();
        Channel c = loops.connect(at, pinger);
        long switches = loops.voluntarySwitches();
        long stack = stackWakeups.getAsLong();
        c.eventLoop().execute(pinger::next);
        pinger.done.get(300, TimeUnit.SECONDS);
        long switchesAfter = loops.voluntarySwitches();
        double perTrip = switches < 0 || switchesAfter < 0 ? Double.NaN
                : (switchesAfter - switches + stackWakeups.getAsLong() - stack) / (double) iterations;
        c.close().sync();
        long[] rtt = pinger.rtt;
        Arrays.sort(rtt);
        return Map.of(median.key(), Stats.percentileSorted(rtt, 50) / 1000.0,
                p99.key(), Stats.percentileSorted(rtt, 99) / 1000.0,
                wakeups.key(), perTrip);
    }

    /** The client: one byte out, its echo in, timed, {@link #iterations} times. */
    private final class Pinger extends ChannelInboundHandlerAdapter {
        final long[] rtt = new long[iterations];
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private ChannelHandlerContext ctx;
        private int i;
        private long t0;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void next() {
            t0 = System.nanoTime();
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte(i));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                if (b.readableBytes() != 1 || b.readByte() != (byte) i) {
                    done.completeExceptionally(new IOException("netty rr: wrong answer at iteration " + i));
                    return;
                }
            } finally {
                b.release();
            }
            rtt[i++] = System.nanoTime() - t0;
            if (i == iterations) {
                done.complete(null);
            } else {
                next();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }
    }
}
