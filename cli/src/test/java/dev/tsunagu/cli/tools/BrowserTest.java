package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.cli.tour.Tour;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.host.HeadlessChromium;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless Chromium loads the tour's page, a bench flow's page and a running command's live view: each renders with
 * no script error, draws what it should, and a screenshot is taken. The screenshots go to
 * {@code -Dtsunagu.screenshots=DIR} (default {@code target/screenshots}); the README's pictures
 * are made this way.
 */
class BrowserTest {
    @TempDir
    Path dir;

    private final Path shots = Path.of(System.getProperty("tsunagu.screenshots", "target/screenshots"));

    @Test
    void theToursPageRendersItsDiagrams() throws Exception {
        HeadlessChromium.assumeInstalled();
        Path html = dir.resolve("tour.html");
        Tour.run(new Tour.Config(1, 1500, Duration.ofMillis(40), dir.resolve("tour.pcap"), false, html),
                new PrintWriter(new StringWriter(), true));
        String url = html.toUri().toString();

        HeadlessChromium.Run run = HeadlessChromium.dumpDom(url, 1000);
        assertThat(run.scriptErrors()).isEmpty();
        int arrows = count(Files.readString(html), "<line class=\"segment");
        assertThat(arrows).isGreaterThan(10);
        assertThat(count(run.dom(), "<line class=\"segment")).as("arrows in the rendered DOM").isEqualTo(arrows);
        assertThat(count(run.dom(), "<circle class=\"cwnd-point")).isGreaterThan(1);
        assertThat(run.dom()).contains("<svg", "class=\"ladder\"", "class=\"time-sequence\"", "class=\"congestion\"");

        Files.createDirectories(shots);
        shot(url + "#ladder", "tour-ladder.png", 1150, 1180);
        shot(url + "#time-sequence-1", "tour-time-sequence.png", 960, 600);
        shot(url + "#congestion-1", "tour-congestion.png", 960, 760);
    }

    /** A bench flow's page ({@code bench --scenario paths --html}): NewReno's window over a whole run. */
    @Test
    void aBenchFlowsPageRendersItsWholeRun() throws Exception {
        HeadlessChromium.assumeInstalled();
        String only = "tsunagu.bench.paths.only";
        String before = System.getProperty(only);
        System.setProperty(only, "10_Mbit/s,_50_ms,_deep_buffer_(250_kB)_newreno");
        try {
            assertThat(dev.tsunagu.cli.Tsunagu.run("bench", "--scenario", "paths", "--quick", "--html", dir.toString()))
                    .isZero();
        } finally {
            if (before == null) {
                System.clearProperty(only);
            } else {
                System.setProperty(only, before);
            }
        }
        Path page = dir.resolve("10-mbit-s-50-ms-deep-buffer-250-kb-newreno.html");
        assertThat(Files.readString(dir.resolve("index.html"))).contains("href=\"" + page.getFileName() + "\"");
        String url = page.toUri().toString();
        HeadlessChromium.Run run = HeadlessChromium.dumpDom(url, 1000);
        assertThat(run.scriptErrors()).isEmpty();
        int points = count(Files.readString(page), "<circle class=\"cwnd-point");
        assertThat(points).isGreaterThan(20);
        assertThat(count(run.dom(), "<circle class=\"cwnd-point")).as("dots in the rendered DOM").isEqualTo(points);
        Files.createDirectories(shots);
        shot(url + "#congestion-1", "paths-newreno-congestion.png", 960, 760);
    }

    @Test
    void theLiveViewShowsARunningStack() throws Exception {
        HeadlessChromium.assumeInstalled();
        try (Cli cli = new Cli("browser-live")) {
            NetworkStack peer = cli.peer();
            Cli.Running serve = cli.start(cli.cmd("echo-serve", "--port", "7", "--status-port", "0")).awaitReady();
            Cli.await("the live view's address", () -> serve.err().contains("live view: http://127.0.0.1:"));
            Matcher m = Pattern.compile("live view: (http://127\\.0\\.0\\.1:\\d+/)").matcher(serve.err());
            assertThat(m.find()).isTrue();
            String url = m.group(1);

            // A connection that has moved data, left open: the page's table and chart show it.
            TcpSocket c = peer.tcp().connect(new InetSocketAddress(Cli.ME, 7));
            byte[] data = new byte[2_000_000];
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    c.write(data);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] back = new byte[65536];
            int total = 0;
            while (total < data.length) {
                total += c.read(back, 0, back.length);
            }
            writer.join();

            HeadlessChromium.Run run = HeadlessChromium.dumpDom(url, 2500);
            assertThat(run.scriptErrors()).isEmpty();
            assertThat(run.dom()).contains("tsunagu-echo-serve", "ESTABLISHED", "LISTEN", Cli.ME + ":7");
            assertThat(run.dom()).containsPattern("<polyline class=\"cwnd\" points=\"[0-9., ]{40,}\"");
            assertThat(run.dom()).contains("<polyline class=\"rto\"", "InSegs");
            assertThat(run.dom()).contains("<p id=\"status\" class=\"\">updated "); // not the error line

            Files.createDirectories(shots);
            shot(url, "live-view.png", 960, 1000);
            c.close();
            serve.stop();
        }
    }

    private void shot(String url, String name, int width, int height) throws Exception {
        Path png = shots.resolve(name);
        HeadlessChromium.Run run = HeadlessChromium.screenshot(url, png, width, height, 2500);
        assertThat(run.scriptErrors()).isEmpty();
        byte[] head = Files.readAllBytes(png);
        assertThat(head).startsWith(0x89, 'P', 'N', 'G');
        assertThat(head.length).as("%s is more than a blank page", name).isGreaterThan(15_000);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
