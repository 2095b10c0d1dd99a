package dev.tsunagu.viz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Congestion;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.Segment;
import dev.tsunagu.trace.TraceRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The page of a scripted conversation (ten segments, the third lost) is well-formed and draws
 * each fact once: an arrow per segment sent, one of them lost; a bar per data segment in the
 * time-sequence graph, one of them red; a dot per change of the congestion window.
 */
class TraceReportTest {

    @TempDir
    Path dir;

    @Test
    void theConversationsPageDrawsEachFactOnce() throws Exception {
        List<TcpTraceEvent> events = new ArrayList<>();
        TraceRecorder clientTrace = new TraceRecorder();
        TraceRecorder serverTrace = new TraceRecorder();
        try (Conversation talk = new Conversation(3)) {
            talk.client.tcp().trace(clientTrace);
            talk.server.tcp().trace(serverTrace);
            talk.run(10);
        }
        events.addAll(clientTrace.events());
        events.addAll(serverTrace.events());
        Path file = dir.resolve("trace.html");
        new TraceReport("ten segments, one lost").diagramsOf(events).write(file);
        Document page = Pages.parse(Files.readString(file));
        String keep = System.getProperty("tsunagu.viz.out"); // -Dtsunagu.viz.out=DIR keeps the page to look at
        if (keep != null) {
            Files.copy(file, Path.of(keep, "conversation.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        // The ladder: one arrow per segment either side sent, exactly one of them lost.
        long sent = events.stream().filter(e -> e instanceof Segment s && s.direction() == Direction.SENT).count();
        Element ladder = Pages.svg(page, "ladder");
        assertThat(Pages.withClass(ladder, "line", "segment")).hasSize((int) sent);
        assertThat(Pages.withClass(ladder, "line", "lost")).hasSize(1);
        // The first copy was lost; its retransmission, drawn later (lower), arrived.
        Element lostArrow = Pages.withClass(ladder, "line", "lost").getFirst();
        String lostLabel = lostArrow.getTextContent().replace(" (lost)", "");
        List<Element> copies = Pages.withClass(ladder, "line", "segment").stream()
                .filter(l -> l.getTextContent().equals(lostLabel)).toList();
        assertThat(copies).hasSize(1);
        assertThat(Double.parseDouble(copies.getFirst().getAttribute("y1")))
                .isGreaterThan(Double.parseDouble(lostArrow.getAttribute("y1")));
        assertThat(Pages.withClass(ladder, "text", "note")).extracting(Element::getTextContent)
                .contains("SYN_SENT", "ESTABLISHED", "TIME_WAIT", "CLOSED");

        // Only the client sent data: one time-sequence graph, with a bar per data segment, one red.
        TcpConnectionId client = clientTrace.events().getFirst().connection();
        List<Segment> bars = clientTrace.events(Segment.class).stream()
                .filter(s -> s.direction() == Direction.SENT && s.sequenceLength() > 0 && !s.has(TcpTraceEvent.SYN))
                .toList(); // data and FIN, each copy
        int retransmitted = clientTrace.events(TcpTraceEvent.Retransmission.class).size();
        assertThat(Pages.svgs(page, "time-sequence")).hasSize(1);
        Element graph = Pages.svg(page, "time-sequence");
        assertThat(Pages.withClass(graph, "line", "sent").size() + Pages.withClass(graph, "line", "retransmission").size())
                .isEqualTo(bars.size());
        assertThat(Pages.withClass(graph, "line", "retransmission")).hasSize(retransmitted);
        assertThat(retransmitted).isPositive();
        assertThat(Pages.withClass(graph, "rect", "sacked")).isNotEmpty();
        assertThat(Pages.withClass(graph, "polyline", "acked")).hasSize(1);
        assertThat(Pages.withClass(graph, "polyline", "window")).hasSize(1);

        // One dot per change of the client's cwnd.
        long changes = 0;
        long last = -1;
        for (Congestion c : clientTrace.events(Congestion.class)) {
            if (c.cwnd() != last) {
                changes++;
                last = c.cwnd();
            }
        }
        assertThat(changes).isGreaterThan(3);
        Element cwnd = Pages.svg(page, "congestion");
        assertThat(Pages.withClass(cwnd, "circle", "cwnd-point")).hasSize((int) changes);
        assertThat(Pages.withClass(Pages.svg(page, "rtt"), "polyline", "srtt")).hasSize(1);
        assertThat(page.getElementsByTagName("title").item(0).getTextContent()).isEqualTo("ten segments, one lost");
        assertThat(Files.readString(file)).doesNotContain("http://www.w3.org/1999/xhtml\" src", "<script", "https://");
        assertThat(client.stack()).isEqualTo("client");
    }

    /**
     * Sixty segments in flight at once, the third lost: no two labels overlap (checked box by box,
     * at the font's advance), and any left out are counted at the foot, left to the arrows'
     * tooltips; with a cut, only the first arrows are drawn and the rest counted.
     */
    @Test
    void labelsOfManySegmentsInFlightNeverOverlap() throws Exception {
        TraceRecorder trace = new TraceRecorder();
        try (Conversation talk = new Conversation(3)) {
            talk.client.tcp().trace(trace);
            talk.server.tcp().trace(trace);
            talk.run(60);
        }
        Document page = Pages.parse(LadderDiagram.svg(trace.events()));
        Element ladder = page.getDocumentElement();
        List<Element> arrows = Pages.withClass(ladder, "line", "segment");
        List<Element> labels = Pages.withClass(ladder, "text", "label");
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                assertThat(LadderDiagram.Labels.overlap(box(labels.get(i)), box(labels.get(j))))
                        .as("label %s and %s", labels.get(i).getTextContent(), labels.get(j).getTextContent()).isFalse();
            }
        }
        List<Element> thinned = Pages.withClass(ladder, "text", "thinned");
        int leftOut = thinned.isEmpty() ? 0 : Integer.parseInt(thinned.getFirst().getTextContent().split(" ")[0]);
        assertThat(labels.size() + leftOut).isEqualTo(arrows.size());

        long sent = trace.events(Segment.class).stream().filter(s -> s.direction() == Direction.SENT).count();
        Element cut = Pages.parse(LadderDiagram.svg(trace.events(), 20)).getDocumentElement();
        assertThat(Pages.withClass(cut, "line", "segment")).hasSize(20);
        assertThat(Pages.withClass(cut, "text", "cut").getFirst().getTextContent())
                .contains("the first 20 segments drawn, " + (sent - 20) + " later ones left out");
    }

    /**
     * Forty segments sent at once and arriving in the reverse order cross at one point: the
     * labels that fit are placed apart along their arrows, the others counted at the foot.
     */
    @Test
    void labelsThatCannotFitAreCountedNotDrawnOverEachOther() throws Exception {
        java.net.InetSocketAddress a = new java.net.InetSocketAddress("10.0.0.1", 1000);
        java.net.InetSocketAddress b = new java.net.InetSocketAddress("10.0.0.2", 80);
        TcpConnectionId fromA = new TcpConnectionId("a", a, b);
        TcpConnectionId atB = new TcpConnectionId("b", b, a);
        List<TcpTraceEvent> events = new ArrayList<>();
        int n = 40;
        for (int i = 0; i < n; i++) {
            events.add(new Segment(0, fromA, Direction.SENT, 1000 * i, 0, TcpTraceEvent.ACK, 1000, 1000, List.of()));
        }
        for (int i = n - 1; i >= 0; i--) {
            events.add(new Segment(1_000_000, atB, Direction.RECEIVED, 1000 * i, 0, TcpTraceEvent.ACK, 1000, 1000, List.of()));
        }
        Element ladder = Pages.parse(LadderDiagram.svg(events)).getDocumentElement();
        List<Element> labels = Pages.withClass(ladder, "text", "label");
        List<Element> thinned = Pages.withClass(ladder, "text", "thinned");
        assertThat(thinned).hasSize(1);
        int leftOut = Integer.parseInt(thinned.getFirst().getTextContent().split(" ")[0]);
        assertThat(leftOut).isPositive();
        assertThat(labels.size() + leftOut).isEqualTo(n);
        assertThat(Pages.withClass(ladder, "line", "segment")).hasSize(n);
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                assertThat(LadderDiagram.Labels.overlap(box(labels.get(i)), box(labels.get(j)))).isFalse();
            }
        }
    }

    private static double[] box(Element label) {
        double x = Double.parseDouble(label.getAttribute("x"));
        double y = Double.parseDouble(label.getAttribute("y"));
        double half = LadderDiagram.Labels.width(label.getTextContent()) / 2;
        return new double[] {x - half + 0.06, y - LadderDiagram.Labels.ASCENT + 0.06, x + half - 0.06,
                y + LadderDiagram.Labels.DESCENT - 0.06}; // the file rounds to 0.1 px
    }
}
