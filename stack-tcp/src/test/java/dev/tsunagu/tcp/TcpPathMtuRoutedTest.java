package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.IpOptions;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Path MTU discovery end to end (RFC 1191): both hosts sit on 1500-byte links and offer an MSS of
 * 1460, but the link between the two routers carries 1280 bytes, so the MSS option cannot tell
 * them. The first full segments meet the narrow link with DF set; the router answers
 * "fragmentation needed" with its next-hop MTU, and the sender resends at the path's size.
 *
 * <pre>
 *  client 10.1.0.2 ─lanA 1500─ r1 ─lanB 1280─ r2 ─lanC 1500─ 10.3.0.2 server
 * </pre>
 */
class TcpPathMtuRoutedTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lanA = new Cable("lanA", 1500);
    private final Cable lanB = new Cable("lanB", 1280);
    private final Cable lanC = new Cable("lanC", 1500);
    private final NetworkStack client = NetworkStack.builder().name("client").eventLoop(loop).seed(1)
            .addInterface(InterfaceConfig.of(lanA.attach()).address("10.1.0.2/24")).gateway("10.1.0.1").buildUnchecked();
    private final NetworkStack r1 = NetworkStack.builder().name("r1").eventLoop(loop).seed(2)
            .option(IpOptions.FORWARDING, true)
            .addInterface(InterfaceConfig.of(lanA.attach()).address("10.1.0.1/24"))
            .addInterface(InterfaceConfig.of(lanB.attach()).address("10.2.0.1/24")).gateway("10.2.0.2").buildUnchecked();
    private final NetworkStack r2 = NetworkStack.builder().name("r2").eventLoop(loop).seed(3)
            .option(IpOptions.FORWARDING, true)
            .addInterface(InterfaceConfig.of(lanB.attach()).address("10.2.0.2/24"))
            .addInterface(InterfaceConfig.of(lanC.attach()).address("10.3.0.1/24")).gateway("10.2.0.1").buildUnchecked();
    private final NetworkStack server = NetworkStack.builder().name("server").eventLoop(loop).seed(4)
            .addInterface(InterfaceConfig.of(lanC.attach()).address("10.3.0.2/24")).gateway("10.3.0.1").buildUnchecked();

    @AfterEach
    void tearDown() {
        List.of(client, r1, r2, server).forEach(NetworkStack::close);
    }

    @Test
    void aBulkTransferAcrossANarrowerLinkFindsThePathMtuAndCompletesWithoutATimeout() throws Exception {
        byte[] data = new byte[200_000];
        new Random(3).nextBytes(data);
        TcpServerSocket listener = server.tcp().listen(5001);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = client.tcp().connect(new InetSocketAddress("10.3.0.2", 5001));
        loop.runUntilIdle();
        TcpSocket s = accepted.join();
        c.writeAsync(data, 0, data.length);
        c.shutdownOutput();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long start = loop.now();
        while (true) {
            CompletableFuture<Integer> r = s.readAsync(buf, 0, buf.length);
            assertThat(loop.runUntil(r::isDone, Duration.ofSeconds(30)))
                    .as("data keeps coming; client %s, r1 %s", client.statistics(), r1.statistics()).isTrue();
            int n = r.join();
            if (n < 0) {
                break;
            }
            got.write(buf, 0, n);
        }
        assertThat(got.toByteArray()).isEqualTo(data);
        assertThat(r1.statistics().get("ip", "FragFails")).as("r1 refused to fragment DF segments").isPositive();
        assertThat(client.statistics().get("tcp", "PmtuReductions")).isEqualTo(1);
        assertThat(client.statistics().get("ip", "PathMtuLowered")).isEqualTo(1);
        assertThat(client.statistics().get("tcp", "Timeouts")).as("resent at once, not after an RTO").isZero();
        assertThat(client.sockets()).filteredOn(i -> i.remote() != null).singleElement()
                .satisfies(i -> assertThat(i.details().get("mss")).isEqualTo(Integer.toString(1280 - 40 - 12)));
        assertThat(Duration.ofNanos(loop.now() - start)).isLessThan(Duration.ofSeconds(2));
        c.close();
        s.close();
        listener.close();
    }
}
