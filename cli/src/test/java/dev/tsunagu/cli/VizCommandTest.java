package dev.tsunagu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.cli.tour.Tour;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tsunagu viz}: the tour's capture and a JFR recording of the tour each become a page
 * with an arrow per segment; the JFR page has the sender's congestion plot, the capture's says
 * why it has none and draws the estimate instead.
 */
class VizCommandTest {
    @TempDir
    Path dir;

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aCaptureOfTheTourDrawsItsLadderAndTimeSequence() throws Exception {
        Path pcap = dir.resolve("tour.pcap");
        Tour.run(new Tour.Config(1, 1500, Duration.ofMillis(40), pcap, false, null), new PrintWriter(new StringWriter()));
        Path html = dir.resolve("pcap.html");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int exit = Tsunagu.run(dev.tsunagu.cli.tools.Io.of(new java.io.ByteArrayInputStream(new byte[0]),
                new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8), System.err),
                "viz", "--pcap", pcap.toString(), "--html", html.toString());
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        assertThat(out).contains("TCP segments of 1 connection,", "wrote " + html);
        String page = Files.readString(html);
        int segments = Integer.parseInt(out.replaceAll("(?s).*frames, (\\d+) TCP segments.*", "$1"));
        assertThat(count(page, "<line class=\"segment")).isEqualTo(segments);
        assertThat(page).contains("class=\"time-sequence\"", "class=\"flight\"", "cannot show them")
                .doesNotContain("class=\"congestion\"");
    }

    @Test
    void aJfrRecordingOfTheTourDrawsTheSendersFigures() throws Exception {
        Path jfr = dir.resolve("tour.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.tsunagu.tcp.*");
            recording.start();
            Tour.run(new Tour.Config(1, 1500, Duration.ofMillis(40), dir.resolve("tour.pcap"), false, null),
                    new PrintWriter(new StringWriter()));
            recording.stop();
            recording.dump(jfr);
        }
        Path html = dir.resolve("jfr.html");
        assertThat(Tsunagu.run("viz", "--jfr", jfr.toString(), "--html", html.toString())).isZero();
        String page = Files.readString(html);
        assertThat(count(page, "<line class=\"segment")).isGreaterThan(10);
        assertThat(page).contains("class=\"ladder\"", "class=\"time-sequence\"", "class=\"congestion\"",
                "<circle class=\"cwnd-point");
    }

    @Test
    void aFileThatIsNotThereOrHoldsNoTcpIsAFailure() throws Exception {
        assertThat(Tsunagu.run("viz", "--pcap", dir.resolve("missing.pcap").toString(), "--html",
                dir.resolve("x.html").toString())).isEqualTo(1);
        assertThat(Tsunagu.run("viz", "--html", dir.resolve("x.html").toString())).as("no source").isEqualTo(2);
        assertThat(Tsunagu.run("viz", "--pcap", "a", "--jfr", "b", "--html", "c")).as("two sources").isEqualTo(2);
    }
}
