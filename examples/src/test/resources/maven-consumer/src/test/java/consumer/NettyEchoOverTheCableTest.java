package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tsunagu.jdk.TsunaguSelectorProvider;
import dev.tsunagu.stack.NetworkStack;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A user's test: two stacks on an in-memory cable, Netty's stock NIO transport on each (its event
 * loop and channels handed the stack's SelectorProvider), an echo server on one and a client on
 * the other. 1,000 round trips, each waiting for the one before.
 */
class NettyEchoOverTheCableTest {
    private static final int ROUNDS = 1_000;

    @Test
    void nettyEcho() throws Exception {
        try (NetworkStack a = NetworkStack.builder().name("a").addInterface("cable:consumer", "10.0.0.1/24").build();
             NetworkStack b = NetworkStack.builder().name("b").addInterface("cable:consumer", "10.0.0.2/24").build()) {
            SelectorProvider server = new TsunaguSelectorProvider(b);
            SelectorProvider client = new TsunaguSelectorProvider(a);
            EventLoopGroup serverLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(server));
            EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(client));
            try {
                new ServerBootstrap().group(serverLoop)
                        .channelFactory(() -> new NioServerSocketChannel(server))
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ctx.writeAndFlush(msg); // echo whatever arrived, as it arrived
                                    }
                                });
                            }
                        })
                        .bind(new InetSocketAddress(7)).sync();
                CompletableFuture<Integer> echoed = new CompletableFuture<>();
                new Bootstrap().group(clientLoop)
                        .channelFactory(() -> new NioSocketChannel(client))
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                    private final StringBuilder pending = new StringBuilder();
                                    private int round;

                                    @Override
                                    public void channelActive(ChannelHandlerContext ctx) {
                                        send(ctx);
                                    }

                                    private void send(ChannelHandlerContext ctx) {
                                        ctx.writeAndFlush(Unpooled.copiedBuffer(line(round), StandardCharsets.US_ASCII));
                                    }

                                    private static String line(int n) {
                                        return String.format("hello %05d%n", n);
                                    }

                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ByteBuf b = (ByteBuf) msg;
                                        pending.append(b.toString(StandardCharsets.US_ASCII));
                                        b.release();
                                        String expected = line(round);
                                        if (pending.length() < expected.length()) {
                                            return;
                                        }
                                        if (!pending.toString().equals(expected)) {
                                            echoed.completeExceptionally(new AssertionError(pending + " for " + expected));
                                            return;
                                        }
                                        pending.setLength(0);
                                        if (++round == ROUNDS) {
                                            echoed.complete(round);
                                            ctx.close();
                                        } else {
                                            send(ctx);
                                        }
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        echoed.completeExceptionally(cause);
                                    }
                                });
                            }
                        })
                        .connect(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 7)).sync();
                assertEquals(ROUNDS, echoed.get(60, TimeUnit.SECONDS));
            } finally {
                clientLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
                serverLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            }
        }
    }
}
