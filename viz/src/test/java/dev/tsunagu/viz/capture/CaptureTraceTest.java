package dev.tsunagu.viz.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.capture.PcapReader;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.Segment;
import dev.tsunagu.trace.TraceRecorder;
import dev.tsunagu.viz.Conversation;
import dev.tsunagu.viz.Pages;
import dev.tsunagu.viz.TraceReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A capture of the scripted conversation (taken at the client, before the network lost its
 * third segment) read back as trace events: the same segments the client's own trace saw, the
 * lost one's copy found as a retransmission, and a page with an arrow per segment, a bar per
 * data segment and the in-flight estimate in place of the figures a capture cannot hold.
 */
class CaptureTraceTest {
    @TempDir
    Path dir;

    @Test
    void aCaptureReadsBackAsTheSegmentsTheSenderTraced() throws Exception {
        Path pcap = dir.resolve("client.pcap");
        TraceRecorder clientTrace = new TraceRecorder();
        Conversation.record(3, 10, pcap, clientTrace);

        CaptureTrace.Result read = CaptureTrace.read(pcap, 1_000_000);
        List<Segment> traced = clientTrace.events(Segment.class);
        assertThat(read.segments()).isEqualTo(traced.size());
        assertThat(read.skipped()).as("ARP").isPositive();
        assertThat(read.frames()).isEqualTo(read.segments() + read.skipped());
        assertThat(read.dropped()).isZero();

        // Seen from the client's side of the capture, the same segments in the same order, each way (the
        // two ways may interleave differently within an instant: the trace reports an arrival when the
        // connection takes it, the capture when the driver does).
        for (Direction way : Direction.values()) {
            List<Segment> expected = traced.stream().filter(t -> t.direction() == way).toList();
            List<Segment> seen = read.events().stream().filter(e -> e instanceof Segment s && s.direction() == way
                    && s.connection().local().equals(traced.getFirst().connection().local())).map(e -> (Segment) e).toList();
            assertThat(seen).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                Segment t = expected.get(i);
                Segment c = seen.get(i);
                assertThat(c.seq()).isEqualTo(t.seq());
                assertThat(c.ack()).isEqualTo(t.ack());
                assertThat(c.flags()).isEqualTo(t.flags());
                assertThat(c.length()).isEqualTo(t.length());
                assertThat(c.window()).as("%s segment %d's window, scaled as the handshake agreed", way, i).isEqualTo(t.window());
                assertThat(c.sack()).isEqualTo(t.sack());
            }
        }
        assertThat(read.events().stream().filter(e -> e instanceof TcpTraceEvent.Retransmission).count())
                .isEqualTo(clientTrace.events(TcpTraceEvent.Retransmission.class).size()).isPositive();

        Path html = dir.resolve("capture.html");
        new TraceReport("capture").captureDiagramsOf(read.events(), 300).write(html);
        String text = Files.readString(html);
        Document page = Pages.parse(text);
        assertThat(Pages.withClass(Pages.svg(page, "ladder"), "line", "segment")).hasSize((int) read.segments());
        assertThat(Pages.withClass(Pages.svg(page, "ladder"), "line", "lost")).as("a capture cannot tell").isEmpty();
        long bars = traced.stream().filter(s -> s.direction() == Direction.SENT && s.sequenceLength() > 0
                && !s.has(TcpTraceEvent.SYN)).count();
        Element graph = Pages.svg(page, "time-sequence");
        assertThat(Pages.withClass(graph, "line", "sent").size() + Pages.withClass(graph, "line", "retransmission").size())
                .isEqualTo(bars);
        assertThat(Pages.withClass(graph, "line", "retransmission")).hasSize(1);
        assertThat(Pages.withClass(Pages.svg(page, "flight"), "polyline", "in-flight")).hasSize(1);
        assertThat(Pages.withClass(Pages.svg(page, "rtt-samples"), "circle", "rtt-sample")).isNotEmpty();
        assertThat(text).contains("cannot show them").doesNotContain("class=\"congestion\"");
        String keep = System.getProperty("tsunagu.viz.out");
        if (keep != null) {
            Files.copy(html, Path.of(keep, "capture.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void aDamagedFileIsAnErrorNamingWhere() throws Exception {
        Path bad = dir.resolve("bad.pcap");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> CaptureTrace.read(bad, 10)).isInstanceOf(PcapReader.MalformedCaptureException.class)
                .hasMessageContaining("not a pcap");
    }
}
