package dev.tsunagu.viz;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Congestion;
import java.util.ArrayList;
import java.util.List;

/**
 * What only the sender knows, over time, for one connection: the congestion window and the
 * slow-start threshold (bytes, as steps, with a dot at each change of cwnd: class
 * {@code cwnd-point}), and below them the smoothed RTT and the retransmission timeout
 * (milliseconds). Retransmissions are marked on both panels as red ticks at the top.
 */
public final class CongestionPlot {
    /** Thresholds this large mean "none yet" (the policies start ssthresh at a huge value). */
    private static final long NO_THRESHOLD = 1L << 40;

    private CongestionPlot() {
    }

    /** The plot of {@code connection}'s congestion figures, from {@code events} (of any connections). */
    public static String svg(List<TcpTraceEvent> events, TcpConnectionId connection) {
        List<TcpTraceEvent> mine = Timeline.of(Timeline.ordered(events), connection);
        List<Congestion> cc = new ArrayList<>();
        List<Long> retransmissions = new ArrayList<>();
        for (TcpTraceEvent e : mine) {
            if (e instanceof Congestion c) {
                cc.add(c);
            } else if (e instanceof TcpTraceEvent.Retransmission r) {
                retransmissions.add(r.timeNanos());
            }
        }
        long t0 = Timeline.start(mine);
        long t1 = Timeline.end(mine);
        long maxBytes = 1;
        long maxMillis = 1;
        for (Congestion c : cc) {
            maxBytes = Math.max(maxBytes, c.cwnd());
            if (c.ssthresh() < NO_THRESHOLD) {
                maxBytes = Math.max(maxBytes, c.ssthresh());
            }
            maxMillis = Math.max(maxMillis, Math.max(c.srttNanos(), c.rtoNanos()) / 1_000_000);
        }
        StringBuilder out = new StringBuilder();

        Svg windows = new Svg(900, 320, "congestion", "cwnd and ssthresh of " + connection);
        Plot p = new Plot(windows, t0, t1, 0, maxBytes + maxBytes / 10);
        p.frame("cwnd and ssthresh: " + connection, "time (s, the stack's clock)", "bytes", Timeline::seconds,
                v -> Long.toString(v));
        double[] cwnd = new double[cc.size() * 4];
        int cwndPoints = 0;
        double[] ssthresh = new double[cc.size() * 4];
        int ssthreshPoints = 0;
        long lastCwnd = -1;
        for (Congestion c : cc) {
            double x = p.x(c.timeNanos());
            cwndPoints = step(cwnd, cwndPoints, x, p.y(c.cwnd()));
            if (c.cwnd() != lastCwnd) {
                windows.circle(x, p.y(c.cwnd()), 2.5, "cwnd-point", "cwnd " + c.cwnd() + " at "
                        + Timeline.seconds(c.timeNanos()) + ", in flight " + c.inFlight());
                lastCwnd = c.cwnd();
            }
            if (c.ssthresh() < NO_THRESHOLD) {
                ssthreshPoints = step(ssthresh, ssthreshPoints, x, p.y(c.ssthresh()));
            }
        }
        windows.polyline(cwnd, cwndPoints, "cwnd");
        windows.polyline(ssthresh, ssthreshPoints, "ssthresh");
        marks(windows, p, retransmissions);
        legend(windows, new String[][] {{"cwnd", "cwnd"}, {"ssthresh", "ssthresh"}, {"retransmission", "retransmission"}});
        out.append(windows.end());

        Svg times = new Svg(900, 260, "rtt", "SRTT and RTO of " + connection);
        Plot q = new Plot(times, t0, t1, 0, maxMillis + maxMillis / 10);
        q.frame("SRTT and RTO: " + connection, "time (s, the stack's clock)", "ms", Timeline::seconds,
                v -> Long.toString(v));
        double[] srtt = new double[cc.size() * 4];
        int srttPoints = 0;
        double[] rto = new double[cc.size() * 4];
        int rtoPoints = 0;
        for (Congestion c : cc) {
            double x = q.x(c.timeNanos());
            if (c.srttNanos() >= 0) {
                srttPoints = step(srtt, srttPoints, x, q.y(c.srttNanos() / 1_000_000));
            }
            rtoPoints = step(rto, rtoPoints, x, q.y(c.rtoNanos() / 1_000_000));
        }
        times.polyline(srtt, srttPoints, "srtt");
        times.polyline(rto, rtoPoints, "rto");
        marks(times, q, retransmissions);
        legend(times, new String[][] {{"srtt", "SRTT"}, {"rto", "RTO"}});
        out.append(times.end());
        return out.toString();
    }

    /** Adds a step to ({@code x}, {@code y}) to the polyline {@code xy} of {@code points} points; returns the new count. */
    private static int step(double[] xy, int points, double x, double y) {
        if (points > 0) {
            xy[2 * points] = x;
            xy[2 * points + 1] = xy[2 * points - 1];
            points++;
        }
        xy[2 * points] = x;
        xy[2 * points + 1] = y;
        return points + 1;
    }

    private static void marks(Svg svg, Plot p, List<Long> at) {
        for (long t : at) {
            svg.line(p.x(t), Plot.TOP, p.x(t), Plot.TOP + 10, "retransmission-mark", "retransmission at "
                    + Timeline.seconds(t));
        }
    }

    private static void legend(Svg svg, String[][] items) {
        double x = Plot.LEFT + 10;
        double y = Plot.TOP + 24;
        for (String[] item : items) {
            svg.line(x, y - 4, x + 14, y - 4, "legend " + item[0]);
            svg.text(x + 18, y, item[1], "legend-text", "start");
            x += 130;
        }
    }
}
