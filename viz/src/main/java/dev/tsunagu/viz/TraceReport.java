package dev.tsunagu.viz;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A self-contained HTML page (no script, no font, no network: it opens from a file in any
 * browser) of a trace: the ladder diagram of the whole conversation, then for each connection
 * that sent data its time-sequence graph and its congestion plots. The page is also well-formed
 * XML (XHTML syntax), which is how the tests read it back.
 *
 * <p>Hand-written SVG rather than a charting library: the diagrams are three kinds of lines and
 * dots, a ladder diagram is in no Java charting library, the libraries that draw plots in Java
 * (JFreeChart, XChart) draw to images or need a browser-side script to be interactive, and a
 * page of plain SVG elements is what the tests can count (one {@code line.segment} per segment,
 * one {@code circle.cwnd-point} per change of cwnd) and a reader can inspect.
 */
public final class TraceReport {
    private final String title;
    private final List<String> sections = new ArrayList<>();

    /** A page called {@code title}. */
    public TraceReport(String title) {
        this.title = title;
    }

    /**
     * Adds a section {@code id} (an anchor: {@code page.html#id} opens the page there) with a
     * heading, a paragraph of explanation (may be empty) and a diagram (SVG or HTML, already escaped).
     */
    public TraceReport section(String id, String heading, String text, String diagram) {
        sections.add("<section id=\"" + Svg.esc(id) + "\">\n<h2>" + Svg.esc(heading) + "</h2>\n"
                + (text.isEmpty() ? "" : "<p>" + Svg.esc(text) + "</p>\n") + "<div class=\"diagram\">\n" + diagram
                + "</div>\n</section>\n");
        return this;
    }

    /** Adds preformatted text (the tour's narration), escaped. */
    public TraceReport text(String id, String heading, String preformatted) {
        sections.add("<section id=\"" + Svg.esc(id) + "\">\n<h2>" + Svg.esc(heading) + "</h2>\n<pre>" + Svg.esc(preformatted) + "</pre>\n</section>\n");
        return this;
    }

    /**
     * Adds the usual diagrams of {@code events}: the ladder of the conversation ({@code #ladder}),
     * and for the {@code n}th connection that sent data its time-sequence graph
     * ({@code #time-sequence-n}) and congestion plots ({@code #congestion-n}).
     */
    public TraceReport diagramsOf(List<TcpTraceEvent> events) {
        return diagramsOf(events, Integer.MAX_VALUE);
    }

    /** {@link #diagramsOf(List)} with at most {@code maxArrows} segments in the ladder (its beginning). */
    public TraceReport diagramsOf(List<TcpTraceEvent> events, int maxArrows) {
        section("ladder", "Ladder diagram", "Time goes down; each arrow is one segment, from when it was sent to when it "
                + "arrived (sequence numbers relative to each side's SYN). A cross marks a segment the network lost.",
                LadderDiagram.svg(events, maxArrows));
        int n = 0;
        for (TcpConnectionId id : sendersOfData(events)) {
            n++;
            section("time-sequence-" + n, "Time-sequence graph: " + id, "The bytes " + id.stack() + " sent (bars; red: sent again), the "
                    + "cumulative ACK that came back, the edge of the peer's window, and the blocks the peer SACKed.",
                    TimeSequenceGraph.svg(events, id));
            section("congestion-" + n, "Congestion window and timers: " + id, "What only the sender knows: cwnd and ssthresh, the "
                    + "smoothed RTT and the retransmission timeout, each time one of them changed.",
                    CongestionPlot.svg(events, id));
        }
        return this;
    }

    /**
     * The diagrams a capture can give ({@code CaptureTrace}): the ladder of its first
     * {@code maxArrows} segments ({@code #ladder}), and for the {@code n}th connection that sent
     * data its time-sequence graph ({@code #time-sequence-n}) and the bytes in flight and RTT
     * samples the segments show ({@code #flight-n}), with what a capture cannot show said.
     */
    public TraceReport captureDiagramsOf(List<TcpTraceEvent> events, int maxArrows) {
        section("ladder", "Ladder diagram", "Time goes down; each arrow is one segment as the capture saw it, drawn from "
                + "its sender to its receiver at the time it was captured (the network's delay is not in a capture). "
                + "Sequence numbers are relative to each side's SYN when the capture holds it.",
                LadderDiagram.svg(events, maxArrows));
        int n = 0;
        List<TcpConnectionId> senders = sendersOfData(events);
        for (TcpConnectionId id : senders.subList(0, Math.min(senders.size(), MAX_CAPTURE_SENDERS))) {
            n++;
            section("time-sequence-" + n, "Time-sequence graph: " + id, "The bytes " + id.stack() + " sent (bars; red: "
                    + "the same bytes seen again), the cumulative ACK that came back, the edge of the window it "
                    + "offered, and the blocks SACKed.", TimeSequenceGraph.svg(events, id));
            section("flight-" + n, "In flight and RTT, as the capture shows them: " + id, "The congestion window, the "
                    + "slow-start threshold and the retransmission timer are the sender's own and never on the wire, "
                    + "so a capture cannot show them. What it can: the bytes in flight, estimated as the highest "
                    + "sequence number sent less the highest ACK seen, and RTT samples from a segment's first "
                    + "sending to its ACK, both as seen where the capture was taken.", FlightPlot.svg(events, id));
        }
        if (senders.size() > MAX_CAPTURE_SENDERS) {
            text("more", "More senders", (senders.size() - MAX_CAPTURE_SENDERS) + " more connections sent data; the first "
                    + MAX_CAPTURE_SENDERS + " are drawn above. Filter the capture (tcpdump -r IN -w OUT 'port N') to draw others.");
        }
        return this;
    }

    /** A capture may hold many connections: the graphs of this many senders are drawn. */
    static final int MAX_CAPTURE_SENDERS = 12;

    /** The connections that sent data, in the order they first did. */
    static List<TcpConnectionId> sendersOfData(List<TcpTraceEvent> events) {
        Set<TcpConnectionId> senders = new LinkedHashSet<>();
        for (TcpTraceEvent e : events) {
            if (e instanceof TcpTraceEvent.Segment s && s.direction() == TcpTraceEvent.Direction.SENT && s.length() > 0) {
                senders.add(s.connection());
            }
        }
        return List.copyOf(senders);
    }

    /** The page. */
    public String html() {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>").append(Svg.esc(title)).append("</title>\n<style>\n")
                .append(STYLE).append("</style>\n</head>\n<body>\n<h1>").append(Svg.esc(title)).append("</h1>\n");
        sections.forEach(b::append);
        return b.append("</body>\n</html>\n").toString();
    }

    /** Writes the page to {@code file} (UTF-8). */
    public void write(Path file) throws IOException {
        Files.writeString(file, html(), StandardCharsets.UTF_8);
    }

    /**
     * One style sheet for every diagram: the classes the diagrams use, drawn as Wireshark and
     * Stevens do. Opened at a section's anchor ({@code page.html#ladder}) the page shows that
     * section alone (CSS {@code :target}), which is how the screenshots of each picture are taken.
     */
    static final String STYLE = """
            body { font-family: sans-serif; margin: 1.5em; color: #222; background: #fff; }
            h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
            pre { font-size: 12px; background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
            .diagram { overflow-x: auto; }
            svg text { font-family: monospace; font-size: 11px; fill: #222; }
            svg .lane { stroke: #888; stroke-width: 2; }
            svg .lane-name, svg .plot-title { font-weight: bold; font-size: 13px; }
            svg .time, svg .tick-label, svg .axis-title { fill: #666; }
            svg .note { fill: #05a; font-style: italic; }
            svg .segment { stroke: #333; stroke-width: 1.2; marker-end: url(#ladder-head); }
            svg .segment.syn, svg .segment.fin { stroke: #070; }
            svg .segment.rst { stroke: #c00; }
            svg .segment.data { stroke: #06c; }
            svg .segment.lost { stroke: #c00; stroke-dasharray: 4 3; marker-end: none; }
            svg .lost-mark { stroke: #c00; stroke-width: 2.5; }
            svg .label.lost { fill: #c00; }
            svg .arrow-head { fill: #333; }
            svg .frame { fill: none; stroke: #999; }
            svg .grid { stroke: #eee; } svg .tick { stroke: #999; }
            svg .sent { stroke: #06c; stroke-width: 2; }
            svg .retransmission, svg .retransmission-mark { stroke: #d00; stroke-width: 2.5; }
            svg .acked { fill: none; stroke: #090; stroke-width: 1.5; }
            svg .window { fill: none; stroke: #a80; stroke-width: 1.2; stroke-dasharray: 5 3; }
            svg .sacked { fill: #6c6; stroke: none; }
            svg .cwnd { fill: none; stroke: #06c; stroke-width: 2; }
            svg .cwnd-point { fill: #06c; }
            svg .ssthresh { fill: none; stroke: #a0a; stroke-width: 1.5; stroke-dasharray: 6 3; }
            svg .srtt { fill: none; stroke: #090; stroke-width: 2; }
            svg .rto { fill: none; stroke: #d60; stroke-width: 1.5; stroke-dasharray: 6 3; }
            svg .in-flight { fill: none; stroke: #06c; stroke-width: 1.5; }
            svg .rtt-sample { fill: #090; }
            svg .cut { fill: #666; font-style: italic; }
            svg .legend { stroke-width: 3; }
            svg .legend.sacked { stroke: #6c6; }
            body:has(section:target) section:not(:target) { display: none; }
            """;
}
