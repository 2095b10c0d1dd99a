package dev.tsunagu.examples.tour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.testkit.Tshark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
            "www -> browser +TCP .*ACK, ack 1461, window [\\d,]+",
            "www -> browser +TCP .*duplicate ACK, ack 1461 again",
            "browser -> www +TCP .*RETRANSMISSION of seq 1461:2921 .*ran out after [\\d.]+ ms, the RTO",
            "www -> browser +TCP .*ACK, ack 4381, window [\\d,]+",
            "www +read\\(4\\) = \\d+ bytes; the whole request \\(4380 bytes\\) has arrived",
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
        Run run = tour(1, "tour.pcap");
        List<String> lines = run.text().lines().toList();
        int at = 0;
        for (String stage : STAGES) {
            Pattern p = Pattern.compile(stage);
            int found = -1;
            for (int i = at; i < lines.size(); i++) {
                if (p.matcher(lines.get(i)).find()) {
                    found = i;
                    break;
                }
            }
            assertThat(found).as("a line matching /%s/ after line %d of:%n%s", stage, at, run.text()).isGreaterThanOrEqualTo(0);
            at = found + 1;
        }
        assertThat(run.result().framesLost()).isEqualTo(1);
        assertThat(run.result().retransmissions()).isEqualTo(1);
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
    void theCaptureShowsTheJourneyToTshark() throws Exception {
        Tshark.assumeInstalled();
        Path pcap = tour(1, "tour.pcap").result().pcap();
        assertThat(Tshark.read(pcap)).isNotEmpty().noneMatch(Tshark.Frame::malformed);
        assertThat(count(pcap, "dns.flags.response == 0 && dns.qry.name == \"www.example.test\"")).isEqualTo(1);
        assertThat(count(pcap, "dns.flags.response == 1 && dns.a == 10.0.0.80")).isEqualTo(1);
        assertThat(count(pcap, "arp.opcode == 1 && arp.dst.proto_ipv4 == 10.0.0.80 && arp.src.proto_ipv4 == 10.0.0.1")).isEqualTo(1);
        assertThat(count(pcap, "arp.opcode == 2 && arp.src.proto_ipv4 == 10.0.0.80")).isEqualTo(1);
        assertThat(count(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.options.mss_val == 1460")).isEqualTo(1);
        assertThat(count(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 1")).isEqualTo(1);
        assertThat(count(pcap, "tcp.flags.syn == 0 && tcp.ack == 1 && tcp.seq == 1 && tcp.len == 0")).isEqualTo(1);
        assertThat(count(pcap, "ip.src == 10.0.0.1 && tcp.len == 1460")).isEqualTo(4); // three, one of them twice
        assertThat(count(pcap, "tcp.analysis.retransmission")).isEqualTo(1);
        assertThat(count(pcap, "http.request.method == \"POST\"")).isEqualTo(1);
        assertThat(count(pcap, "http.response.code == 201")).isEqualTo(1);
        assertThat(count(pcap, "tcp.flags.fin == 1 && ip.src == 10.0.0.1")).isEqualTo(1);
        assertThat(count(pcap, "tcp.flags.fin == 1 && ip.src == 10.0.0.80")).isEqualTo(1);
    }

    /** Frames of {@code pcap} that match a Wireshark display filter. */
    private static int count(Path pcap, String filter) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tshark", "-r", pcap.toString(), "-Y", filter, "-T", "fields", "-e", "frame.number")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tshark -Y '" + filter + "' failed on " + pcap);
        }
        List<String> frames = new ArrayList<>(out.lines().filter(l -> !l.isBlank()).toList());
        return frames.size();
    }
}
