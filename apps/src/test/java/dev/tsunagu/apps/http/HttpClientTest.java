package dev.tsunagu.apps.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.udp.UdpOptions;
import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.ResourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against tiny servers written in the test that answer exactly what each case needs. */
class HttpClientTest {
    private static final int PORT = 8080;
    private static final String URL = "http://" + TwoHosts.SERVER_IP + ":" + PORT;

    private final TwoHosts hosts = new TwoHosts("client", UdpOptions.DNS_SERVERS, TwoHosts.SERVER_IP);
    private TcpServerSocket listener;

    @AfterEach
    void tearDown() {
        if (listener != null) {
            listener.close();
        }
        hosts.close();
    }

    /**
     * Serves one connection: reads the request head, writes {@code response}, closes. Completes
     * with the request as received.
     */
    private CompletableFuture<String> answerOnce(String response) throws IOException {
        listener = hosts.server.tcp().listen(PORT);
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
                request.complete(head.toString(StandardCharsets.ISO_8859_1));
            } catch (IOException | RuntimeException e) {
                request.completeExceptionally(e);
            }
        });
        return request;
    }

    private static String body(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void sendsAnHttp11GetWithHostAndConnectionClose() throws Exception {
        CompletableFuture<String> request = answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, URI.create(URL + "/a/b%20c?x=1&y=2#frag"), out);

        assertThat(r.status()).isEqualTo(200);
        assertThat(body(out)).isEqualTo("hi");
        assertThat(request.get(10, TimeUnit.SECONDS)).isEqualTo("GET /a/b%20c?x=1&y=2 HTTP/1.1\r\n"
                + "Host: " + TwoHosts.SERVER_IP + ":" + PORT + "\r\n"
                + "User-Agent: " + HttpClient.USER_AGENT + "\r\n"
                + "Accept: */*\r\n"
                + "Connection: close\r\n\r\n");
    }

    @Test
    void decodesAChunkedBody() throws Exception {
        answerOnce("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                + "7\r\nHello, \r\n"
                + "1A;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                + "0001\r\n!\r\n"
                + "0\r\nX-Trailer: ignored\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<long[]> progress = new ArrayList<>();
        HttpClient.Response r = HttpClient.get(hosts.client, URL + "/chunked", out,
                (soFar, total) -> progress.add(new long[] {soFar, total}));

        assertThat(r.status()).isEqualTo(200);
        assertThat(body(out)).isEqualTo("Hello, abcdefghijklmnopqrstuvwxyz!");
        assertThat(r.bodyBytes()).isEqualTo(34);
        assertThat(progress).allSatisfy(p -> assertThat(p[1]).isEqualTo(-1));
        assertThat(progress.getLast()[0]).isEqualTo(34);
    }

    @Test
    void decodesALargeChunkedBody() throws Exception {
        StringBuilder wire = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String chunk = String.valueOf((char) ('a' + i % 26)).repeat(1000 + i * 37);
            wire.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            expected.append(chunk);
        }
        answerOnce(wire.append("0\r\n\r\n").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, URL + "/", out);
        assertThat(body(out)).isEqualTo(expected.toString());
        assertThat(r.bodyBytes()).isEqualTo(expected.length());
    }

    @Test
    void withoutLengthTheBodyEndsWhenTheServerCloses() throws Exception {
        answerOnce("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, URL + "/", out);
        assertThat(body(out)).isEqualTo("until the end");
        assertThat(r.bodyBytes()).isEqualTo(13);
    }

    @Test
    void interimResponsesAreSkippedAndNoContentHasNoBody() throws Exception {
        answerOnce("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, URL + "/", out);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.reason()).isEqualTo("No Content");
        assertThat(r.headers().first("x-a")).hasValue("b");
        assertThat(r.bodyBytes()).isZero();
    }

    @Test
    void resolvesNamesWithTheStacksResolver() throws Exception {
        try (UdpSocket dns = hosts.server.udp().open().bind(53)) {
            Thread.ofVirtual().start(() -> answerDns(dns));
            answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nnamed");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            HttpClient.Response r = HttpClient.get(hosts.client, "http://www.example.test:" + PORT + "/", out);
            assertThat(r.status()).isEqualTo(200);
            assertThat(body(out)).isEqualTo("named");
        }
    }

    /** A one-name DNS server: www.example.test is the server; every other name does not exist. */
    private static void answerDns(UdpSocket dns) {
        try {
            while (true) {
                Datagram d = dns.receive(Duration.ofSeconds(30));
                DnsMessage query = DnsMessage.parse(d.data());
                boolean known = DnsMessage.sameName(query.question().name(), "www.example.test");
                List<ResourceRecord> answers = known
                        ? List.of(new ResourceRecord.A(query.question().name(), 60,
                                (Inet4Address) InetAddress.getByName(TwoHosts.SERVER_IP)))
                        : List.of();
                dns.send(DnsMessage.response(query, known ? DnsMessage.RCODE_NOERROR : DnsMessage.RCODE_NXDOMAIN, answers),
                        d.source());
            }
        } catch (SocketException closed) {
            // the test is over
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anUnknownNameFailsClearly() throws Exception {
        try (UdpSocket dns = hosts.server.udp().open().bind(53)) {
            Thread.ofVirtual().start(() -> answerDns(dns));
            assertThatThrownBy(() -> HttpClient.get(hosts.client, "http://nowhere.example.test/", new ByteArrayOutputStream()))
                    .isInstanceOf(UnknownHostException.class).hasMessageContaining("nowhere.example.test");
        }
    }

    @Test
    void badUrlsAndOtherSchemesAreRefused() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> HttpClient.get(hosts.client, "https://10.9.0.2/", out))
                .isInstanceOf(MalformedURLException.class).hasMessageContaining("only http://");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, "ftp://10.9.0.2/x", out))
                .isInstanceOf(MalformedURLException.class).hasMessageContaining("unsupported scheme \"ftp\"");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, "10.9.0.2/index.html", out))
                .isInstanceOf(MalformedURLException.class).hasMessageContaining("no scheme");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, "http:///path", out))
                .isInstanceOf(MalformedURLException.class).hasMessageContaining("no valid host");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, "http://bad host/", out))
                .isInstanceOf(MalformedURLException.class).hasMessageContaining("bad URL");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, "http://10.9.0.2:70000/", out))
                .isInstanceOf(MalformedURLException.class);
        assertThatThrownBy(() -> HttpClient.get(hosts.client, "http://[fd00::1/", out))
                .isInstanceOf(MalformedURLException.class).hasMessageContaining("bad URL");
    }

    @Test
    void aClosedPortIsNamedInTheError() {
        assertThatThrownBy(() -> HttpClient.get(hosts.client, "http://10.9.0.2:81/", new ByteArrayOutputStream()))
                .isInstanceOf(ConnectException.class).hasMessageContaining("10.9.0.2:81").hasMessageContaining("refused");
    }

    @Test
    void aMalformedStatusLineIsAProtocolError() throws Exception {
        answerOnce("SSH-2.0-OpenSSH_9.6\r\n\r\n");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, URL + "/", new ByteArrayOutputStream()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("malformed response: status line");
    }

    @Test
    void aMalformedHeaderIsAProtocolError() throws Exception {
        answerOnce("HTTP/1.1 200 OK\r\nno colon\r\n\r\n");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, URL + "/", new ByteArrayOutputStream()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("malformed response");
    }

    @Test
    void aBadChunkSizeIsAProtocolError() throws Exception {
        answerOnce("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, URL + "/", new ByteArrayOutputStream()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("chunk size");
    }

    @Test
    void conflictingLengthsAreAProtocolError() throws Exception {
        answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, URL + "/", new ByteArrayOutputStream()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("Content-Length");
    }

    @Test
    void aBodyCutShortIsAnError() throws Exception {
        answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten!!");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, URL + "/", new ByteArrayOutputStream()))
                .isInstanceOf(EOFException.class).hasMessageContaining("after 10 of 100 body bytes");
    }

    @Test
    void aChunkedBodyCutShortIsAnError() throws Exception {
        answerOnce("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, URL + "/", new ByteArrayOutputStream()))
                .isInstanceOf(EOFException.class).hasMessageContaining("before the last chunk");
    }

    @Test
    void noResponseAtAllIsAnError() throws Exception {
        answerOnce("");
        assertThatThrownBy(() -> HttpClient.get(hosts.client, URL + "/", new ByteArrayOutputStream()))
                .isInstanceOf(EOFException.class).hasMessageContaining("without a response");
    }
}
