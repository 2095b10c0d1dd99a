package dev.tsunagu.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.driver.pcap.VethBench;
import dev.tsunagu.driver.pcap.replay.PcapFileDriver;
import dev.tsunagu.link.capture.CapturedFrame;
import dev.tsunagu.link.capture.PcapReader;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
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
    private static final int HTTP_PORT = 8080;
    private static final int PYTHON_PORT = 8000;
    private static final Duration TRANSFER_LIMIT = Duration.ofSeconds(60);
    private static final String SMALL = "Hello from Tsunagu through libpcap!\n";
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

    private VethBench.Namespace startBench() throws Exception {
        VethBench.assumeLiveCapture();
        bench = VethBench.start(SUBNET);
        return bench.kernelSide();
    }

    @Test
    void curlFetchesTenMegabytesFromTheStack() throws Exception {
        VethBench.Namespace ns = startBench();
        VethBench.assumeCommand("curl", "curl");
        VethBench.assumeCommand("sha256sum", "coreutils");
        try (HttpFileServer server = HttpFileServer.serve(bench.stack(), HTTP_PORT, www)) {
            VethBench.Result r = ns.exec(TRANSFER_LIMIT.plusSeconds(10), "sh", "-c",
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
            System.err.printf("examples: curl <- stack over pcap, 10 MB in %s s%n", c.group(3));
        }
        assertThat(bench.driver().framesTruncated()).as("no frame longer than the MTU reached us").isZero();
    }

    @Test
    void theStackDownloadsTenMegabytesFromPythonHttpServer() throws Exception {
        VethBench.Namespace ns = startBench();
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
        System.err.printf("examples: stack <- python3 http.server over pcap, 10 MB in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void aRecordedCurlSessionReplaysIntoAFreshStack() throws Exception {
        VethBench.Namespace ns = startBench();
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
            VethBench.Result r = ns.exec(Duration.ofSeconds(20), "curl", "-sS", "--max-time", "10", url("small.txt"));
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).isEqualTo(SMALL);
        }
        // On a busy machine tcpdump may lag behind the wire: wait until it has written the
        // session up to curl's FIN before stopping it (SIGTERM loses what it has not read yet).
        long stackMac = bench.stack().primaryInterface().macBits();
        List<byte[]> written = awaitRecorded(recording, stackMac, Duration.ofSeconds(15));
        assertThat(written.stream().anyMatch(f -> isTcp(f) && mac(f, 6) != stackMac && (flags(f) & FIN) != 0))
                .as("curl's FIN recorded; TCP flags of the %d frames written: %s", written.size(),
                        written.stream().filter(PcapHttpInteropTest::isTcp).map(f -> Integer.toHexString(flags(f))).toList())
                .isTrue();
        tcpdump.destroy(); // SIGTERM: tcpdump writes out what it has and exits
        assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).as("tcpdump stopped").isTrue();
        List<byte[]> recorded = frames(recording);
        byte[] syn = recorded.stream().filter(f -> isTcp(f) && flags(f) == SYN).findFirst()
                .orElseThrow(() -> new AssertionError("no SYN among the " + recorded.size() + " frames recorded"));

        // Replay it into a fresh stack at the stack's address, same server, recorded pace on its own loop.
        Path out = work.resolve("replayed.pcap");
        PcapFileDriver replay = (PcapFileDriver) LinkDrivers.installed().create("pcap-file:" + recording + ",out=" + out);
        assertThat(replay.mac()).as("the stack plays the host the recorded SYN went to").isEqualTo(bench.stack().primaryInterface().mac());
        NetworkStack replayed = NetworkStack.builder().name("replayed")
                .addInterface(InterfaceConfig.of(replay).address(bench.stackAddress() + "/24")).build();
        try (HttpFileServer server = HttpFileServer.serve(replayed, HTTP_PORT, www)) {
            replay.finished().get(20, TimeUnit.SECONDS);
            List<byte[]> sent = awaitResponse(replay, out, Duration.ofSeconds(10));
            byte[] synAck = sent.stream().filter(PcapHttpInteropTest::isTcp).findFirst().orElseThrow();
            assertThat(flags(synAck)).as("the recorded SYN is answered by a SYN+ACK").isEqualTo(SYN | ACK);
            assertThat(ack(synAck)).isEqualTo(seq(syn) + 1);
            String response = new String(responseBytes(sent), StandardCharsets.ISO_8859_1);
            assertThat(response).as("the recorded request is answered with the file").startsWith("HTTP/1.1 200").endsWith(SMALL);
            assertThat(server.requestsServed()).isEqualTo(1);
        } finally {
            replayed.close();
        }
    }

    // ---- helpers ----

    private String url(String file) {
        return "http://" + bench.stackAddress() + ":" + HTTP_PORT + "/" + file;
    }

    /** Frames the stack sent in the replay, once they hold the whole response (the replay's output is flushed and read until then). */
    private static List<byte[]> awaitResponse(PcapFileDriver replay, Path out, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            replay.flush();
            List<byte[]> sent = frames(out);
            if (new String(responseBytes(sent), StandardCharsets.ISO_8859_1).endsWith(SMALL) || System.nanoTime() > end) {
                return sent;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** The frames tcpdump has written, once they hold a SYN and the client's FIN (or when {@code timeout} passes). */
    private static List<byte[]> awaitRecorded(Path recording, long stackMac, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<byte[]> seen = List.of();
        while (System.nanoTime() < end) {
            try {
                seen = frames(recording);
            } catch (IOException e) {
                // a record half written: look again
            }
            boolean syn = seen.stream().anyMatch(f -> isTcp(f) && flags(f) == SYN);
            boolean fin = seen.stream().anyMatch(f -> isTcp(f) && mac(f, 6) != stackMac && (flags(f) & FIN) != 0);
            if (syn && fin) {
                return seen;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return seen;
    }

    /** The TCP payload the stack sent, by sequence number from its SYN+ACK. */
    private static byte[] responseBytes(List<byte[]> sent) {
        List<byte[]> tcp = sent.stream().filter(PcapHttpInteropTest::isTcp).toList();
        if (tcp.isEmpty()) {
            return new byte[0];
        }
        int isn = seq(tcp.getFirst());
        byte[] data = new byte[64 * 1024];
        int end = 0;
        for (byte[] f : tcp) {
            int tcpAt = 14 + (f[14] & 0x0F) * 4;
            int from = tcpAt + ((f[tcpAt + 12] & 0xF0) >>> 4) * 4;
            int to = 14 + u16(f, 16);
            int at = seq(f) - isn - 1;
            if (to > from && at >= 0 && at + to - from <= data.length) {
                System.arraycopy(f, from, data, at, to - from);
                end = Math.max(end, at + to - from);
            }
        }
        return java.util.Arrays.copyOf(data, end);
    }

    private static List<byte[]> frames(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(file)) {
            for (CapturedFrame f = r.next(); f != null; f = r.next()) {
                out.add(f.data());
            }
        }
        return out;
    }

    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;

    private static boolean isTcp(byte[] f) {
        return f.length >= 54 && u16(f, 12) == 0x0800 && (f[14] & 0xF0) == 0x40 && (f[23] & 0xFF) == 6;
    }

    private static int flags(byte[] f) {
        return f[14 + (f[14] & 0x0F) * 4 + 13] & 0x3F;
    }

    private static int seq(byte[] f) {
        return i32(f, 14 + (f[14] & 0x0F) * 4 + 4);
    }

    private static int ack(byte[] f) {
        return i32(f, 14 + (f[14] & 0x0F) * 4 + 8);
    }

    private static long mac(byte[] f, int i) {
        return (long) u16(f, i) << 32 | (i32(f, i + 2) & 0xFFFF_FFFFL);
    }

    private static int u16(byte[] f, int i) {
        return (f[i] & 0xFF) << 8 | (f[i + 1] & 0xFF);
    }

    private static int i32(byte[] f, int i) {
        return u16(f, i) << 16 | u16(f, i + 2);
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
