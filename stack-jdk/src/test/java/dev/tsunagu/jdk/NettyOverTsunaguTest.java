package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedStream;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty 4.2's stock NIO transport, unmodified, on Tsunagu: each side's event loop group and
 * channels are handed a {@link TsunaguSelectorProvider}, the server on one stack and the client
 * on another, over the in-memory cable. Nothing of Netty knows it is not on the kernel.
 */
// Generous: generating and hashing 100 MB on each side is CPU work, and CI machines are shared.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NettyOverTsunaguTest {
    private static final int PORT = 7007;
    private TwoStacks stacks;
    private SelectorProvider serverProvider;
    private SelectorProvider clientProvider;
    private EventLoopGroup serverGroup;
    private EventLoopGroup clientGroup;

    @BeforeEach
    void start() {
        stacks = new TwoStacks("netty");
        serverProvider = new TsunaguSelectorProvider(stacks.server);
        clientProvider = new TsunaguSelectorProvider(stacks.client);
        serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(serverProvider));
        clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(clientProvider));
    }

    @AfterEach
    void stop() throws InterruptedException {
        clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        stacks.close();
    }

    /** A server whose pipeline {@code initializer} builds, listening on {@link #PORT} of the server stack. */
    private Channel serve(ChannelInitializer<SocketChannel> initializer) throws InterruptedException {
        return new ServerBootstrap().group(serverGroup)
                .channelFactory(() -> new NioServerSocketChannel(serverProvider))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer)
                .bind(new InetSocketAddress(PORT)).sync().channel();
    }

    /** A client connected to the server, its pipeline built by {@code initializer}. */
    private Channel connect(ChannelInitializer<SocketChannel> initializer) throws InterruptedException {
        return new Bootstrap().group(clientGroup)
                .channelFactory(() -> new NioSocketChannel(clientProvider))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(initializer)
                .connect(new InetSocketAddress(TwoStacks.serverAddress(), PORT)).sync().channel();
    }

    @Test
    void tenThousandRoundTripsThroughAnEchoServer() throws Exception {
        int rounds = 10_000;
        serve(new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg); // echo whatever arrived, as it arrived
                    }
                });
            }
        });
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Channel client = connect(new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new FixedLengthFrameDecoder(8), new SimpleChannelInboundHandler<ByteBuf>() {
                    private long sent;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        next(ctx);
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf echo) {
                        long got = echo.readLong();
                        if (got != sent) {
                            done.completeExceptionally(new AssertionError("echo " + got + " for request " + sent));
                            return;
                        }
                        if (sent == rounds) {
                            done.complete((int) sent);
                        } else {
                            next(ctx);
                        }
                    }

                    private void next(ChannelHandlerContext ctx) {
                        sent++;
                        ctx.writeAndFlush(ctx.alloc().buffer(8).writeLong(sent));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        done.completeExceptionally(cause);
                    }
                });
            }
        });
        assertThat(done.get(100, TimeUnit.SECONDS)).isEqualTo(rounds);
        client.close().sync();
    }

    /**
     * An HTTP server ({@code netty-codec-http}) on one stack streams 100 MB; a Netty HTTP client
     * on the other downloads it and the SHA-256 matches. Netty's own flow control
     * ({@code ChunkedWriteHandler} waits for the channel to be writable) meets the channel's
     * {@code OP_WRITE} readiness here, and every buffer stays bounded.
     */
    @Test
    void aNettyHttpClientDownloads100MegabytesFromANettyHttpServer() throws Exception {
        long size = 100L * 1024 * 1024;
        long seed = 13;
        serve(blobServer(size, seed));
        CompletableFuture<String> digest = new CompletableFuture<>();
        long[] received = new long[1];
        Channel client = connect(new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new SimpleChannelInboundHandler<HttpObject>() {
                    private final MessageDigest sha = sha256();

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/blob");
                        get.headers().set(HttpHeaderNames.HOST, TwoStacks.SERVER_IP);
                        ctx.writeAndFlush(get);
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                        if (msg instanceof HttpResponse r && r.status().code() != 200) {
                            digest.completeExceptionally(new AssertionError("status " + r.status()));
                        }
                        if (msg instanceof HttpContent c) {
                            ByteBuf b = c.content();
                            received[0] += b.readableBytes();
                            sha.update(b.nioBuffer());
                        }
                        if (msg instanceof LastHttpContent) {
                            digest.complete(HexFormat.of().formatHex(sha.digest()));
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        digest.completeExceptionally(cause);
                    }
                });
            }
        });
        String got = digest.get(280, TimeUnit.SECONDS);
        assertThat(received[0]).isEqualTo(size);
        assertThat(got).isEqualTo(Blobs.sha256(seed, size));
        client.close().sync();
    }

    /**
     * An HTTP server's pipeline ({@code netty-codec-http}) that answers every request with
     * {@code size} bytes of {@link Blobs} from {@code seed}, streamed in 64 KiB chunks as the
     * channel becomes writable.
     */
    static ChannelInitializer<SocketChannel> blobServer(long size, long seed) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new ChunkedWriteHandler(),
                        new SimpleChannelInboundHandler<HttpObject>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                if (msg instanceof HttpRequest) {
                                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                                    HttpUtil.setContentLength(head, size);
                                    ctx.write(head);
                                    ctx.write(new ChunkedStream(Blobs.stream(seed, size), 64 * 1024));
                                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                                }
                            }
                        });
            }
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /**
     * TLS 1.3 through the JDK's {@code SSLEngine} over the channels (Netty's {@code SslHandler}
     * on both sides; the client checks the certificate and the host name): 4 MB go to an echo
     * server and come back intact.
     */
    @Test
    void tls13ThroughSslEngineOverTheChannels(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.make(dir, "tls.test");
        serve(new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SSLEngine engine = tls.server().createSSLEngine();
                engine.setUseClientMode(false);
                ch.pipeline().addLast(new SslHandler(engine), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg);
                    }
                });
            }
        });
        int size = 4 * 1024 * 1024;
        CompletableFuture<String> echoed = new CompletableFuture<>();
        CompletableFuture<String> protocol = new CompletableFuture<>();
        connect(new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SSLEngine engine = tls.client().createSSLEngine("tls.test", PORT);
                engine.setUseClientMode(true);
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(parameters);
                SslHandler ssl = new SslHandler(engine);
                ssl.handshakeFuture().addListener(f -> {
                    if (f.isSuccess()) {
                        protocol.complete(engine.getSession().getProtocol());
                        try {
                            ch.writeAndFlush(Unpooled.wrappedBuffer(Blobs.stream(5, size).readAllBytes()));
                        } catch (java.io.IOException e) {
                            echoed.completeExceptionally(e);
                        }
                    } else {
                        protocol.completeExceptionally(f.cause());
                    }
                });
                ch.pipeline().addLast(ssl, new SimpleChannelInboundHandler<ByteBuf>() {
                    private final MessageDigest sha = sha256();
                    private long received;

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf b) {
                        received += b.readableBytes();
                        sha.update(b.nioBuffer());
                        if (received == size) {
                            echoed.complete(HexFormat.of().formatHex(sha.digest()));
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        echoed.completeExceptionally(cause);
                    }
                });
            }
        });
        assertThat(protocol.get(60, TimeUnit.SECONDS)).isEqualTo("TLSv1.3");
        assertThat(echoed.get(200, TimeUnit.SECONDS)).isEqualTo(Blobs.sha256(5, size));
    }
}
