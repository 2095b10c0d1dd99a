package dev.tsunagu.viz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Congestion;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.Segment;
import dev.tsunagu.trace.TraceRecorder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

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
        Document page = parse(Files.readString(file));
        String keep = System.getProperty("tsunagu.viz.out"); // -Dtsunagu.viz.out=DIR keeps the page to look at
        if (keep != null) {
            Files.copy(file, Path.of(keep, "conversation.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        // The ladder: one arrow per segment either side sent, exactly one of them lost.
        long sent = events.stream().filter(e -> e instanceof Segment s && s.direction() == Direction.SENT).count();
        Element ladder = svg(page, "ladder");
        assertThat(withClass(ladder, "line", "segment")).hasSize((int) sent);
        assertThat(withClass(ladder, "line", "lost")).hasSize(1);
        // The first copy was lost; its retransmission, drawn later (lower), arrived.
        Element lostArrow = withClass(ladder, "line", "lost").getFirst();
        String lostLabel = lostArrow.getTextContent().replace(" (lost)", "");
        List<Element> copies = withClass(ladder, "line", "segment").stream()
                .filter(l -> l.getTextContent().equals(lostLabel)).toList();
        assertThat(copies).hasSize(1);
        assertThat(Double.parseDouble(copies.getFirst().getAttribute("y1")))
                .isGreaterThan(Double.parseDouble(lostArrow.getAttribute("y1")));
        assertThat(withClass(ladder, "text", "note")).extracting(Element::getTextContent)
                .contains("SYN_SENT", "ESTABLISHED", "TIME_WAIT", "CLOSED");

        // Only the client sent data: one time-sequence graph, with a bar per data segment, one red.
        TcpConnectionId client = clientTrace.events().getFirst().connection();
        List<Segment> bars = clientTrace.events(Segment.class).stream()
                .filter(s -> s.direction() == Direction.SENT && s.sequenceLength() > 0 && !s.has(TcpTraceEvent.SYN))
                .toList(); // data and FIN, each copy
        int retransmitted = clientTrace.events(TcpTraceEvent.Retransmission.class).size();
        assertThat(svgs(page, "time-sequence")).hasSize(1);
        Element graph = svg(page, "time-sequence");
        assertThat(withClass(graph, "line", "sent").size() + withClass(graph, "line", "retransmission").size())
                .isEqualTo(bars.size());
        assertThat(withClass(graph, "line", "retransmission")).hasSize(retransmitted);
        assertThat(retransmitted).isPositive();
        assertThat(withClass(graph, "rect", "sacked")).isNotEmpty();
        assertThat(withClass(graph, "polyline", "acked")).hasSize(1);
        assertThat(withClass(graph, "polyline", "window")).hasSize(1);

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
        Element cwnd = svg(page, "congestion");
        assertThat(withClass(cwnd, "circle", "cwnd-point")).hasSize((int) changes);
        assertThat(withClass(svg(page, "rtt"), "polyline", "srtt")).hasSize(1);
        assertThat(page.getElementsByTagName("title").item(0).getTextContent()).isEqualTo("ten segments, one lost");
        assertThat(Files.readString(file)).doesNotContain("http://www.w3.org/1999/xhtml\" src", "<script", "https://");
        assertThat(client.stack()).isEqualTo("client");
    }

    static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> svgs(Document page, String cssClass) {
        return withClass(page.getDocumentElement(), "svg", cssClass);
    }

    static Element svg(Document page, String cssClass) {
        List<Element> all = svgs(page, cssClass);
        assertThat(all).as("svg." + cssClass).isNotEmpty();
        return all.getFirst();
    }

    /** The {@code tag} elements under {@code root} whose class list has {@code cssClass} (the legends' samples not counted). */
    static List<Element> withClass(Element root, String tag, String cssClass) {
        NodeList nodes = root.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            List<String> classes = List.of(e.getAttribute("class").split(" "));
            if (classes.contains(cssClass) && !classes.contains("legend")) {
                out.add(e);
            }
        }
        return out;
    }
}
