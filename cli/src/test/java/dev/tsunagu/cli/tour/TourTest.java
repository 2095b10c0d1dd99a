package dev.tsunagu.cli.tour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.testkit.Tshark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tour runs in-process on the virtual clock and tells the seeds' journey, in order. */
class TourTest {
    @TempDir
    Path dir;

    private record Run(String text, Tour.Result result) {}

    private Run tour(long seed, String pcapName) throws Exception {
        StringWriter text = new StringWriter();
        Tour.Result r = Tour.run(new Tour.Config(seed, 1500, Duration.ofMillis(40), dir.resolve(pcapName)),
                new PrintWriter(text, true));
        return new Run(text.toString(), r);
    }

    /** Every stage of the journey, as a pattern one narration line must match, in this order. */
    private static final List<String> STAGES = List.of(
            "browser +socket\\(SOCK_STREAM\\) = 3: .*descriptor 3",
            "browser +connect\\(3, \"www\\.example\\.test\", 80\\)",
            "browser -> all +ARP request .*who has 10\\.0\\.0\\.53\\?",
            "dns -> browser +ARP reply .*10\\.0\\.0\\.53 is at",
            "browser -> dns +UDP 10\\.0\\.0\\.1:\\d+ -> 10\\.0\\.0\\.53:53.*DNS query id 0x\\p{XDigit}{4}.*www\\.example\\.test",
            "UDP +4 +0\\.0\\.0\\.0:\\d+ +10\\.0\\.0\\.53:53 ",
            "dns -> browser +UDP 10\\.0\\.0\\.53:53 .*DNS answer .*www\\.example\\.test is 10\\.0\\.0\\.80",
            "browser -> all +ARP request .*who has 10\\.0\\.0\\.80\\?",
            "www -> browser +ARP reply .*10\\.0\\.0\\.80 is at",
            "browser -> www +TCP \\d+ -> 80, SYN, seq \\d+ \\(the ISN: a random initial sequence number.*MSS 1460",
            "www -> browser +TCP 80 -> \\d+, SYN\\+ACK, seq \\d+ .*ack \\d+ \\(the client's ISN \\+ 1.*MSS 1460",
            "browser -> www +TCP \\d+ -> 80, ACK, ack 1, .*ESTABLISHED",
            "browser +connect returned after [\\d.]+ ms: the connection is ESTABLISHED",
            " 3 +10\\.0\\.0\\.1:\\d+ +10\\.0\\.0\\.80:80 +ESTABLISHED .*rto \\d+ms",
            "www +accept\\(3\\) = 4",
            "browser +write\\(3, 4380 bytes\\)",
            "browser -> www +TCP .*data, seq 1:1461 \\(1460 bytes: a full segment, one MSS\\)",
            "browser -> www +TCP .*data, seq 1461:2921 \\(1460 bytes",
            "cable +LOST: the fault injector drops this segment",
            "browser -> www +TCP .*data, seq 2921:4381 \\(1460 bytes",
            " 3 +10\\.0\\.0\\.1:\\d+ +10\\.0\\.0\\.80:80 +ESTABLISHED +4380 ",
            "www -> browser +TCP .*ACK, ack 1461, window 6,732: .*room for 6,732 more",
            "browser -> www +TCP .*RETRANSMISSION of seq 1461:2921 .*ran out after [\\d.]+ ms, the RTO",
            "www -> browser +TCP .*ACK, ack 4381, window 3,812: the retransmission filled the gap.*kept the bytes",
            " 3 +10\\.0\\.0\\.1:\\d+ +10\\.0\\.0\\.80:80 +ESTABLISHED +0 +0 ",
            " 4 +10\\.0\\.0\\.80:80 +10\\.0\\.0\\.1:\\d+ +ESTABLISHED +0 +4380 ",
            "www -> browser +TCP .*window update, ack 4381, window 8,192",
            "www +read\\(4\\) = 4380 bytes: .*the whole request \\(4380 bytes\\) has arrived",
            "www -> browser +TCP .*data, seq 1:\\d+ \\(\\d+ bytes\\), ack 4381",
            "www -> browser +TCP .*FIN\\+ACK",
            "browser -> www +TCP .*ACK, ack \\d+: acknowledges the peer's FIN",
            "browser +read\\(3\\) = \\d+ bytes from the receive buffer: \"HTTP/1\\.1 201 Created",
            "browser +read\\(3\\) = -1: end of stream",
            "browser +close\\(3\\)",
            "browser -> www +TCP .*FIN\\+ACK",
            "www -> browser +TCP .*ACK, ack \\d+: acknowledges the peer's FIN",
            "the control block is deleted at once",
            "TCP +- +10\\.0\\.0\\.80:80 +10\\.0\\.0\\.1:\\d+ +TIME_WAIT",
            "^ *6\\d\\.\\d{6} +www +TIME_WAIT is over: the connection's control block is deleted",
            "Wrote .*tour\\.pcap \\(\\d+ frames");

    @Test
    void narratesEveryStageOfTheJourneyInOrder() throws Exception {
        assertTellsTheWholeJourney(1);
    }

    /** Other MACs, ports, ISNs and DNS ids must not change the story: seeds 2 to 25 (a failure names its seed). */
    @Test
    void everySeedTellsTheWholeJourney() throws Exception {
        for (long seed = 2; seed <= 25; seed++) {
            assertTellsTheWholeJourney(seed);
        }
    }

    private void assertTellsTheWholeJourney(long seed) throws Exception {
        Run run = tour(seed, "tour.pcap");
        assertStages(seed, run.text(), STAGES);
        assertThat(run.result().framesLost()).as("seed %d", seed).isEqualTo(1);
        assertThat(run.result().retransmissions()).as("seed %d", seed).isEqualTo(1);
    }

    /** Each of {@code stages} matches a line of {@code text}, in order. */
    private static void assertStages(long seed, String text, List<String> stages) {
        List<String> lines = text.lines().toList();
        int at = 0;
        for (String stage : stages) {
            Pattern p = Pattern.compile(stage);
            int found = -1;
            for (int i = at; i < lines.size(); i++) {
                if (p.matcher(lines.get(i)).find()) {
                    found = i;
                    break;
                }
            }
            assertThat(found).as("seed %d: a line matching /%s/ after line %d of:%n%s", seed, stage, at, text)
                    .isGreaterThanOrEqualTo(0);
            at = found + 1;
        }
    }

    @Test
    void theSameSeedTellsTheSameStoryAndAnotherSeedAnother() throws Exception {
        String a = tour(7, "a.pcap").text().replace("a.pcap", "X");
        String b = tour(7, "b.pcap").text().replace("b.pcap", "X");
        String c = tour(8, "c.pcap").text().replace("c.pcap", "X");
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a); // other MACs, ports, ISNs and DNS ids
        assertThat(c).contains("RETRANSMISSION of seq 1461:2921");
    }

    // ---- tour --ipv6 ----

    private Run tour6(long seed, String pcapName) throws Exception {
        StringWriter text = new StringWriter();
        Tour.Result r = Tour.run(new Tour.Config(seed, 1500, Duration.ofMillis(40), dir.resolve(pcapName), false, null, true),
                new PrintWriter(text, true));
        return new Run(text.toString(), r);
    }

    /** The IPv6 journey's stages: DAD, Neighbor Discovery where IPv4 has ARP, AAAA then A, TCP with the IPv6 MSS. */
    private static final List<String> STAGES_IPV6 = List.of(
            "browser -> all +MLDv2 report to ff02::16 .*listens to 2 multicast groups",
            "browser -> all +Neighbor Solicitation from the unspecified address ::.*Duplicate Address Detection.*fd00::1\\?",
            "www -> all +Neighbor Solicitation from the unspecified address ::.*Duplicate Address Detection.*fd00::80\\?",
            "browser +\\p{XDigit}{2}(:\\p{XDigit}{2}){5} +fd00::1/64 +and fe80::",
            "browser +routing table: fd00::/64 dev eth0: hosts of fd00::/64 are on this cable",
            "browser +connect\\(3, \"www\\.example\\.test\", 80\\).*IPv6 \\(AAAA\\) first",
            "browser -> all +Neighbor Solicitation \\(multicast to ff02::1:ff00:53,.*who has fd00::53\\? tell fd00::1",
            "dns -> browser +Neighbor Advertisement \\(solicited, unicast\\): fd00::53 is at",
            "browser -> dns +UDP \\[fd00::1\\]:\\d+ -> \\[fd00::53\\]:53.*what is the AAAA record \\(IPv6 address\\) of www\\.example\\.test",
            "UDP +4 +\\[::\\]:\\d+ +\\[fd00::53\\]:53 ",
            "dns -> browser +UDP \\[fd00::53\\]:53 .*DNS answer .*www\\.example\\.test is fd00::80",
            "browser -> dns +UDP .*what is the A record \\(IPv4 address\\) of www\\.example\\.test",
            "dns -> browser +UDP .*DNS answer .*no records \\(NOERROR\\)",
            "browser -> all +Neighbor Solicitation \\(multicast to ff02::1:ff00:80,.*who has fd00::80\\?",
            "www -> browser +Neighbor Advertisement \\(solicited, unicast\\): fd00::80 is at",
            "browser -> www +TCP \\d+ -> 80, SYN, .*MSS 1440 \\(MTU 1500 - 60 bytes of IP and TCP headers\\)",
            "browser -> www +TCP \\d+ -> 80, ACK, ack 1, .*ESTABLISHED",
            " 3 +\\[fd00::1\\]:\\d+ +\\[fd00::80\\]:80 +ESTABLISHED .*rto \\d+ms",
            "browser +write\\(3, 4320 bytes\\)",
            "cable +LOST: the fault injector drops this segment",
            "browser -> www +TCP .*RETRANSMISSION of seq 1441:2881 .*ran out after [\\d.]+ ms, the RTO",
            "www +read\\(4\\) = 4320 bytes: .*the whole request \\(4320 bytes\\) has arrived",
            "browser +read\\(3\\) = -1: end of stream",
            "TCP +- +\\[fd00::80\\]:80 +\\[fd00::1\\]:\\d+ +TIME_WAIT",
            "^ *6\\d\\.\\d{6} +www +TIME_WAIT is over",
            "Wrote .*\\.pcap \\(\\d+ frames");

    @Test
    void theIpv6TourTellsTheJourneyWithNeighborDiscoveryAndAaaa() throws Exception {
        for (long seed : new long[] {1, 2, 3, 7}) {
            Run run = tour6(seed, "tour6.pcap");
            assertStages(seed, run.text(), STAGES_IPV6);
            assertThat(run.text()).as("seed %d", seed).doesNotContainPattern("ARP (request|reply|announcement) \\(").doesNotContain("10.0.0.");
            assertThat(run.result().framesLost()).as("seed %d", seed).isEqualTo(1);
            assertThat(run.result().retransmissions()).as("seed %d", seed).isEqualTo(1);
        }
    }

    @Test
    void theIpv6TourIsTheSameForTheSameSeed() throws Exception {
        String a = tour6(7, "a.pcap").text().replace("a.pcap", "X");
        String b = tour6(7, "b.pcap").text().replace("b.pcap", "X");
        String c = tour6(8, "c.pcap").text().replace("c.pcap", "X");
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
        assertThat(java.nio.file.Files.readAllBytes(dir.resolve("b.pcap"))).as("the same capture")
                .isEqualTo(java.nio.file.Files.readAllBytes(dir.resolve("a.pcap")));
    }

    /** Wireshark reads the IPv6 tour's capture: Neighbor Discovery, DNS AAAA, TCP over IPv6, nothing malformed. */
    @Test
    void theIpv6CaptureReadsCleanlyInTshark() throws Exception {
        Tshark.assumeInstalled();
        tour6(1, "v6.pcap");
        List<Tshark.Frame> frames = Tshark.read(dir.resolve("v6.pcap"));
        assertThat(frames).isNotEmpty();
        assertThat(frames).noneMatch(Tshark.Frame::malformed);
        assertThat(frames).allMatch(f -> f.protocols().contains("ipv6"));
        assertThat(frames).anyMatch(f -> f.protocols().contains("icmpv6"));
        assertThat(frames).anyMatch(f -> f.protocols().contains("dns"));
        assertThat(frames).anyMatch(f -> f.protocols().contains("tcp"));
    }

    @Test
    void aSmallerMtuCutsTheRequestIntoSmallerSegments() throws Exception {
        StringWriter text = new StringWriter();
        Tour.run(new Tour.Config(1, 576, Duration.ofMillis(5), dir.resolve("small.pcap")), new PrintWriter(text, true));
        assertThat(text.toString())
                .contains("MSS 536")
                .contains("write(3, 1608 bytes)")
                .contains("data, seq 537:1073 (536 bytes: a full segment, one MSS)")
                .contains("RETRANSMISSION of seq 537:1073");
    }

    @Test
    void thePageTellsTheSameStoryWithItsDiagrams() throws Exception {
        String plain = tour(1, "plain.pcap").text();
        StringWriter text = new StringWriter();
        Path html = dir.resolve("tour.html");
        Tour.run(new Tour.Config(1, 1500, Duration.ofMillis(40), dir.resolve("plain.pcap"), false, html),
                new PrintWriter(text, true));
        String told = text.toString();
        // The narration is the same, but for the last line that names the page.
        assertThat(told).startsWith(plain);
        assertThat(told.substring(plain.length())).startsWith("Wrote " + html).hasLineCount(1);

        String page = java.nio.file.Files.readString(html);
        org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8)));
        // One arrow per TCP segment the browser and the server sent (each is narrated once), one of them lost.
        long segments = plain.lines().filter(l -> l.matches(" *[\\d.]+ +(browser -> www|www -> browser) +TCP .*")).count();
        assertThat(segments).isGreaterThan(10);
        assertThat(elements(doc, "line", "segment")).isEqualTo(segments);
        assertThat(elements(doc, "line", "lost")).isEqualTo(1);
        assertThat(elements(doc, "line", "retransmission")).isEqualTo(1); // the time-sequence graph's red bar
        assertThat(elements(doc, "circle", "cwnd-point")).isGreaterThan(1);
        assertThat(page).contains("RETRANSMISSION of seq 1461:2921").doesNotContain("<script");
    }

    private static long elements(org.w3c.dom.Document doc, String tag, String cssClass) {
        org.w3c.dom.NodeList nodes = doc.getElementsByTagName(tag);
        long n = 0;
        for (int i = 0; i < nodes.getLength(); i++) {
            List<String> classes = List.of(((org.w3c.dom.Element) nodes.item(i)).getAttribute("class").split(" "));
            if (classes.contains(cssClass) && !classes.contains("legend")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aCaptureThatCannotBeWrittenIsOneClearError() {
        Path nowhere = dir.resolve("no/such/dir/t.pcap");
        assertThatThrownBy(() -> Tour.run(new Tour.Config(1, 1500, Duration.ofMillis(40), nowhere),
                new PrintWriter(new StringWriter())))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot write the capture " + nowhere + ": no such directory");
    }

    @Test
    void runsOnTheWallClockToo() throws Exception {
        StringWriter text = new StringWriter();
        long start = System.nanoTime();
        Tour.Result r = Tour.run(new Tour.Config(1, 1500, Duration.ofMillis(5), dir.resolve("rt.pcap"), true),
                new PrintWriter(text, true));
        // The same journey, though lines of the script and of the wire may interleave differently.
        assertThat(text.toString())
                .contains("real time")
                .contains("DNS answer")
                .contains("SYN+ACK")
                .contains("RETRANSMISSION of seq 1461:2921")
                .contains("read(3) = -1: end of stream")
                .contains("TIME_WAIT is over");
        assertThat(r.framesLost()).isEqualTo(1);
        assertThat(r.retransmissions()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("TIME_WAIT is shortened in real time")
                .isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void theCaptureShowsTheJourneyToTshark() throws Exception {
        Tshark.assumeInstalled();
        Path pcap = tour(1, "tour.pcap").result().pcap();
        assertThat(Tshark.read(pcap)).isNotEmpty().noneMatch(Tshark.Frame::malformed);
        List<Map<String, String>> frames = fields(pcap, "ip.src", "arp.opcode", "arp.src.proto_ipv4",
                "arp.dst.proto_ipv4", "dns.flags.response", "dns.qry.name", "dns.a", "tcp.flags.syn", "tcp.flags.ack",
                "tcp.flags.fin", "tcp.len", "tcp.seq", "tcp.ack", "tcp.options.mss_val", "tcp.analysis.retransmission",
                "http.request.method", "http.response.code");
        assertThat(count(frames, f -> f.get("dns.flags.response").equals("0")
                && f.get("dns.qry.name").equals("www.example.test"))).as("DNS query").isEqualTo(1);
        assertThat(count(frames, f -> f.get("dns.flags.response").equals("1")
                && f.get("dns.a").equals("10.0.0.80"))).as("DNS answer").isEqualTo(1);
        assertThat(count(frames, f -> f.get("arp.opcode").equals("1") && f.get("arp.src.proto_ipv4").equals("10.0.0.1")
                && f.get("arp.dst.proto_ipv4").equals("10.0.0.80"))).as("ARP request").isEqualTo(1);
        assertThat(count(frames, f -> f.get("arp.opcode").equals("2")
                && f.get("arp.src.proto_ipv4").equals("10.0.0.80"))).as("ARP reply").isEqualTo(1);
        assertThat(count(frames, f -> on(f, "tcp.flags.syn") && !on(f, "tcp.flags.ack")
                && f.get("tcp.options.mss_val").equals("1460"))).as("SYN").isEqualTo(1);
        assertThat(count(frames, f -> on(f, "tcp.flags.syn") && on(f, "tcp.flags.ack"))).as("SYN+ACK").isEqualTo(1);
        assertThat(count(frames, f -> f.get("tcp.flags.syn").equals("0") && f.get("tcp.seq").equals("1")
                && f.get("tcp.ack").equals("1") && f.get("tcp.len").equals("0"))).as("the handshake's ACK").isEqualTo(1);
        assertThat(count(frames, f -> f.get("ip.src").equals("10.0.0.1") && f.get("tcp.len").equals("1460")))
                .as("full segments of the request: three, one of them twice").isEqualTo(4);
        assertThat(count(frames, f -> !f.get("tcp.analysis.retransmission").isEmpty())).as("retransmission").isEqualTo(1);
        assertThat(count(frames, f -> f.get("http.request.method").equals("POST"))).as("HTTP request").isEqualTo(1);
        assertThat(count(frames, f -> f.get("http.response.code").equals("201"))).as("HTTP response").isEqualTo(1);
        assertThat(count(frames, f -> on(f, "tcp.flags.fin") && f.get("ip.src").equals("10.0.0.1"))).as("browser FIN").isEqualTo(1);
        assertThat(count(frames, f -> on(f, "tcp.flags.fin") && f.get("ip.src").equals("10.0.0.80"))).as("server FIN").isEqualTo(1);
    }

    private static boolean on(Map<String, String> frame, String flag) {
        String v = frame.get(flag);
        return v.equals("1") || v.equalsIgnoreCase("true");
    }

    private static long count(List<Map<String, String>> frames, Predicate<Map<String, String>> which) {
        return frames.stream().filter(which).count();
    }

    /** One map per frame of {@code pcap}: each field's value as tshark prints it, "" when absent. */
    private static List<Map<String, String>> fields(Path pcap, String... names) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-T", "fields", "-E", "separator=|",
                "-E", "occurrence=f"));
        for (String n : names) {
            command.add("-e");
            command.add(n);
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tshark -T fields failed on " + pcap);
        }
        List<Map<String, String>> frames = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] values = line.split("\\|", -1);
            Map<String, String> frame = new HashMap<>();
            for (int i = 0; i < names.length; i++) {
                frame.put(names[i], i < values.length ? values[i].trim() : "");
            }
            frames.add(frame);
        }
        return frames;
    }
}
