package dev.tsunagu.cli.bench;

import dev.tsunagu.jdk.TsunaguSelectorProvider;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/**
 * Netty's stock NIO transport, unmodified, as an application sets it up: a server and a client
 * event loop group of one thread each, every loop and channel made by one {@link SelectorProvider}
 * per side. On the Tsunagu side each side's provider is a {@link TsunaguSelectorProvider} on its
 * stack of a {@link CablePair}; on the kernel side both are the JDK's own provider.
 */
final class NettyLoops implements AutoCloseable {
    /** What the Tsunagu side's channels ask for with SO_SNDBUF / SO_RCVBUF: {@link Bulk#options()}'s 4 MiB. */
    private static final int TSUNAGU_BUFFER = 4 << 20;

    private final SelectorProvider serverProvider;
    private final SelectorProvider clientProvider;
    private final boolean tsunagu;
    final EventLoopGroup server;
    final EventLoopGroup client;

    private NettyLoops(SelectorProvider serverProvider, SelectorProvider clientProvider, boolean tsunagu) {
        this.serverProvider = serverProvider;
        this.clientProvider = clientProvider;
        this.tsunagu = tsunagu;
        this.server = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(serverProvider));
        this.client = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(clientProvider));
    }

    /** Netty on the two stacks of {@code pair}. */
    static NettyLoops on(CablePair pair) {
        return new NettyLoops(new TsunaguSelectorProvider(pair.server), new TsunaguSelectorProvider(pair.client), true);
    }

    /** Netty on the JDK's own provider (the kernel's sockets). */
    static NettyLoops kernel() {
        return new NettyLoops(SelectorProvider.provider(), SelectorProvider.provider(), false);
    }

    /** Where the server listens: the cable's server stack, or the kernel's 127.0.0.1 (an ephemeral port). */
    InetSocketAddress serverAddress(int port) {
        return tsunagu ? new InetSocketAddress(InetAddress.ofLiteral(CablePair.SERVER_IP), port)
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * A listener at {@code at}, its accepted channels' pipelines starting with {@code handler};
     * returns the address it is bound to. No-delay on every accepted channel; on the Tsunagu side
     * 4 MiB buffers as the bulk rows give it (the kernel's stay autotuned, as in those rows).
     */
    InetSocketAddress listen(InetSocketAddress at, ChannelHandler handler) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(server)
                .channelFactory(() -> new NioServerSocketChannel(serverProvider))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(handler);
        if (tsunagu) {
            b.option(ChannelOption.SO_RCVBUF, TSUNAGU_BUFFER);
        }
        return (InetSocketAddress) b.bind(at).sync().channel().localAddress();
    }

    /** A client connected to {@code to}, its pipeline {@code handler}. */
    Channel connect(InetSocketAddress to, ChannelHandler handler) throws InterruptedException {
        Bootstrap b = new Bootstrap().group(client)
                .channelFactory(() -> new NioSocketChannel(clientProvider))
                .option(ChannelOption.TCP_NODELAY, true)
                // Writable while under 1 MiB queued (Netty's default, 64 KiB, is one write of the discard row)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 << 10, 1 << 20))
                .handler(handler);
        if (tsunagu) {
            b.option(ChannelOption.SO_SNDBUF, TSUNAGU_BUFFER);
        }
        return b.connect(to).sync().channel();
    }

    /**
     * Voluntary context switches of both groups' loop threads so far (each counted on its own
     * thread), or -1 where unknown: Netty's loops are the measurement's application threads.
     */
    long voluntarySwitches() throws Exception {
        long n = 0;
        for (EventLoopGroup g : new EventLoopGroup[] {server, client}) {
            long s = g.next().submit(WakeUps::voluntarySwitchesOfThisThread).get(10, TimeUnit.SECONDS);
            if (s < 0) {
                return -1;
            }
            n += s;
        }
        return n;
    }

    @Override
    public void close() {
        client.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        server.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
