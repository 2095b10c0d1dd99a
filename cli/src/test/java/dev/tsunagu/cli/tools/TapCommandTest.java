package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.cli.Tsunagu;
import dev.tsunagu.testkit.host.ReadableClassPath;
import dev.tsunagu.testkit.host.BenchNamespace;
import dev.tsunagu.testkit.host.TapBench;
import dev.tsunagu.testkit.host.WireCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's hand-run TAP recipe, run for real: the {@code tsunagu} command in a child JVM
 * inside a network namespace (as a user runs it in a shell), on a TAP made there with
 * {@code ip tuntap add}, the kernel side at 10.82.1.1/24 and the command's stack at 10.82.1.2:
 * {@code curl} against {@code http-serve}, {@code http-get} against
 * {@code python3 -m http.server}, and {@code ping} both ways. The namespace comes from
 * driver-tap's test kit ({@link TapBench}, whose own stack on its own TAP in 10.82.0.0/24 stays
 * idle). Also: a TAP without the permission to make one is one line and exit 1.
 *
 * <p>Skips loudly without root / CAP_NET_ADMIN or the tools.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TapCommandTest {
    private static final int SUBNET = 82;
    private static final String KERNEL = "10.82.1.1";
    private static final String STACK = "10.82.1.2";
    private static final String KERNEL6 = "fd00:82::1";
    private static final String STACK6 = "fd00:82::2";
    private static final String TAP = "tsucli0";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int TEN_MB = 10 << 20;

    @TempDir
    Path www;

    private TapBench bench;

    @AfterEach
    void tearDown() {
        if (bench != null) {
            bench.close(); // kills what runs in the namespace (our child JVMs too) and deletes it with the TAP
        }
    }

    private BenchNamespace namespaceWithTap() throws Exception {
        bench = TapBench.start(SUBNET);
        BenchNamespace ns = bench.kernelSide();
        // The README's recipe, in the namespace (there the user is root, so no "user" option).
        ns.check(DEADLINE, "ip", "tuntap", "add", "dev", TAP, "mode", "tap");
        ns.check(DEADLINE, "ip", "addr", "add", KERNEL + "/24", "dev", TAP);
        ns.check(DEADLINE, "ip", "link", "set", TAP, "up");
        return ns;
    }

    @Test
    void theReadmeRecipe() throws Exception {
        TapBench.assumeTapAndNetns();
        TapBench.assumeCommand("curl", "curl");
        TapBench.assumeCommand("python3", "python3");
        TapBench.assumeCommand("ping", "iputils-ping");
        Files.writeString(www.resolve("hello.txt"), "Hello through a TAP!\n");
        BenchNamespace ns = namespaceWithTap();

        // curl against http-serve; the kernel pings the stack meanwhile.
        Process serve = ns.start(tsunagu("http-serve", "--driver", "tap:" + TAP, "--ip", STACK + "/24", "--port", "8080",
                "--dir", www.toString()));
        List<String> serveOut = new ArrayList<>();
        awaitLine(serve, serveOut, "Ctrl-C stops");
        BenchNamespace.Result curl = ns.exec(DEADLINE, "curl", "-sS", "--max-time", "10", "http://" + STACK + ":8080/hello.txt");
        assertThat(curl.exit()).as(curl.output()).isZero();
        assertThat(curl.output()).isEqualTo("Hello through a TAP!\n");
        BenchNamespace.Result kernelPing = ns.exec(DEADLINE, "ping", "-c", "3", "-i", "0.2", "-W", "2", STACK);
        assertThat(kernelPing.exit()).as(kernelPing.output()).isZero();
        assertThat(kernelPing.output()).contains("3 packets transmitted, 3 received");
        serve.destroy(); // SIGTERM: the command stops cleanly and releases the TAP
        assertThat(serve.waitFor(20, TimeUnit.SECONDS)).as("http-serve ends on SIGTERM: " + serveOut).isTrue();

        // http-get against python3 -m http.server.
        ns.start("python3", "-m", "http.server", "8000", "--bind", KERNEL, "--directory", www.toString());
        assertThat(ns.awaitListening("tcp", 8000, DEADLINE)).as("python3 http.server listening").isTrue();
        BenchNamespace.Result get = ns.exec(DEADLINE, tsunagu("http-get", "--driver", "tap:" + TAP, "--ip", STACK + "/24",
                "http://" + KERNEL + ":8000/hello.txt"));
        assertThat(get.exit()).as(get.output()).isZero();
        assertThat(get.output()).contains("Hello through a TAP!\n");

        // The stack pings the kernel.
        BenchNamespace.Result ping = ns.exec(DEADLINE, tsunagu("ping", "--driver", "tap:" + TAP, "--ip", STACK + "/24",
                "-c", "3", "-i", "0.2", KERNEL));
        assertThat(ping.exit()).as(ping.output()).isZero();
        assertThat(ping.output()).containsPattern("64 bytes from 10\\.82\\.1\\.1: icmp_seq=1 ttl=64 time=")
                .contains("3 packets transmitted, 3 received, 0% packet loss");
    }

    /**
     * The same over IPv6, with {@code --ip} given twice: {@code curl -6} to {@code http-serve} by
     * a bracketed URL, and {@code http-get} from {@code python3 -m http.server --bind ::}, 10 MB
     * each way, SHA-256 checked; each command's {@code --pcap} checked by tshark (nothing
     * malformed, every checksum the command's stack computed good, TCP over IPv6 only).
     */
    @Test
    void curlAndHttpGetOverIpv6(@TempDir Path captures) throws Exception {
        TapBench.assumeTapAndNetns();
        TapBench.assumeCommand("curl", "curl");
        TapBench.assumeCommand("python3", "python3");
        String sha = tenMegabytes(www.resolve("blob"), 29);
        BenchNamespace ns = namespaceWithTap();
        // A device may come with IPv6 off; nodad: the kernel's address is usable at once (the stack runs its own DAD).
        ns.check(DEADLINE, "sysctl", "-qw", "net.ipv6.conf." + TAP + ".disable_ipv6=0");
        ns.check(DEADLINE, "ip", "-6", "addr", "add", KERNEL6 + "/64", "dev", TAP, "nodad");
        Path got = www.resolve("got");

        Path servePcap = captures.resolve("http-serve.pcap");
        Process serve = ns.start(tsunagu("http-serve", "--driver", "tap:" + TAP, "--ip", STACK + "/24",
                "--ip", STACK6 + "/64", "--port", "8080", "--dir", www.toString(), "--pcap", servePcap.toString()));
        List<String> serveOut = new ArrayList<>();
        awaitLine(serve, serveOut, "Ctrl-C stops");
        BenchNamespace.Result curl = ns.exec(Duration.ofSeconds(60), "curl", "-6", "-g", "-sS", "--max-time", "50",
                "-o", got.toString(), "http://[" + STACK6 + "]:8080/blob");
        assertThat(curl.exit()).as(curl.output() + serveOut).isZero();
        assertThat(sha256(got)).isEqualTo(sha);
        serve.destroy();
        assertThat(serve.waitFor(20, TimeUnit.SECONDS)).as("http-serve ends on SIGTERM: " + serveOut).isTrue();
        checkWire(servePcap);

        Files.delete(got);
        ns.start("python3", "-m", "http.server", "8000", "--bind", "::", "--directory", www.toString());
        assertThat(ns.awaitListening("tcp", 8000, DEADLINE)).as("python3 http.server listening").isTrue();
        Path getPcap = captures.resolve("http-get.pcap");
        BenchNamespace.Result get = ns.exec(Duration.ofSeconds(60), tsunagu("http-get", "--driver", "tap:" + TAP,
                "--ip", STACK + "/24", "--ip", STACK6 + "/64", "-o", got.toString(), "--pcap", getPcap.toString(),
                "http://[" + KERNEL6 + "]:8000/blob"));
        assertThat(get.exit()).as(get.output()).isZero();
        assertThat(sha256(got)).isEqualTo(sha);
        checkWire(getPcap);
    }

    /** tshark on a command's capture: nothing malformed, the stack's checksums good, 10 MB of TCP over IPv6 and none over IPv4. */
    private static void checkWire(Path pcap) throws Exception {
        // Each command's stack picks its own MAC: the one its IPv6 address is sent from.
        WireCheck wire = WireCheck.check(pcap, WireCheck.sourceMac(pcap, "ipv6.src == " + STACK6));
        if (wire != null) {
            // Bytes, not segments: with the TAP's offloads the stack sends segments of many MSS.
            assertThat(wire.sum("tcp.len", "ipv6 && tcp.checksum.status == 1", false))
                    .as("TCP payload bytes over IPv6 with good checksums").isGreaterThanOrEqualTo(TEN_MB);
            assertThat(wire.count("ip", false)).as("IPv4 packets (the transfer went over IPv6)").isZero();
        }
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /**
     * {@code tsunagu java}: an unchanged program using the JDK's own HTTP client
     * ({@code HttpURLConnection}, on {@code java.net.Socket}) fetches 10 MB from
     * {@code python3 -m http.server} by a name that dnsmasq answers, both on the kernel side: the
     * name through the stack's DNS over the TAP, the bytes over the stack's TCP (SHA-256 checked).
     */
    @Test
    void tsunaguJavaRunsAnUnchangedProgramOnTheTapWithNamesFromDnsmasq() throws Exception {
        TapBench.assumeTapAndNetns();
        TapBench.assumeCommand("python3", "python3");
        TapBench.assumeCommand("dnsmasq", "dnsmasq");
        String sha = tenMegabytes(www.resolve("blob"), 13);
        Path fetch = Files.writeString(www.resolve("Fetch.java"), """
                import java.io.InputStream;
                import java.net.*;
                import java.security.MessageDigest;
                import java.util.HexFormat;

                class Fetch {
                    public static void main(String[] args) throws Exception {
                        HttpURLConnection c = (HttpURLConnection) URI.create(args[0]).toURL().openConnection();
                        MessageDigest sha = MessageDigest.getInstance("SHA-256");
                        long n = 0;
                        try (InputStream in = c.getInputStream()) {
                            byte[] b = new byte[65536];
                            for (int r; (r = in.read(b)) > 0; n += r) {
                                sha.update(b, 0, r);
                            }
                        }
                        System.out.println(c.getResponseCode() + " " + n + " " + HexFormat.of().formatHex(sha.digest()));
                    }
                }
                """);
        BenchNamespace ns = namespaceWithTap();
        ns.start("python3", "-m", "http.server", "8000", "--bind", KERNEL, "--directory", www.toString());
        ns.start("dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--pid-file", "--no-resolv", "--no-hosts",
                "--bind-interfaces", "--listen-address=" + KERNEL, "--port=53", "--local-ttl=300",
                "--address=/www.example.test/" + KERNEL);
        assertThat(ns.awaitListening("tcp", 8000, DEADLINE)).as("python3 http.server listening").isTrue();
        assertThat(ns.awaitListening("udp", 53, DEADLINE)).as("dnsmasq listening").isTrue();

        BenchNamespace.Result r = ns.exec(Duration.ofSeconds(90), tsunagu("java", "--driver", "tap:" + TAP,
                "--ip", STACK + "/24", "--dns", KERNEL, "--", fetch.toString(), "http://www.example.test:8000/blob"));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("200 " + TEN_MB + " " + sha);
    }

    /**
     * {@code tsunagu java} with the JDK's NIO on the stack: {@code java.net.http.HttpClient}
     * fetches 10 MB from {@code python3 -m http.server} (SHA-256 checked), then the README's
     * example, the JDK's own {@code jwebserver} ({@code -m jdk.httpserver}) on the stack, answers
     * {@code curl} from the kernel side.
     */
    @Test
    void tsunaguJavaRunsHttpClientAndJwebserverOnTheTap() throws Exception {
        TapBench.assumeTapAndNetns();
        TapBench.assumeCommand("python3", "python3");
        TapBench.assumeCommand("curl", "curl");
        String sha = tenMegabytes(www.resolve("blob"), 17);
        Files.writeString(www.resolve("hello.txt"), "Hello from jwebserver on Tsunagu!\n");
        Path get = Files.writeString(www.resolve("Get.java"), """
                import java.net.URI;
                import java.net.http.HttpClient;
                import java.net.http.HttpRequest;
                import java.net.http.HttpResponse;
                import java.security.MessageDigest;
                import java.util.HexFormat;

                class Get {
                    public static void main(String[] args) throws Exception {
                        try (HttpClient http = HttpClient.newHttpClient()) {
                            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(args[0])).build(),
                                    HttpResponse.BodyHandlers.ofByteArray());
                            byte[] body = r.body();
                            System.out.println(r.statusCode() + " " + body.length + " "
                                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
                        }
                    }
                }
                """);
        BenchNamespace ns = namespaceWithTap();
        ns.start("python3", "-m", "http.server", "8001", "--bind", KERNEL, "--directory", www.toString());
        assertThat(ns.awaitListening("tcp", 8001, DEADLINE)).as("python3 http.server listening").isTrue();
        BenchNamespace.Result fetched = ns.exec(Duration.ofSeconds(90), tsunagu("java", "--driver", "tap:" + TAP,
                "--ip", STACK + "/24", "--", get.toString(), "http://" + KERNEL + ":8001/blob"));
        assertThat(fetched.exit()).as(fetched.output()).isZero();
        assertThat(fetched.output()).contains("200 " + TEN_MB + " " + sha);

        // The README's example, as written there (the folder given with -d).
        Process jwebserver = ns.start(tsunagu("java", "--driver", "tap:" + TAP, "--ip", STACK + "/24", "--",
                "-m", "jdk.httpserver", "-b", STACK, "-p", "8000", "-d", www.toString()));
        List<String> said = new ArrayList<>();
        awaitLine(jwebserver, said, "Serving");
        BenchNamespace.Result curl = ns.exec(DEADLINE, "curl", "-sS", "--max-time", "10", "http://" + STACK + ":8000/hello.txt");
        assertThat(curl.exit()).as(curl.output() + said).isZero();
        assertThat(curl.output()).isEqualTo("Hello from jwebserver on Tsunagu!\n");
        jwebserver.destroy();
        assertThat(jwebserver.waitFor(20, TimeUnit.SECONDS)).as("tsunagu java ends on SIGTERM, and its program with it").isTrue();
    }

    @Test
    void noPermissionForATapIsOneLineAndExitOne(@TempDir Path cp) throws Exception {
        TapBench.assumeTapAndNetns(); // root here: we drop to nobody for the command
        TapBench.assumeCommand("setpriv", "util-linux");
        String classPath = copyClassPath(cp);
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        c.addAll(java(classPath, "ping", "--driver", "tap:tsunoperm0", "-c", "1", "10.0.0.1"));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String said = out.get(10, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(said).isEqualTo(1);
        assertThat(said.lines().toList()).singleElement().asString().startsWith("tsunagu: ").containsIgnoringCase("permission");
    }

    /** Writes 10 MB of seeded random bytes to {@code file}; their SHA-256 in hex. */
    private static String tenMegabytes(Path file, long seed) throws Exception {
        byte[] blob = new byte[TEN_MB];
        new java.util.Random(seed).nextBytes(blob);
        Files.write(file, blob);
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(blob));
    }

    // ---- child JVMs ----

    private static String[] tsunagu(String... args) {
        return java(System.getProperty("java.class.path"), args).toArray(String[]::new);
    }

    private static List<String> java(String classPath, String... args) {
        List<String> c = new ArrayList<>();
        c.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        c.add("--enable-native-access=ALL-UNNAMED");
        c.add("-Xshare:auto");
        c.add("-cp");
        c.add(classPath);
        c.add(Tsunagu.class.getName());
        c.addAll(List.of(args));
        return c;
    }

    /** Waits until the process prints a line containing {@code marker}; fails with what it said otherwise. */
    private static void awaitLine(Process p, List<String> seen, String marker) throws Exception {
        CompletableFuture<Void> found = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (seen) {
                        seen.add(line);
                    }
                    if (line.contains(marker)) {
                        found.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            found.complete(null);
        });
        found.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        synchronized (seen) {
            assertThat(seen).as("the command's output").anyMatch(l -> l.contains(marker));
        }
    }

    /** This test's class path, copied where another user can read it (the Maven repository is root's). */
    private static String copyClassPath(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return ReadableClassPath.copyOfThisJvm(dir);
    }
}
