package dev.tsunagu.viz;

import dev.tsunagu.net.Endpoint;
import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.Segment;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The ladder (sequence) diagram of a conversation: one vertical lane per host, time going down,
 * one arrow per segment sent, from the sender's lane at its sending to the receiver's lane at
 * its arrival; state changes written on the lanes where they happen.
 *
 * <p>The events may come from both ends (each stack traced: the usual case in a simulation) or
 * from one. A segment sent by a traced stack is matched with the same segment (sequence,
 * acknowledgment, flags, length) arriving at the other traced end; one that never arrives was
 * lost, and its arrow stops half way with a cross (class {@code lost}). When the peer is not
 * traced its lane is named by its address and the arrows reach it a row later.
 *
 * <p>Rows, not a time scale: each send, arrival and state change takes the next row in time
 * order (the stack's time is written at the left), so a burst sent in one instant stays readable and a
 * 40 ms gap costs no more room than a microsecond. Sequence numbers are relative to each
 * side's first SYN, as Wireshark shows them.
 */
public final class LadderDiagram {
    private static final double ROW = 22;
    private static final double TOP = 48;
    private static final double LEFT = 330;
    private static final double LANE_GAP = 420;

    private LadderDiagram() {
    }

    /** One arrow of the diagram: a sent segment and, if it arrived, where. */
    private static final class Arrow {
        final Segment sent;
        final int fromLane;
        final int toLane;
        final int row;
        int arrivalRow = -1;
        boolean peerUntraced;

        Arrow(Segment sent, int fromLane, int toLane, int row) {
            this.sent = sent;
            this.fromLane = fromLane;
            this.toLane = toLane;
            this.row = row;
        }
    }

    private record Key(InetSocketAddress from, InetSocketAddress to, int seq, int ack, int flags, int length) {
    }

    /**
     * The diagram of {@code events} (of any connections, from any stacks, in the order they
     * happened) as an SVG element.
     */
    public static String svg(List<TcpTraceEvent> events) {
        return svg(events, Integer.MAX_VALUE);
    }

    /**
     * The diagram of the first {@code maxArrows} segments sent in {@code events} (a long
     * transfer's ladder is thousands of rows; its beginning is the part one reads): later
     * segments are left out, and the diagram stops once those drawn have arrived, with a line
     * at the foot ({@code text.cut}) saying how many were left out.
     */
    public static String svg(List<TcpTraceEvent> events, int maxArrows) {
        List<TcpTraceEvent> ordered = Timeline.ordered(events);
        Map<InetSocketAddress, String> hostOf = new HashMap<>();
        for (TcpTraceEvent e : ordered) {
            hostOf.putIfAbsent(e.connection().local(), e.connection().stack());
        }
        Map<String, Integer> lanes = new LinkedHashMap<>();
        for (TcpTraceEvent e : ordered) {
            lanes.putIfAbsent(e.connection().stack(), lanes.size());
            InetSocketAddress remote = e.connection().remote();
            lanes.putIfAbsent(hostOf.getOrDefault(remote, Endpoint.host(remote.getAddress())), lanes.size());
        }
        Map<InetSocketAddress, Integer> iss = new HashMap<>();
        for (TcpTraceEvent e : ordered) {
            if (e instanceof Segment s && s.has(TcpTraceEvent.SYN)) {
                iss.putIfAbsent(s.direction() == Direction.SENT ? s.connection().local() : s.connection().remote(), s.seq());
            }
        }
        List<Arrow> arrows = new ArrayList<>();
        Map<Key, ArrayDeque<Arrow>> inFlight = new HashMap<>();
        List<Object[]> notes = new ArrayList<>(); // {row, lane, text}
        List<long[]> times = new ArrayList<>();   // {row, nanos}
        int row = 0;
        long lastTime = Long.MIN_VALUE;
        int leftOut = 0;
        int pending = 0; // drawn arrows still on their way to a traced peer
        for (TcpTraceEvent e : ordered) {
            TcpConnectionId id = e.connection();
            int lane = lanes.get(id.stack());
            boolean full = arrows.size() >= maxArrows;
            if (full && e instanceof Segment s && s.direction() == Direction.SENT) {
                leftOut++;
                continue;
            }
            if (full && (pending == 0 || !(e instanceof Segment))) {
                continue; // past the cut: only arrivals of the arrows drawn still count
            }
            switch (e) {
                case Segment s when s.direction() == Direction.SENT -> {
                    String peer = hostOf.getOrDefault(id.remote(), Endpoint.host(id.remote().getAddress()));
                    Arrow a = new Arrow(s, lane, lanes.get(peer), row);
                    a.peerUntraced = !hostOf.containsKey(id.remote());
                    if (a.peerUntraced) {
                        a.arrivalRow = row + 1;
                    } else {
                        inFlight.computeIfAbsent(new Key(id.local(), id.remote(), s.seq(), s.ack(), s.flags(), s.length()),
                                k -> new ArrayDeque<>()).add(a);
                        pending++;
                    }
                    arrows.add(a);
                }
                case Segment s -> {
                    ArrayDeque<Arrow> q = inFlight.get(new Key(id.remote(), id.local(), s.seq(), s.ack(), s.flags(),
                            s.length()));
                    Arrow a = q == null ? null : q.pollLast(); // the latest copy: a retransmission arrives where its original was lost
                    if (a != null) {
                        a.arrivalRow = Math.max(row, a.row + 1);
                        row = a.arrivalRow;
                        pending--;
                    } else if (full) {
                        continue;
                    } else if (!hostOf.containsKey(id.remote())) {
                        // From an untraced peer: its arrow starts a row above.
                        String peer = Endpoint.host(id.remote().getAddress());
                        Arrow from = new Arrow(s, lanes.get(peer), lane, row);
                        from.arrivalRow = row + 1;
                        from.peerUntraced = true;
                        arrows.add(from);
                        row++;
                    } else {
                        continue; // its sending was not traced (tracing began after it)
                    }
                }
                case TcpTraceEvent.StateChange c -> notes.add(new Object[] {row, lane, c.to()});
                case TcpTraceEvent.Retransmission r -> notes.add(new Object[] {row, lane,
                        "retransmission: " + r.reason().name().toLowerCase(Locale.ROOT).replace('_', ' ')});
                default -> {
                    continue; // congestion figures and timers have their own plots
                }
            }
            if (e.timeNanos() != lastTime) {
                times.add(new long[] {row, e.timeNanos()});
                lastTime = e.timeNanos();
            }
            row++;
        }
        int rows = row + 1;
        double width = LEFT + LANE_GAP * Math.max(lanes.size() - 1, 1) + 240;
        double height = TOP + rows * ROW + 34; // room at the foot for a line on what was left out
        Svg svg = new Svg(width, height, "ladder", "ladder diagram: " + String.join(", ", lanes.keySet()));
        svg.arrowHead("ladder-head", "arrow-head");
        for (Map.Entry<String, Integer> l : lanes.entrySet()) {
            double x = laneX(l.getValue());
            svg.text(x, 20, l.getKey(), "lane-name", "middle");
            svg.line(x, 28, x, height - 10, "lane");
        }
        for (long[] t : times) {
            svg.text(10, y((int) t[0]) + 4, Timeline.seconds(t[1]), "time", "start");
        }
        for (Object[] n : notes) {
            int lane = (Integer) n[1];
            boolean rightmost = lane == lanes.size() - 1 && lanes.size() > 1;
            svg.text(laneX(lane) + (rightmost ? 8 : -8), y((Integer) n[0]) + 4, (String) n[2], "note",
                    rightmost ? "start" : "end");
        }
        Labels placed = new Labels();
        int unlabelled = 0;
        for (Arrow a : arrows) {
            Segment s = a.sent;
            double x1 = laneX(a.fromLane);
            double x2 = laneX(a.toLane);
            double y1 = y(a.row);
            String label = label(s, iss.get(s.connection().local()), iss.get(s.connection().remote()));
            String cls = "segment" + (s.has(TcpTraceEvent.SYN) ? " syn" : "") + (s.has(TcpTraceEvent.FIN) ? " fin" : "")
                    + (s.has(TcpTraceEvent.RST) ? " rst" : "") + (s.length() > 0 ? " data" : "");
            boolean lost = a.arrivalRow < 0;
            double x2end = lost ? (x1 + x2) / 2 : x2;
            double y2 = lost ? y1 + ROW : y(a.arrivalRow);
            if (lost) {
                svg.line(x1, y1, x2end, y2, cls + " lost", label + " (lost)");
                svg.line(x2end - 5, y2 - 5, x2end + 5, y2 + 5, "lost-mark");
                svg.line(x2end - 5, y2 + 5, x2end + 5, y2 - 5, "lost-mark");
            } else {
                svg.line(x1, y1, x2, y2, cls, label);
            }
            double[] at = placed.place(label, x1, y1, x2end, y2, lost);
            if (at == null) {
                unlabelled++;
            } else {
                svg.text(at[0], at[1], label, lost ? "label lost" : "label", "middle");
            }
        }
        if (unlabelled > 0 || leftOut > 0) {
            List<String> said = new ArrayList<>();
            if (unlabelled > 0) {
                said.add(unlabelled + " of " + arrows.size() + " labels left out where they would overlap others"
                        + " (each arrow's tooltip has its label)");
            }
            if (leftOut > 0) {
                said.add("the first " + arrows.size() + " segments drawn, " + leftOut + " later ones left out");
            }
            svg.text(10, height - 6, String.join("; ", said), unlabelled > 0 ? "cut thinned" : "cut", "start");
        }
        return svg.end();
    }

    /**
     * Where the arrows' labels go: each at the first of a few places along its arrow (the
     * middle first) where it overlaps no label already placed, or nowhere. Widths are estimated
     * from the monospace font's advance (0.6 em at 11 px), which is what the style sheet sets.
     */
    static final class Labels {
        /** The label's advance per character, px: 11 px monospace. */
        static final double CHAR_WIDTH = 6.6;
        /** A label's box above its baseline, and below (descenders), px. */
        static final double ASCENT = 10;
        static final double DESCENT = 3;
        private static final double[] ALONG = {0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85};
        private final List<double[]> boxes = new ArrayList<>(); // {left, top, right, bottom}

        /** The label's anchor (middle of the baseline), or null if every place overlaps. */
        double[] place(String label, double x1, double y1, double x2, double y2, boolean lost) {
            double half = width(label) / 2;
            for (double t : ALONG) {
                // A lost arrow's label sits above its start, the rest on their arrows.
                double x = x1 + t * (x2 - x1);
                double y = lost ? y1 - 3 + t * (y2 - y1) - 8 : y1 + t * (y2 - y1) - 3;
                double[] box = {x - half, y - ASCENT, x + half, y + DESCENT};
                if (boxes.stream().noneMatch(b -> overlap(b, box))) {
                    boxes.add(box);
                    return new double[] {x, y};
                }
            }
            return null;
        }

        static double width(String label) {
            return label.length() * CHAR_WIDTH;
        }

        static boolean overlap(double[] a, double[] b) {
            return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
        }
    }

    private static String label(Segment s, Integer ownIss, Integer peerIss) {
        StringBuilder b = new StringBuilder(TcpTraceEvent.flagsText(s.flags()));
        Integer seqBase = s.direction() == Direction.SENT ? ownIss : peerIss;
        Integer ackBase = s.direction() == Direction.SENT ? peerIss : ownIss;
        long seq = rel(s.seq(), seqBase);
        if (s.length() > 0) {
            b.append(" seq ").append(seq).append(':').append(seq + s.length());
        } else {
            b.append(" seq ").append(seq);
        }
        if (s.has(TcpTraceEvent.ACK)) {
            b.append(" ack ").append(rel(s.ack(), ackBase));
        }
        b.append(" win ").append(s.window());
        if (!s.sack().isEmpty()) {
            b.append(" sack");
            for (TcpTraceEvent.SackBlock k : s.sack()) {
                b.append(' ').append(rel(k.left(), ackBase)).append('-').append(rel(k.right(), ackBase));
            }
        }
        return b.toString();
    }

    private static long rel(int value, Integer base) {
        return base == null ? Integer.toUnsignedLong(value) : Integer.toUnsignedLong(value - Objects.requireNonNull(base));
    }

    private static double laneX(int lane) {
        return LEFT + lane * LANE_GAP;
    }

    private static double y(int row) {
        return TOP + row * ROW;
    }
}
