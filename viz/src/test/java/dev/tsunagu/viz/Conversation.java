package dev.tsunagu.viz;

import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.LoseNthLargeFrame;
import dev.tsunagu.testkit.TestHosts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A scripted conversation on the virtual clock for the diagrams' tests: a client 10 ms from a
 * server sends {@code segments} full segments, of which the network loses the {@code lose}th
 * (0: none), the server reads them all, and both close.
 */
public final class Conversation implements AutoCloseable {
    public final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("viz");
    public final NetworkStack client;
    public final NetworkStack server;
    private int port = 80;

    public Conversation(int lose) throws IOException {
        this(lose, null);
    }

    /** With {@code pcap} (or null): the client's frames captured there as it sends them, before any is lost. */
    public Conversation(int lose, java.nio.file.Path pcap) throws IOException {
        LinkDriver port = new FaultInjectingDriver(lan.attach(), FaultPlan.parse("delay=1:10ms"), 1);
        LinkDriver lossy = lose > 0 ? new LoseNthLargeFrame(port, lose) : port;
        client = TestHosts.host(loop, "client", 1)
                .with(InterfaceConfig.of(pcap == null ? lossy : dev.tsunagu.link.capture.CapturingDriver.toFile(lossy, pcap))
                        .address("10.0.0.1/24")).build();
        server = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24").build();
    }

    /** One connection: {@code segments} full segments from the client, then both close; TIME-WAIT ends. */
    public void run(int segments) throws IOException {
        try (TcpServerSocket listener = server.tcp().listen(port++)) {
            TcpSocket c = client.tcp().connect(new InetSocketAddress("10.0.0.2", port - 1));
            TcpSocket s = listener.accept();
            byte[] data = new byte[segments * 1448];
            c.write(data);
            byte[] got = new byte[data.length];
            int total = 0;
            while (total < got.length) {
                total += s.read(got, total, got.length - total);
            }
            c.close();
            s.read(got, 0, 1);
            s.close();
            loop.advance(Duration.ofSeconds(120));
        }
    }

    /** One conversation of {@code segments}, losing the {@code lose}th, captured to {@code pcap}, the client traced. */
    public static void record(int lose, int segments, java.nio.file.Path pcap, dev.tsunagu.trace.TraceSink client)
            throws IOException {
        try (Conversation talk = new Conversation(lose, pcap)) {
            talk.client.tcp().trace(client);
            talk.run(segments);
        }
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
