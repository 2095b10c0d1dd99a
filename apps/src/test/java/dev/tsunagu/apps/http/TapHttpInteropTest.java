package dev.tsunagu.apps.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.tcp.TcpOptions;
import dev.tsunagu.testkit.host.BenchNamespace;
import dev.tsunagu.testkit.host.TapBench;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP examples against the Linux kernel's TCP over a TAP: the stack in this JVM at
 * 10.81.0.2/24 (driver-tap's {@link TapBench}), the kernel at 10.81.0.1/24 in a fresh network
 * namespace that each case creates and deletes, with {@code curl}, {@code python3 -m http.server}
 * and {@code socat} running in it.
 *
 * <ul>
 *   <li>Stack as server: {@link HttpFileServer} serves a 50 MB random file to {@code curl}
 *       (SHA-256 equal); 200 sequential and 50 concurrent {@code curl} requests all get 200.</li>
 *   <li>Stack as client: {@link HttpClient} downloads the 50 MB file from
 *       {@code python3 -m http.server} (SHA-256 equal); a stack TCP socket uploads 50 MB to a
 *       {@code socat} sink that counts and hashes (both equal).</li>
 *   <li>Loss: both 50 MB downloads again with nftables dropping 5% of the packets at random in
 *       and out of the TAP ({@code numgen random mod 100 < 5 drop}). Here the kernel's end
 *       (curl, the Python server) runs in a second namespace one routed hop behind the TAP's
 *       ({@link TapBench#startRouted}) and the drops are in the forward chain of the TAP's
 *       namespace: a packet that the sending kernel's own output hook drops is reported back to
 *       its TCP, which sends it again at once, so the kernel→stack data would see no loss at
 *       all. That end sends one segment per packet ({@code gso_max_segs 1}, else 5% of packets
 *       is 5% of 64 KB GSO super-packets) and both ends' minimum RTO is {@link #MIN_RTO}
 *       (default 200 ms on both, the defaults), as in driver-tap's TapLossInteropTest.</li>
 * </ul>
 *
 * Every case runs with the stack's frames captured by our capture decorator and ends with
 * {@link TapBench#closeAndCheckWire} (tshark: nothing malformed, no bad checksum from the
 * stack, some verified good).
 *
 * <p>Transfer times go to stderr, and as a table after the last case. Processes in the namespace
 * are killed and the namespace deleted after each case, pass or fail. Skips loudly without
 * CAP_NET_ADMIN or the tools.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TapHttpInteropTest {
    private static final int SUBNET = 81;
    private static final int SIZE = 50 << 20;
    private static final int MEDIUM = 256 << 10;
    private static final int HTTP_PORT = 8080;
    private static final int PYTHON_PORT = 8000;
    private static final int SOCAT_PORT = 9000;
    private static final int LOSS_PERCENT = 5;
    private static final Duration TRANSFER_LIMIT = Duration.ofSeconds(150);
    /** Both senders' lower bound on the RTO in the lossy cases: both defaults (200 ms) unless {@code -Dtsunagu.tap.minRtoMs}. */
    private static final Duration MIN_RTO = Duration.ofMillis(Long.getLong("tsunagu.tap.minRtoMs", 200));

    /** curl's {@code -w} line: status, bytes, seconds (on stdout: one write at exit, so concurrent curls do not interleave). */
    private static final String CURL_WRITE_OUT = "CURL %{http_code} %{size_download} %{time_total}\\n";
    private static final Pattern CURL = Pattern.compile("CURL (\\d{3}) (\\d+) ([0-9.]+)");
    private static final Pattern SHA_LINE = Pattern.compile("([0-9a-f]{64})\\s+-");

    private static final Map<String, Long> TIMES = new ConcurrentSkipListMap<>();

    @TempDir
    static Path www;
    /** Where the small cases' captures go (one per case). */
    @TempDir
    Path captures;
    private static String bigSha;

    private TapBench bench;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void makeFiles() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(81);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(www.resolve("big.bin"))) {
            for (int i = 0; i < SIZE / chunk.length; i++) {
                random.nextBytes(chunk);
                sha.update(chunk);
                out.write(chunk);
            }
        }
        bigSha = HexFormat.of().formatHex(sha.digest());
        Files.writeString(www.resolve("small.txt"), "Hello from Tsunagu over a TAP!\n");
        byte[] medium = new byte[MEDIUM];
        random.nextBytes(medium);
        Files.write(www.resolve("medium.bin"), medium);
    }

    /**
     * The stack on a TAP whose kernel side runs curl, python3 and socat, its frames captured by
     * our capture decorator into a pcap for {@link TapBench#closeAndCheckWire} at the end of
     * every case (50 MB cases too: tshark dissects frame by frame, without TCP analysis).
     */
    private BenchNamespace startCapturedBench() throws Exception {
        TapBench.assumeTapAndNetns();
        bench = TapBench.start(SUBNET, captures.resolve("http.pcap"), b -> b);
        return bench.kernelSide();
    }

    /**
     * The routed bench for the lossy cases: curl and python3 in the peer namespace behind the
     * TAP's, sending one segment per packet, both ends with MIN_RTO.
     */
    private BenchNamespace startRoutedBench() throws Exception {
        TapBench.assumeTapAndNetns();
        bench = TapBench.startRouted(SUBNET, captures.resolve("http.pcap"), b -> b.option(TcpOptions.MIN_RTO, MIN_RTO));
        BenchNamespace peer = bench.peer();
        Duration t = Duration.ofSeconds(10);
        peer.check(t, "ip", "link", "set", "dev", "vp", "gso_max_segs", "1");
        peer.check(t, "ip", "route", "replace", "10." + SUBNET + ".0.0/24", "via", "10." + SUBNET + ".1.1",
                "rto_min", MIN_RTO.toMillis() + "ms");
        return peer;
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        if (bench != null) {
            bench.close(); // closes the stack (and its servers' sockets), kills what runs in the namespace, deletes it
        }
    }

    @AfterAll
    static void printTimes() {
        if (TIMES.isEmpty()) {
            return;
        }
        StringBuilder s = new StringBuilder("apps: HTTP over a TAP, stack 10." + SUBNET + ".0.2 <-> kernel 10." + SUBNET
                + ".0.1 (routed: curl/python3 one hop behind the TAP's namespace; loss: nftables there drops " + LOSS_PERCENT
                + "% of the packets each way, min RTO " + MIN_RTO.toMillis() + " ms on both ends)\n");
        TIMES.forEach((name, ms) -> s.append(name.contains("50 MB")
                ? String.format("  %-72s %6d ms  %6.1f MB/s%n", name, ms, ms == 0 ? 0.0 : (SIZE / 1e6) / (ms / 1000.0))
                : String.format("  %-72s %6d ms%n", name, ms)));
        System.err.print(s);
    }

    // ---- the stack serves ----

    @Test
    void curlFetchesFiftyMegabytesFromTheStack() throws Exception {
        BenchNamespace ns = startCapturedBench();
        TapBench.assumeCommand("curl", "curl");
        try (HttpFileServer server = HttpFileServer.serve(bench.stack(), HTTP_PORT, www)) {
            record("1 curl <- stack server, 50 MB", curlBig(ns));
            assertThat(server.requestsServed()).isEqualTo(1);
        }
        bench.closeAndCheckWire();
    }

    @Test
    void twoHundredSequentialCurlRequestsAllSucceed() throws Exception {
        BenchNamespace ns = startCapturedBench();
        TapBench.assumeCommand("curl", "curl");
        try (HttpFileServer server = HttpFileServer.serve(bench.stack(), HTTP_PORT, www)) {
            // One curl, 200 URLs one after the other; the server closes each connection after its response.
            List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-w", CURL_WRITE_OUT));
            for (int i = 0; i < 200; i++) {
                command.addAll(List.of("-o", "/dev/null", url("small.txt")));
            }
            long t0 = System.nanoTime();
            BenchNamespace.Result r = ns.exec(Duration.ofSeconds(100), command.toArray(String[]::new));
            long ms = ms(t0);
            List<Matcher> lines = curlLines(r.output());
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(lines).as(r.output()).hasSize(200)
                    .allSatisfy(m -> {
                        assertThat(m.group(1)).isEqualTo("200");
                        assertThat(m.group(2)).isEqualTo("31");
                    });
            assertThat(server.requestsServed()).isEqualTo(200);
            record("3 200 sequential curl requests (31 B each)", ms);
        }
        bench.closeAndCheckWire();
    }

    @Test
    void fiftyConcurrentCurlRequestsAllSucceed() throws Exception {
        BenchNamespace ns = startCapturedBench();
        TapBench.assumeCommand("curl", "curl");
        TapBench.assumeCommand("xargs", "findutils");
        try (HttpFileServer server = HttpFileServer.serve(bench.stack(), HTTP_PORT, www)) {
            String each = "curl -sS --max-time 30 -o /dev/null -w '" + CURL_WRITE_OUT + "' " + url("medium.bin");
            long t0 = System.nanoTime();
            BenchNamespace.Result r = ns.exec(Duration.ofSeconds(60), "sh", "-c", "seq 50 | xargs -P 50 -I{} " + each);
            long ms = ms(t0);
            List<Matcher> lines = curlLines(r.output());
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(lines).as(r.output()).hasSize(50)
                    .allSatisfy(m -> {
                        assertThat(m.group(1)).isEqualTo("200");
                        assertThat(m.group(2)).isEqualTo(String.valueOf(MEDIUM));
                    });
            assertThat(server.requestsServed()).isEqualTo(50);
            record("4 50 concurrent curl requests (256 KB each)", ms);
        }
        bench.closeAndCheckWire();
    }

    // ---- the stack fetches and sends ----

    @Test
    void theStackDownloadsFiftyMegabytesFromPythonHttpServer() throws Exception {
        BenchNamespace ns = startCapturedBench();
        startPythonHttpServer(ns, bench.kernel());
        record("2 stack client <- python3 http.server, 50 MB", stackDownloadsBig(bench.kernel()));
        bench.closeAndCheckWire();
    }

    @Test
    void theStackUploadsFiftyMegabytesToSocat() throws Exception {
        BenchNamespace ns = startCapturedBench();
        TapBench.assumeCommand("socat", "socat");
        TapBench.assumeCommand("ss", "iproute2");
        // The sink counts and hashes what it gets, to its stderr (the process's output here).
        Process sink = ns.start("socat", "-u", "TCP-LISTEN:" + SOCAT_PORT + ",reuseaddr",
                "SYSTEM:{ tee /dev/fd/3 | wc -c >&2; } 3>&1 | sha256sum >&2");
        assertThat(ns.awaitListening("tcp", SOCAT_PORT, Duration.ofSeconds(10))).as("socat listens").isTrue();

        SplittableRandom random = new SplittableRandom(82);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[64 << 10];
        long t0 = System.nanoTime();
        Future<?> upload = threads.submit(() -> {
            try (TcpSocket s = bench.stack().tcp().connect(new InetSocketAddress(bench.kernel(), SOCAT_PORT))) {
                for (int sent = 0; sent < SIZE; sent += chunk.length) {
                    random.nextBytes(chunk);
                    sha.update(chunk);
                    s.write(chunk, 0, chunk.length);
                }
                s.shutdownOutput();
                byte[] none = new byte[16];
                assertThat(s.read(none, 0, none.length, TRANSFER_LIMIT)).as("socat closes after the last byte").isEqualTo(-1);
            }
            return null;
        });
        Thread watch = watchProgress("stack client -> socat");
        try {
            await(upload, "the upload");
        } finally {
            watch.interrupt();
        }
        long ms = ms(t0);

        String count = null;
        String hash = null;
        BufferedReader out = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8));
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        StringBuilder seen = new StringBuilder();
        while ((count == null || hash == null) && System.nanoTime() < end) {
            String line = readLine(out, Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (line == null) {
                break;
            }
            seen.append(line).append('\n');
            Matcher m = SHA_LINE.matcher(line.strip());
            if (line.strip().matches("\\d+")) {
                count = line.strip();
            } else if (m.matches()) {
                hash = m.group(1);
            }
        }
        assertThat(count).as("bytes socat received (socat said: %s)", seen).isEqualTo(String.valueOf(SIZE));
        assertThat(hash).as("SHA-256 of what socat received (socat said: %s)", seen)
                .isEqualTo(HexFormat.of().formatHex(sha.digest()));
        record("5 stack client -> socat sink, 50 MB", ms);
        bench.closeAndCheckWire();
    }

    // ---- loss ----

    @Test
    void curlFetchesFiftyMegabytesFromTheStackThroughLoss() throws Exception {
        BenchNamespace peer = startRoutedBench();
        TapBench.assumeCommand("curl", "curl");
        TapBench.assumeCommand("nft", "nftables");
        try (HttpFileServer server = HttpFileServer.serve(bench.stack(), HTTP_PORT, www)) {
            record("6 curl <- stack server, 50 MB, routed, 1 segment/packet, no loss", curlBig(peer));
            dropOnTap();
            record("7 curl <- stack server, 50 MB, routed, 1 segment/packet, " + LOSS_PERCENT + "% loss", curlBig(peer));
            assertDropped();
            assertThat(server.requestsServed()).isEqualTo(2);
        }
        bench.closeAndCheckWire();
    }

    @Test
    void theStackDownloadsFiftyMegabytesFromPythonThroughLoss() throws Exception {
        BenchNamespace peer = startRoutedBench();
        TapBench.assumeCommand("nft", "nftables");
        startPythonHttpServer(peer, bench.peerAddress());
        record("8 stack client <- python3 http.server, 50 MB, routed, 1 segment/packet, no loss", stackDownloadsBig(bench.peerAddress()));
        dropOnTap();
        record("9 stack client <- python3 http.server, 50 MB, routed, 1 segment/packet, " + LOSS_PERCENT + "% loss",
                stackDownloadsBig(bench.peerAddress()));
        assertDropped();
        bench.closeAndCheckWire();
    }

    // ---- transfers ----

    /** curl in {@code where} fetches big.bin from the stack into sha256sum; returns curl's time. */
    private long curlBig(BenchNamespace where) throws Exception {
        TapBench.assumeCommand("sha256sum", "coreutils");
        long t0 = System.nanoTime();
        Thread watch = watchProgress("curl <- stack server");
        BenchNamespace.Result r;
        try {
            r = where.exec(TRANSFER_LIMIT.plusSeconds(10), "sh", "-c",
                    "curl -sS --max-time " + TRANSFER_LIMIT.toSeconds() + " -w '%{stderr}" + CURL_WRITE_OUT + "' "
                            + url("big.bin") + " | sha256sum");
        } finally {
            watch.interrupt();
        }
        long wall = ms(t0);
        List<Matcher> lines = curlLines(r.output());
        assertThat(lines).as(r.output()).hasSize(1);
        Matcher c = lines.getFirst();
        assertThat(c.group(1)).as("HTTP status curl got").isEqualTo("200");
        assertThat(c.group(2)).as("bytes curl got").isEqualTo(String.valueOf(SIZE));
        Matcher sha = r.output().lines().map(l -> SHA_LINE.matcher(l.strip())).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no sha256sum line in: " + r.output()));
        assertThat(sha.group(1)).as("SHA-256 of what curl got").isEqualTo(bigSha);
        long curlMs = Math.round(Double.parseDouble(c.group(3)) * 1000);
        System.err.printf("apps: curl took %d ms (%d ms with process start and hashing)%n", curlMs, wall);
        return curlMs;
    }

    /** HttpClient on the stack fetches big.bin from the Python server at {@code host}; returns the time. */
    private long stackDownloadsBig(String host) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String url = "http://" + host + ":" + PYTHON_PORT + "/big.bin";
        long t0 = System.nanoTime();
        Future<HttpClient.Response> get = threads.submit(() -> {
            try (DigestOutputStream body = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
                return HttpClient.get(bench.stack(), url, body);
            }
        });
        Thread watch = watchProgress("stack client <- python3 http.server");
        HttpClient.Response r;
        try {
            r = await(get, "the download of " + url);
        } finally {
            watch.interrupt();
        }
        long ms = ms(t0);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(sha.digest())).as("SHA-256 of what the stack got").isEqualTo(bigSha);
        return ms;
    }

    private static void startPythonHttpServer(BenchNamespace where, String bind) throws Exception {
        TapBench.assumeCommand("python3", "python3");
        TapBench.assumeCommand("ss", "iproute2");
        where.start("python3", "-m", "http.server", String.valueOf(PYTHON_PORT), "--bind", bind, "--directory", www.toString());
        assertThat(where.awaitListening("tcp", PYTHON_PORT, Duration.ofSeconds(15))).as("python3 http.server listens").isTrue();
    }

    // ---- loss ----

    /**
     * nftables in the TAP's namespace, forward chain: count the packets from and to the TAP, and
     * drop LOSS_PERCENT% of each at random.
     */
    private void dropOnTap() throws IOException, InterruptedException {
        BenchNamespace router = bench.kernelSide();
        Duration t = Duration.ofSeconds(10);
        router.check(t, "nft", "add", "table", "inet", "loss");
        router.check(t, "nft", "add", "chain", "inet", "loss", "forward", "{ type filter hook forward priority 0; }");
        for (String match : new String[] {"iifname", "oifname"}) {
            router.check(t, "nft", "add", "rule", "inet", "loss", "forward", match, bench.device(), "counter");
            router.check(t, "nft", "add", "rule", "inet", "loss", "forward", match, bench.device(),
                    "numgen", "random", "mod", "100", "<", String.valueOf(LOSS_PERCENT), "counter", "drop");
        }
    }

    /** Both directions lost about LOSS_PERCENT% of their packets, so the lossy run really was lossy; prints how many. */
    private void assertDropped() throws IOException, InterruptedException {
        String rules = bench.kernelSide().check(Duration.ofSeconds(10), "nft", "list", "table", "inet", "loss").output();
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(rules);
        long[] c = new long[4]; // from the stack: all, dropped; to the stack: all, dropped
        for (int i = 0; i < 4; i++) {
            assertThat(m.find()).as("four nft counters in%n%s", rules).isTrue();
            c[i] = Long.parseLong(m.group(1));
        }
        System.err.printf("apps: nftables dropped %d of %d packets from the stack (%.1f%%), %d of %d to it (%.1f%%)%n",
                c[1], c[0], 100.0 * c[1] / Math.max(1, c[0]), c[3], c[2], 100.0 * c[3] / Math.max(1, c[2]));
        for (int i = 0; i < 4; i += 2) {
            assertThat(c[i]).as("packets nftables saw").isGreaterThan(1000);
            assertThat(100.0 * c[i + 1] / c[i]).as("percent dropped (%s the stack)", i == 0 ? "from" : "to")
                    .isBetween(LOSS_PERCENT * 0.6, LOSS_PERCENT * 1.4);
        }
    }

    // ---- helpers ----

    private String url(String file) {
        return "http://" + bench.stackAddress() + ":" + HTTP_PORT + "/" + file;
    }

    private static List<Matcher> curlLines(String output) {
        return output.lines().map(l -> CURL.matcher(l.strip())).filter(Matcher::matches).toList();
    }

    private static <T> T await(Future<T> f, String what) throws Exception {
        try {
            return f.get(TRANSFER_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError(what + " did not finish within " + TRANSFER_LIMIT, e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** One line from {@code in}, read on a virtual thread so a silent process cannot hang the test; null on timeout or end. */
    private String readLine(BufferedReader in, Duration timeout) throws InterruptedException {
        CompletableFuture<String> f = new CompletableFuture<>();
        threads.submit(() -> {
            try {
                f.complete(in.readLine());
            } catch (IOException e) {
                f.complete(null);
            }
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** Every 5 s until interrupted: the stack's TCP connections, so a slow or stuck transfer explains itself. */
    private Thread watchProgress(String what) {
        return Thread.ofVirtual().start(() -> {
            long t0 = System.nanoTime();
            try {
                while (true) {
                    Thread.sleep(5000);
                    System.err.printf("apps: %s still running after %d s: %s%n", what, (System.nanoTime() - t0) / 1_000_000_000,
                            bench.stack().sockets().stream()
                                    .filter(s -> s.protocol().equalsIgnoreCase("TCP") && !s.state().equals("TIME_WAIT")).toList());
                }
            } catch (InterruptedException e) {
                // done
            }
        });
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void record(String name, long ms) {
        TIMES.put(name, ms);
        System.err.printf("apps: %s: %d ms%n", name, ms);
    }
}
