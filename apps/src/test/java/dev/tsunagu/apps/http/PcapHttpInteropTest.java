package dev.tsunagu.apps.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.driver.pcap.PcapDriver;
import dev.tsunagu.testkit.host.BenchNamespace;
import dev.tsunagu.testkit.host.VethBench;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP examples against the Linux kernel through the pcap driver: the stack at
 * 10.87.0.2/24 on our end of a veth ({@code pcap:IFACE}, a MAC of its own), the kernel at
 * 10.87.0.1/24 on the far end in a fresh namespace (driver-pcap's {@link VethBench}).
 *
 * <ul>
 *   <li>{@code curl} in the namespace fetches a 10 MB file from {@link HttpFileServer} on the
 *       stack (SHA-256 equal);</li>
 *   <li>{@link HttpClient} on the stack downloads it from {@code python3 -m http.server} in the
 *       namespace (SHA-256 equal);</li>
 *   <li>replay: {@code tcpdump} in the namespace records a {@code curl} session with the stack's
 *       server; the capture is replayed ({@code pcap-file:}) into a fresh stack at the same
 *       address running the same server, which must answer the recorded SYN with a SYN+ACK and
 *       the recorded request with the file.</li>
 * </ul>
 *
 * Skips loudly without CAP_NET_RAW/CAP_NET_ADMIN, libpcap or the tools.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PcapHttpInteropTest {
    private static final int SUBNET = 87;
    private static final int SIZE = 10 << 20;
    private static final int HTTP_PORT = CurlReplay.HTTP_PORT;
    private static final int PYTHON_PORT = 8000;
    private static final Duration TRANSFER_LIMIT = Duration.ofSeconds(60);
    private static final String SMALL = CurlReplay.SMALL;
    private static final Pattern CURL = Pattern.compile("CURL (\\d{3}) (\\d+) ([0-9.]+)");
    private static final Pattern SHA_LINE = Pattern.compile("([0-9a-f]{64})\\s+-");

    @TempDir
    static Path www;
    @TempDir
    Path work;
    private static String bigSha;

    private VethBench bench;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void makeFiles() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(87);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(www.resolve("big.bin"))) {
            for (int i = 0; i < SIZE / chunk.length; i++) {
                random.nextBytes(chunk);
                sha.update(chunk);
                out.write(chunk);
            }
        }
        bigSha = HexFormat.of().formatHex(sha.digest());
        Files.writeString(www.resolve("small.txt"), SMALL);
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        if (bench != null) {
            bench.close(); // the stack, what runs in the namespace, the veth pair, the namespace
        }
    }

    private BenchNamespace startBench() throws Exception {
        VethBench.assumeLiveCapture();
        bench = VethBench.start(SUBNET);
        return bench.kernelSide();
    }

    @Test
    void curlFetchesTenMegabytesFromTheStack() throws Exception {
        BenchNamespace ns = startBench();
        VethBench.assumeCommand("curl", "curl");
        VethBench.assumeCommand("sha256sum", "coreutils");
        try (HttpFileServer server = HttpFileServer.serve(bench.stack(), HTTP_PORT, www)) {
            BenchNamespace.Result r = ns.exec(TRANSFER_LIMIT.plusSeconds(10), "sh", "-c",
                    "curl -sS --max-time " + TRANSFER_LIMIT.toSeconds() + " -w '%{stderr}CURL %{http_code} %{size_download} %{time_total}\\n' "
                            + url("big.bin") + " | sha256sum");
            Matcher c = CURL.matcher(r.output());
            assertThat(c.find()).as(r.output()).isTrue();
            assertThat(c.group(1)).as("HTTP status curl got").isEqualTo("200");
            assertThat(c.group(2)).as("bytes curl got").isEqualTo(String.valueOf(SIZE));
            Matcher sha = SHA_LINE.matcher(r.output());
            assertThat(sha.find()).as(r.output()).isTrue();
            assertThat(sha.group(1)).as("SHA-256 of what curl got").isEqualTo(bigSha);
            assertThat(server.requestsServed()).isEqualTo(1);
            System.err.printf("apps: curl <- stack over pcap, 10 MB in %s s%n", c.group(3));
        }
        assertThat(((PcapDriver) bench.driver()).framesTruncated()).as("no frame longer than the MTU reached us").isZero();
    }

    @Test
    void theStackDownloadsTenMegabytesFromPythonHttpServer() throws Exception {
        BenchNamespace ns = startBench();
        VethBench.assumeCommand("python3", "python3");
        VethBench.assumeCommand("ss", "iproute2");
        ns.start("python3", "-m", "http.server", String.valueOf(PYTHON_PORT), "--bind", bench.kernel(),
                "--directory", www.toString());
        assertThat(ns.awaitListening("tcp", PYTHON_PORT, Duration.ofSeconds(15))).as("python3 http.server listens").isTrue();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String url = "http://" + bench.kernel() + ":" + PYTHON_PORT + "/big.bin";
        long t0 = System.nanoTime();
        Future<HttpClient.Response> get = threads.submit(() -> {
            try (DigestOutputStream body = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
                return HttpClient.get(bench.stack(), url, body);
            }
        });
        HttpClient.Response r = get.get(TRANSFER_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(sha.digest())).as("SHA-256 of what the stack got").isEqualTo(bigSha);
        System.err.printf("apps: stack <- python3 http.server over pcap, 10 MB in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void aRecordedCurlSessionReplaysIntoAFreshStack() throws Exception {
        BenchNamespace ns = startBench();
        VethBench.assumeCommand("curl", "curl");
        VethBench.assumeCommand("tcpdump", "tcpdump");
        Path recording = work.resolve("curl-session.pcap");

        // Record: tcpdump on the kernel's end while curl fetches small.txt from the stack. Immediate
        // mode and -U: every frame is in the file when tcpdump is stopped right after curl ends
        // (otherwise a last block of the ring is still waiting for its timeout, and is lost).
        Process tcpdump = ns.start("tcpdump", "-Z", "root", "--immediate-mode", "-U", "-i", bench.farDevice(), "-s", "0",
                "-w", recording.toString(),
                "arp or tcp port " + HTTP_PORT);
        BufferedReader tcpdumpOut = new BufferedReader(new InputStreamReader(tcpdump.getInputStream(), StandardCharsets.UTF_8));
        assertThat(readLineMatching(tcpdumpOut, "listening on", Duration.ofSeconds(10))).as("tcpdump started").isNotNull();
        try (HttpFileServer server = HttpFileServer.serve(bench.stack(), HTTP_PORT, www)) {
            BenchNamespace.Result r = ns.exec(Duration.ofSeconds(20), "curl", "-sS", "--max-time", "10", url("small.txt"));
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).isEqualTo(SMALL);
        }
        // On a busy machine tcpdump may lag behind the wire: wait until it has written the
        // session up to curl's FIN before stopping it (SIGTERM loses what it has not read yet).
        long stackMac = bench.stack().primaryInterface().macBits();
        List<byte[]> written = awaitRecorded(recording, stackMac, Duration.ofSeconds(15));
        assertThat(written.stream().anyMatch(f -> CurlReplay.isTcp(f) && CurlReplay.mac(f, 6) != stackMac
                        && (CurlReplay.flags(f) & CurlReplay.FIN) != 0))
                .as("curl's FIN recorded; TCP flags of the %d frames written: %s", written.size(),
                        written.stream().filter(CurlReplay::isTcp).map(f -> Integer.toHexString(CurlReplay.flags(f))).toList())
                .isTrue();
        tcpdump.destroy(); // SIGTERM: tcpdump writes out what it has and exits
        assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).as("tcpdump stopped").isTrue();
        String keep = System.getProperty("tsunagu.pcap.keepRecording");
        if (keep != null) { // how src/test/resources/.../curl-small-session.pcap was made
            Files.copy(recording, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        // Replay it into a fresh stack at the stack's address, same server, recorded pace on its own loop.
        CurlReplay.assertAnswersLikeTheRecordedServer(recording, bench.stackAddress(), bench.stack().primaryInterface().mac(),
                www, work);
    }

    // ---- helpers ----

    private String url(String file) {
        return "http://" + bench.stackAddress() + ":" + HTTP_PORT + "/" + file;
    }

    /** The frames tcpdump has written, once they hold a SYN and the client's FIN (or when {@code timeout} passes). */
    private static List<byte[]> awaitRecorded(Path recording, long stackMac, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<byte[]> seen = List.of();
        while (System.nanoTime() < end) {
            try {
                seen = CurlReplay.frames(recording);
            } catch (IOException e) {
                // a record half written: look again
            }
            boolean syn = seen.stream().anyMatch(f -> CurlReplay.isTcp(f) && CurlReplay.flags(f) == CurlReplay.SYN);
            boolean fin = seen.stream().anyMatch(f -> CurlReplay.isTcp(f) && CurlReplay.mac(f, 6) != stackMac
                    && (CurlReplay.flags(f) & CurlReplay.FIN) != 0);
            if (syn && fin) {
                return seen;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return seen;
    }

    /** The first line of {@code in} containing {@code text}, read on a virtual thread; null after {@code timeout}. */
    private String readLineMatching(BufferedReader in, String text, Duration timeout) throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        threads.submit(() -> {
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.contains(text)) {
                        f.complete(line);
                        return;
                    }
                }
                f.complete(null);
            } catch (IOException e) {
                f.complete(null);
            }
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        }
    }
}
