package dev.tsunagu.examples.udponly;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program built against {@code stack-udp} alone (plus {@code stack-link} for Ethernet and
 * the cable), as a DNS client, a game server or a telemetry sender might be: a stack holds only
 * the layers its class or module path provides, so nothing of TCP is loaded, and asking for TCP
 * fails with a message that names the artifact to add.
 *
 * <p>It runs a UDP echo server (RFC 862) on one stack, in event-loop style (a callback per
 * datagram), and a client on another stack that sends a few datagrams, waits for each echo on
 * the blocking API, and pings the server.
 */
public final class UdpOnly {
    /** The echo port. */
    public static final int PORT = 7;

    /**
     * What happened.
     *
     * @param layers the client stack's layers, in order
     * @param echoed the replies, in the order sent
     * @param ping how the ping ended
     * @param tcp what asking the stack for TCP said
     */
    public record Result(List<String> layers, List<String> echoed, PingResult ping, String tcp) {}

    private UdpOnly() {}

    public static void main(String[] args) throws Exception {
        Result r = run("udp-only", List.of("one", "two", "three"));
        System.out.println("layers: " + r.layers());
        r.echoed().forEach(e -> System.out.println("echoed: " + e));
        System.out.println("ping: " + r.ping());
        System.out.println("tcp(): " + r.tcp());
    }

    public static Result run(String cable, List<String> messages) throws Exception {
        try (NetworkStack server = NetworkStack.builder().name("server").addInterface("cable:" + cable, "10.0.0.2/24").build();
             NetworkStack client = NetworkStack.builder().name("client").addInterface("cable:" + cable, "10.0.0.1/24").build();
             UdpSocket echo = server.udp().open().bind(PORT);
             UdpSocket socket = client.udp().open().connect(new InetSocketAddress("10.0.0.2", PORT))) {
            // The server: a callback on the server's event loop; it must not block, and send doesn't.
            echo.onReceive(d -> send(echo, d));

            List<String> echoed = new ArrayList<>();
            for (String m : messages) {
                socket.send(m.getBytes(StandardCharsets.UTF_8));
                Datagram reply = socket.receive(Duration.ofSeconds(5)); // UDP may lose it: always a timeout
                echoed.add(new String(reply.data(), StandardCharsets.UTF_8));
            }
            PingResult ping = client.service(PingService.class).orElseThrow()
                    .ping(Ipv4Address.parse("10.0.0.2"), 56, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            String tcp;
            try {
                client.tcp();
                tcp = "present";
            } catch (MissingLayerException e) {
                tcp = e.getMessage();
            }
            return new Result(client.layers(), echoed, ping, tcp);
        }
    }

    private static void send(UdpSocket from, Datagram d) {
        try {
            from.send(d.data(), d.source());
        } catch (IOException e) {
            System.err.println("echo: could not answer " + d.source() + ": " + e.getMessage());
        }
    }
}
