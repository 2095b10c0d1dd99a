package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapRig;
import dev.tsunagu.testkit.host.TapTests;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty's stock NIO transport serving HTTP ({@code netty-codec-http}) on a Tsunagu stack on a
 * TAP, and {@code curl} on the kernel side (in the test kit's network namespace) downloading
 * 10 MB from it: the same server code as on the cable, now reached by the kernel's TCP. The
 * file curl wrote must have the size and SHA-256 of what the server sent.
 *
 * <p>Needs root (a TAP and a namespace) and curl; skips loudly otherwise.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyHttpOverTapTest {
    private static final int SUBNET = 88;
    private static final int PORT = 8080;

    @Test
    void curlOnTheKernelSideDownloadsTenMegabytesFromANettyServerOnTheStack(@TempDir Path dir) throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("curl", "curl");
        long size = Blobs.TEN_MB;
        long seed = 88;
        try (TapRig rig = TapRig.start(SUBNET, null, b -> b)) {
            SelectorProvider provider = new TsunaguSelectorProvider(rig.stack);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(provider));
            try {
                new ServerBootstrap().group(group)
                        .channelFactory(() -> new NioServerSocketChannel(provider))
                        .childHandler(NettyOverTsunaguTest.blobServer(size, seed))
                        .bind(new InetSocketAddress(TwoStacks.literal(rig.stackAddress), PORT)).sync();
                Path got = dir.resolve("blob");
                Sh.Result curl = rig.ns.exec(Duration.ofSeconds(100), "curl", "-sS", "--max-time", "90", "-o", got.toString(),
                        "http://" + rig.stackAddress + ":" + PORT + "/blob");
                assertThat(curl.exit()).as(curl.output()).isZero();
                assertThat(Files.size(got)).isEqualTo(size);
                try (InputStream in = Files.newInputStream(got)) {
                    assertThat(Blobs.read(in, size)).isEqualTo(Blobs.sha256(seed, size));
                }
            } finally {
                group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            }
        }
    }
}
