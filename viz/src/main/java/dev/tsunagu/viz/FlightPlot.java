package dev.tsunagu.viz;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.Segment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the segments alone tell of a sender, where its own figures are not known (a capture):
 * the bytes in flight, estimated as the highest sequence number sent less the highest
 * acknowledgment seen (a step line, class {@code in-flight}), and RTT samples, each from a
 * segment's first sending to the first ACK that covers it, never from a segment sent twice
 * (Karn; a dot each, class {@code rtt-sample}). Both are as seen where the segments were
 * observed: a capture next to the sender sees what the sender sees; one next to the receiver
 * sees only the receiver's delay in acknowledging.
 */
public final class FlightPlot {
    private FlightPlot() {
    }

    /** The plots of {@code connection}, from its {@code events} (of any connections). */
    public static String svg(List<TcpTraceEvent> events, TcpConnectionId connection) {
        List<TcpTraceEvent> mine = Timeline.of(Timeline.ordered(events), connection);
        long t0 = Timeline.start(mine);
        long t1 = Timeline.end(mine);
        List<long[]> flight = new ArrayList<>(); // {time, bytes}
        List<long[]> samples = new ArrayList<>(); // {time, rtt nanos}
        Map<Integer, Long> sentAt = new HashMap<>(); // end of a data segment sent once -> when
        Set<Integer> resent = new HashSet<>();
        boolean any = false;
        int highest = 0;
        int acked = 0;
        boolean ackedAny = false;
        for (TcpTraceEvent e : mine) {
            if (!(e instanceof Segment s)) {
                continue;
            }
            if (s.direction() == Direction.SENT && s.sequenceLength() > 0) {
                int end = s.seq() + s.sequenceLength();
                if (!ackedAny) {
                    acked = s.seq(); // nothing acknowledged yet: all sent from here is in flight
                    ackedAny = true;
                }
                if (any && s.seq() - highest < 0) {
                    resent.add(end);
                } else if (!s.has(TcpTraceEvent.SYN)) {
                    sentAt.putIfAbsent(end, s.timeNanos());
                }
                if (!any || end - highest > 0) {
                    highest = end;
                    any = true;
                }
            } else if (s.direction() == Direction.RECEIVED && s.has(TcpTraceEvent.ACK)) {
                if (ackedAny && s.ack() - acked > 0) {
                    int ack = s.ack();
                    for (var it = sentAt.entrySet().iterator(); it.hasNext(); ) {
                        Map.Entry<Integer, Long> sent = it.next();
                        if (sent.getKey() - ack <= 0) {
                            if (!resent.contains(sent.getKey())) {
                                samples.add(new long[] {s.timeNanos(), s.timeNanos() - sent.getValue()});
                            }
                            it.remove();
                        }
                    }
                    acked = ack;
                    ackedAny = true;
                }
            } else {
                continue;
            }
            long inFlight = any && highest - acked > 0 ? highest - acked : 0;
            if (flight.isEmpty() || flight.getLast()[1] != inFlight) {
                flight.add(new long[] {s.timeNanos(), inFlight});
            }
        }
        long maxBytes = 1;
        for (long[] f : flight) {
            maxBytes = Math.max(maxBytes, f[1]);
        }
        long maxRtt = 1;
        for (long[] r : samples) {
            maxRtt = Math.max(maxRtt, r[1]);
        }
        StringBuilder out = new StringBuilder();
        Svg bytes = new Svg(900, 300, "flight", "bytes in flight of " + connection + ", estimated from the segments");
        Plot p = new Plot(bytes, t0, t1, 0, maxBytes + maxBytes / 10);
        p.frame("bytes in flight, estimated from the segments: " + connection,
                "time (s, from the first frame)", "bytes", Timeline::seconds, v -> Long.toString(v));
        double[] xy = new double[flight.size() * 4 + 2];
        int points = 0;
        for (long[] f : flight) {
            double x = p.x(f[0]);
            if (points > 0) {
                xy[2 * points] = x;
                xy[2 * points + 1] = xy[2 * points - 1];
                points++;
            }
            xy[2 * points] = x;
            xy[2 * points + 1] = p.y(f[1]);
            points++;
        }
        bytes.polyline(xy, points, "in-flight");
        out.append(bytes.end());

        Svg rtt = new Svg(900, 260, "rtt-samples", "RTT samples of " + connection + ", from the segments");
        Plot q = new Plot(rtt, t0, t1, 0, maxRtt + maxRtt / 10);
        q.frame("RTT samples, from the segments (Karn): " + connection,
                "time (s, from the first frame)", "ms", Timeline::seconds,
                v -> String.format(java.util.Locale.ROOT, "%.1f", v / 1e6));
        for (long[] r : samples) {
            rtt.circle(q.x(r[0]), q.y(r[1]), 2.5, "rtt-sample", "RTT " + Timeline.millis(r[1]) + " at "
                    + Timeline.seconds(r[0]));
        }
        out.append(rtt.end());
        return out.toString();
    }
}
