package dev.tsunagu.viz;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.Segment;
import java.util.ArrayList;
import java.util.List;

/**
 * The time-sequence graph of the data one connection sent (Stevens' graph, as Wireshark draws
 * it, but from the sender's own trace): time across, sequence number (relative to the SYN) up.
 * Each data segment sent is a vertical bar over the bytes it carried (class {@code sent};
 * retransmissions {@code retransmission}, in red); the cumulative ACKs that came back are a
 * step line ({@code acked}), the right edge of the peer's window a step line above it
 * ({@code window}), and the SACK blocks each ACK carried short bars ({@code sacked}).
 */
public final class TimeSequenceGraph {
    private TimeSequenceGraph() {
    }

    /** The graph of {@code connection}'s sending, from {@code events} (the events of any connections). */
    public static String svg(List<TcpTraceEvent> events, TcpConnectionId connection) {
        List<TcpTraceEvent> mine = Timeline.of(Timeline.ordered(events), connection);
        Integer iss = null;
        for (TcpTraceEvent e : mine) {
            if (e instanceof Segment s && s.direction() == Direction.SENT && s.has(TcpTraceEvent.SYN)) {
                iss = s.seq();
                break;
            }
        }
        if (iss == null) {
            for (TcpTraceEvent e : mine) {
                if (e instanceof Segment s && s.direction() == Direction.SENT) {
                    iss = s.seq() - 1; // traced from mid-connection: relative to the first seen
                    break;
                }
            }
        }
        int base = iss == null ? 0 : iss;
        long t0 = Timeline.start(mine);
        long t1 = Timeline.end(mine);
        long top = 1;
        for (TcpTraceEvent e : mine) {
            if (e instanceof Segment s) {
                if (s.direction() == Direction.SENT) {
                    top = Math.max(top, rel(s.seq(), base) + s.sequenceLength());
                } else if (s.has(TcpTraceEvent.ACK)) {
                    top = Math.max(top, rel(s.ack(), base));
                }
            }
        }
        top = top + top / 10 + 1; // room for the window edge's first steps; it is clipped above
        Svg svg = new Svg(900, 480, "time-sequence", "time-sequence graph of " + connection);
        Plot p = new Plot(svg, t0, t1, 0, top);
        p.frame("time-sequence: " + connection, "time (s, the stack's clock)", "sequence (relative)",
                Timeline::seconds, v -> Long.toString(v));
        List<double[]> acked = new ArrayList<>();
        List<double[]> window = new ArrayList<>();
        boolean retransmitting = false;
        for (TcpTraceEvent e : mine) {
            switch (e) {
                case TcpTraceEvent.Retransmission r -> retransmitting = true;
                case Segment s when s.direction() == Direction.SENT -> {
                    if (s.sequenceLength() > 0 && !s.has(TcpTraceEvent.SYN)) {
                        long from = rel(s.seq(), base);
                        double x = p.x(s.timeNanos());
                        String tip = (retransmitting ? "retransmitted " : "sent ") + from + ":" + (from + s.length())
                                + " at " + Timeline.seconds(s.timeNanos());
                        svg.line(x, p.y(from), x, p.y(from + s.sequenceLength()),
                                retransmitting ? "retransmission" : "sent", tip);
                    }
                    retransmitting = false;
                }
                case Segment s when s.has(TcpTraceEvent.ACK) -> {
                    long ack = rel(s.ack(), base);
                    double x = p.x(s.timeNanos());
                    step(acked, x, p.y(ack));
                    step(window, x, p.y(Math.min(ack + s.window(), top)));
                    for (TcpTraceEvent.SackBlock b : s.sack()) {
                        svg.rect(x - 1.5, p.y(rel(b.right(), base)), 3, p.y(rel(b.left(), base)) - p.y(rel(b.right(), base)),
                                "sacked", "SACKed " + rel(b.left(), base) + ":" + rel(b.right(), base));
                    }
                }
                default -> {
                }
            }
        }
        step(acked, p.right(), acked.isEmpty() ? p.bottom() : acked.getLast()[1]);
        step(window, p.right(), window.isEmpty() ? p.bottom() : window.getLast()[1]);
        svg.polyline(flat(acked), acked.size(), "acked");
        svg.polyline(flat(window), window.size(), "window");
        legend(svg);
        return svg.end();
    }

    private static void legend(Svg svg) {
        double x = Plot.LEFT + 10;
        double y = Plot.TOP + 14;
        String[][] items = {{"sent", "data sent"}, {"retransmission", "retransmitted"}, {"acked", "ACKed"},
                {"window", "window edge"}, {"sacked", "SACKed"}};
        for (String[] item : items) {
            svg.line(x, y - 4, x + 14, y - 4, "legend " + item[0]);
            svg.text(x + 18, y, item[1], "legend-text", "start");
            x += 120;
        }
    }

    /** A step: across at the old height, then up or down to the new one. */
    private static void step(List<double[]> points, double x, double y) {
        if (!points.isEmpty()) {
            points.add(new double[] {x, points.getLast()[1]});
        }
        points.add(new double[] {x, y});
    }

    private static double[] flat(List<double[]> points) {
        double[] xy = new double[points.size() * 2];
        for (int i = 0; i < points.size(); i++) {
            xy[2 * i] = points.get(i)[0];
            xy[2 * i + 1] = points.get(i)[1];
        }
        return xy;
    }

    private static long rel(int seq, int base) {
        return Integer.toUnsignedLong(seq - base);
    }
}
