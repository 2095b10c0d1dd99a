package dev.tsunagu.apps.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ipv6.Ipv6Options;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.udp.UdpOptions;
import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.ResourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client over IPv6: a bracketed literal URL (RFC 3986 3.2.2), and a name with both A and
 * AAAA records, which a stack with an IPv6 address reaches over IPv6 (RFC 8305 section 4's
 * order) or, when IPv6 stays silent, over IPv4 after the connection attempt delay, while an IPv4-only stack still asks for A records only and connects over IPv4.
 */
class HttpClientIpv6Test {
    private static final String SERVER_V4 = "10.19.0.2";
    private static final String SERVER_V6 = "fd00:19::2";
    private static final int PORT = 8080;

    private static final AtomicInteger CABLES = new AtomicInteger();

    private final String cable = "cable:http-v6-" + CABLES.incrementAndGet();
    private final NetworkStack server = NetworkStack.builder().name("v6-server")
            .addInterface(InterfaceConfig.of(cable).address(SERVER_V4 + "/24").address(SERVER_V6 + "/64"))
            .option(Ipv6Options.DAD_TRANSMITS, 0).buildUnchecked(); // real time: no second waiting for DAD
    private NetworkStack client;
    private TcpServerSocket listener;

    @AfterEach
    void tearDown() {
        if (listener != null) {
            listener.close();
        }
        if (client != null) {
            client.close();
        }
        server.close();
    }

    private NetworkStack client(String... addresses) {
        InterfaceConfig ifc = InterfaceConfig.of(cable);
        for (String a : addresses) {
            ifc.address(a);
        }
        client = NetworkStack.builder().name("v6-client").addInterface(ifc).option(Ipv6Options.DAD_TRANSMITS, 0)
                .option(UdpOptions.DNS_SERVERS, SERVER_V4).buildUnchecked();
        return client;
    }

    /** Serves one connection: completes with the request head and the address it came from. */
    private CompletableFuture<String> answerOnce(String response) throws IOException {
        listener = server.tcp().listen(PORT);
        CompletableFuture<String> request = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (TcpSocket s = listener.accept(Duration.ofSeconds(30))) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                byte[] buffer = new byte[4096];
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int n = s.read(buffer, 0, buffer.length, Duration.ofSeconds(30));
                    if (n < 0) {
                        break;
                    }
                    head.write(buffer, 0, n);
                }
                s.write(response.getBytes(StandardCharsets.ISO_8859_1));
                InetSocketAddress from = s.remoteAddress();
                request.complete("from " + from.getAddress().getHostAddress() + "\n" + head.toString(StandardCharsets.ISO_8859_1));
            } catch (IOException | RuntimeException e) {
                request.completeExceptionally(e);
            }
        });
        return request;
    }

    @Test
    void aBracketedLiteralConnectsOverIpv6AndKeepsTheBracketsInHost() throws Exception {
        client("10.19.0.1/24", "fd00:19::1/64");
        CompletableFuture<String> request = answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        HttpClient.Response r = HttpClient.get(client, "http://[" + SERVER_V6 + "]:" + PORT + "/x", out);

        assertThat(r.status()).isEqualTo(200);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo("v6");
        String seen = request.get(30, TimeUnit.SECONDS);
        assertThat(seen).startsWith("from fd00:19:0:0:0:0:0:1\n").contains("Host: [fd00:19::2]:8080\r\n");
    }

    @Test
    void aNameWithBothRecordsIsReachedOverIpv6FromADualStack() throws Exception {
        try (UdpSocket dns = server.udp().open().bind(53)) {
            Thread.ofVirtual().start(() -> answerDns(dns, SERVER_V6));
            client("10.19.0.1/24", "fd00:19::1/64");
            CompletableFuture<String> request = answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

            assertThat(HttpClient.get(client, "http://www.example.test:" + PORT + "/", new ByteArrayOutputStream()).status())
                    .isEqualTo(200);

            assertThat(request.get(30, TimeUnit.SECONDS)).startsWith("from fd00:19:0:0:0:0:0:1\n");
        }
    }

    @Test
    void anIpv4OnlyStackStillAsksForAAndConnectsOverIpv4() throws Exception {
        try (UdpSocket dns = server.udp().open().bind(53)) {
            Thread.ofVirtual().start(() -> answerDns(dns, SERVER_V6));
            client("10.19.0.1/24");
            CompletableFuture<String> request = answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

            assertThat(HttpClient.get(client, "http://www.example.test:" + PORT + "/", new ByteArrayOutputStream()).status())
                    .isEqualTo(200);

            assertThat(request.get(30, TimeUnit.SECONDS)).startsWith("from 10.19.0.1\n");
        }
    }

    @Test
    void aSilentIpv6AddressFallsBackToIpv4AfterTheConnectionAttemptDelay() throws Exception {
        try (UdpSocket dns = server.udp().open().bind(53)) {
            Thread.ofVirtual().start(() -> answerDns(dns, "fd00:19::99")); // nobody on the link has it
            client("10.19.0.1/24", "fd00:19::1/64");
            CompletableFuture<String> request = answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

            assertThat(HttpClient.get(client, "http://www.example.test:" + PORT + "/", new ByteArrayOutputStream()).status())
                    .isEqualTo(200);

            assertThat(request.get(30, TimeUnit.SECONDS)).startsWith("from 10.19.0.1\n");
        }
    }

    /** www.example.test has an A record (the server's IPv4 address) and an AAAA record ({@code v6}). */
    private static void answerDns(UdpSocket dns, String v6) {
        try {
            while (true) {
                Datagram d = dns.receive(Duration.ofSeconds(30));
                DnsMessage query = DnsMessage.parse(d.data());
                String name = query.question().name();
                List<ResourceRecord> answers = query.question().type() == DnsMessage.TYPE_AAAA
                        ? List.of(new ResourceRecord.Aaaa(name, 60, (Inet6Address) InetAddress.ofLiteral(v6)))
                        : List.of(new ResourceRecord.A(name, 60, (Inet4Address) InetAddress.ofLiteral(SERVER_V4)));
                dns.send(DnsMessage.response(query, DnsMessage.RCODE_NOERROR, answers), d.source());
            }
        } catch (SocketException closed) {
            // the test is over
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
