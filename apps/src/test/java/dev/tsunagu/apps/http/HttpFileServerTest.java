package dev.tsunagu.apps.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file server on one stack, fetched from another over the cable with {@link HttpClient} and by hand. */
class HttpFileServerTest {
    private static final String BASE = "http://" + TwoHosts.SERVER_IP;

    @TempDir
    Path temp;

    private Path www;
    private TwoHosts hosts;
    private HttpFileServer server;

    @BeforeEach
    void setUp() throws IOException {
        www = Files.createDirectory(temp.resolve("www"));
        Files.writeString(temp.resolve("secret.txt"), "outside the served directory");
        Files.writeString(www.resolve("hello.txt"), "Hello, Tsunagu!\n");
        Files.createDirectory(www.resolve("sub dir"));
        Files.writeString(www.resolve("sub dir").resolve("data.json"), "{\"ok\": true}");
        hosts = new TwoHosts("fileserver");
        server = HttpFileServer.serve(hosts.server, 80, www);
    }

    @AfterEach
    void tearDown() {
        server.close();
        hosts.close();
    }

    @Test
    void getsASmallFileWithLengthAndType() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, URI.create(BASE + "/hello.txt"), body);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.reason()).isEqualTo("OK");
        assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("Hello, Tsunagu!\n");
        assertThat(r.bodyBytes()).isEqualTo(16);
        assertThat(r.headers().first("content-length")).hasValue("16");
        assertThat(r.headers().first("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.headers().hasToken("Connection", "close")).isTrue();
        assertThat(r.headers().first("Last-Modified")).isPresent();
        assertThat(server.requestsServed()).isEqualTo(1);
    }

    @Test
    void contentTypesComeFromTheExtension() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, BASE + "/sub%20dir/data.json", body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().first("Content-Type")).hasValue("application/json");
        assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("{\"ok\": true}");

        assertThat(MimeTypes.forFileName("index.HTML")).isEqualTo("text/html; charset=utf-8");
        assertThat(MimeTypes.forFileName("style.css")).startsWith("text/css");
        assertThat(MimeTypes.forFileName("app.js")).startsWith("text/javascript");
        assertThat(MimeTypes.forFileName("a.png")).isEqualTo("image/png");
        assertThat(MimeTypes.forFileName("a.jpg")).isEqualTo("image/jpeg");
        assertThat(MimeTypes.forFileName("a.gif")).isEqualTo("image/gif");
        assertThat(MimeTypes.forFileName("a.svg")).isEqualTo("image/svg+xml");
        assertThat(MimeTypes.forFileName("a.bin")).isEqualTo("application/octet-stream");
        assertThat(MimeTypes.forFileName("Makefile")).isEqualTo("application/octet-stream");
    }

    @Test
    void headAnswersTheHeadersWithoutTheBody() throws IOException {
        RawResponse r = RawResponse.parse(hosts.exchange(80, "HEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(r.header("Content-Length")).isEqualTo("16");
        assertThat(r.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void theRootListsTheDirectory() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, BASE + "/", body);
        String html = body.toString(StandardCharsets.UTF_8);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().first("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.headers().first("Content-Length")).hasValue(String.valueOf(body.size()));
        assertThat(html).contains("<title>Index of /</title>", "<a href=\"hello.txt\">hello.txt</a> (16 bytes)",
                "<a href=\"sub%20dir/\">sub dir/</a>");
        assertThat(html).doesNotContain("../");

        body.reset();
        assertThat(HttpClient.get(hosts.client, BASE + "/sub%20dir/", body).status()).isEqualTo(200);
        assertThat(body.toString(StandardCharsets.UTF_8)).contains("Index of /sub dir/", "<a href=\"../\">", "data.json");
    }

    @Test
    void aDirectoryWithoutItsSlashIsRedirected() throws IOException {
        RawResponse r = RawResponse.parse(hosts.exchange(80, "GET /sub%20dir?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).isEqualTo("/sub%20dir/");
    }

    @Test
    void indexHtmlIsServedForTheDirectory() throws IOException {
        Files.writeString(www.resolve("index.html"), "<h1>home</h1>");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, BASE, body); // an empty path is "/"
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().first("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("<h1>home</h1>");
    }

    @Test
    void aMissingFileIs404() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpClient.Response r = HttpClient.get(hosts.client, BASE + "/nope.txt?q=1", body);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.reason()).isEqualTo("Not Found");
        assertThat(body.toString(StandardCharsets.UTF_8)).contains("404 Not Found", "/nope.txt");

        RawResponse head = RawResponse.parse(hosts.exchange(80, "HEAD /nope.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(head.status()).isEqualTo(404);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void pathsLeavingTheDirectoryAre403() throws IOException {
        for (String target : List.of("/../secret.txt", "/%2e%2e/secret.txt", "/sub%20dir/../../secret.txt",
                "/%2E%2E%2fsecret.txt", "/..")) {
            RawResponse r = RawResponse.parse(hosts.exchange(80, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertThat(r.status()).as(target).isEqualTo(403);
            assertThat(r.body()).as(target).doesNotContain("outside the served directory");
        }
    }

    @Test
    void aSymbolicLinkToOutsideIs403() throws IOException {
        try {
            Files.createSymbolicLink(www.resolve("escape.txt"), temp.resolve("secret.txt"));
        } catch (UnsupportedOperationException | IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no symbolic links here: " + e);
        }
        RawResponse r = RawResponse.parse(hosts.exchange(80, "GET /escape.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(r.status()).isEqualTo(403);
    }

    @Test
    void otherMethodsAre405() throws IOException {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            RawResponse r = RawResponse.parse(hosts.exchange(80,
                    method + " /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"));
            assertThat(r.status()).as(method).isEqualTo(405);
            assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
        }
    }

    @Test
    void malformedRequestsAre400() throws IOException {
        for (String request : List.of("GARBAGE\r\n\r\n", "GET /hello.txt\r\n\r\n", "GET /hello.txt HTTP/1.1 extra\r\n\r\n",
                "GET hello.txt HTTP/1.1\r\nHost: x\r\n\r\n", "GET /hello.txt HTTX/1.1\r\n\r\n",
                "GET /hello.txt HTTP/1.1\r\n\r\n", "GET /hello.txt HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
                "GET /hello.txt HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "G(T /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")) {
            RawResponse r = RawResponse.parse(hosts.exchange(80, request));
            assertThat(r.status()).as(request).isEqualTo(400);
            assertThat(r.header("Connection")).isEqualTo("close");
        }
        RawResponse r = RawResponse.parse(hosts.exchange(80, "GET / HTTP/2.0\r\nHost: x\r\n\r\n"));
        assertThat(r.status()).isEqualTo(505);
    }

    @Test
    void aKeepAliveClientIsAnsweredAndThenClosed() throws IOException {
        // curl's request; HTTP/1.0 with keep-alive too. exchange() returns only once the server closes.
        String wire = hosts.exchange(80, "GET /hello.txt HTTP/1.1\r\nHost: " + TwoHosts.SERVER_IP
                + "\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n");
        RawResponse r = RawResponse.parse(wire);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.body()).isEqualTo("Hello, Tsunagu!\n");

        RawResponse old = RawResponse.parse(hosts.exchange(80, "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        assertThat(old.status()).isEqualTo(200);
        assertThat(old.body()).isEqualTo("Hello, Tsunagu!\n");
    }

    @Test
    void aTwentyMegabyteFileArrivesIntact() throws Exception {
        int size = 20 * 1024 * 1024;
        Path big = www.resolve("big.bin");
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        Random random = new Random(20);
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(big), written)) {
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < size / chunk.length; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        List<Long> progress = new ArrayList<>();
        long start = System.nanoTime();
        HttpClient.Response r;
        try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), received)) {
            r = HttpClient.get(hosts.client, URI.create(BASE + "/big.bin"), sink, (soFar, total) -> {
                assertThat(total).isEqualTo(size);
                progress.add(soFar);
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(size);
        assertThat(r.headers().first("Content-Length")).hasValue(String.valueOf(size));
        assertThat(r.headers().first("Content-Type")).hasValue("application/octet-stream");
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
        assertThat(progress).isSorted().startsWith(0L).endsWith((long) size);
        System.err.printf("HTTP GET of a 20 MiB file over the cable (threaded loops): %.2f s, %.1f MB/s%n",
                seconds, size / seconds / 1e6);
    }

    @Test
    void fiftyConcurrentClientsAllSucceed() throws Exception {
        byte[] content = new byte[100_000];
        new Random(50).nextBytes(content);
        Files.write(www.resolve("page.bin"), content);
        int clients = 50;
        // One request first, so ARP has resolved: otherwise 50 SYNs queue behind one ARP entry, whose
        // bounded queue (RFC 1122 2.3.2.2) drops most of them until their retransmission a second later.
        assertThat(HttpClient.get(hosts.client, BASE + "/hello.txt", OutputStream.nullOutputStream()).status()).isEqualTo(200);
        List<Future<byte[]>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                results.add(pool.submit(() -> {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    HttpClient.Response r = HttpClient.get(hosts.client, BASE + "/page.bin", body);
                    assertThat(r.status()).isEqualTo(200);
                    return body.toByteArray();
                }));
            }
            for (Future<byte[]> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(content);
            }
        }
        assertThat(server.requestsServed()).isEqualTo(1 + clients);
        assertThat(hosts.client.statistics().get("tcp", "RetransSegs")).isZero();
    }

    @Test
    void afterCloseConnectionsAreRefused() throws IOException {
        assertThat(server.localAddress().getPort()).isEqualTo(80);
        server.close();
        server.close(); // idempotent
        assertThatThrownBy(() -> hosts.client.tcp().connect(new InetSocketAddress(TwoHosts.SERVER_IP, 80)))
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMissingDirectoryIsRefusedUpFront() {
        assertThatThrownBy(() -> HttpFileServer.serve(hosts.server, 8080, temp.resolve("absent")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThatThrownBy(() -> HttpFileServer.serve(hosts.server, 8080, temp.resolve("secret.txt")))
                .isInstanceOf(java.nio.file.NotDirectoryException.class);
    }

    @Test
    void percentEscapesTakeAsciiHexDigitsOnly() throws Exception {
        assertThat(HttpFileServer.decode("/a%20b%2Fc")).isEqualTo("/a b/c");
        // Arabic-Indic one and two: digits to Character.digit, not HEXDIG to RFC 3986
        assertThatThrownBy(() -> HttpFileServer.decode("/x%\u0661\u0662"))
                .isInstanceOf(HttpFileServer.HttpError.class)
                .hasMessageContaining("malformed percent-encoding");
    }
}
