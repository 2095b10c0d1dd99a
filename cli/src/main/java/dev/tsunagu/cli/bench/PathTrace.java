package dev.tsunagu.cli.bench;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TraceSink;
import dev.tsunagu.viz.CongestionPlot;
import dev.tsunagu.viz.TimeSequenceGraph;
import dev.tsunagu.viz.TraceReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --scenario paths --html DIR}: what the sender of one flow did, kept small enough
 * to draw. A flow sends hundreds of thousands of segments, so the trace is cut two ways: every
 * event until {@link #FIRST} have been kept (the start: slow start, the first losses, the
 * recovery; the time-sequence graph), and over the whole run the congestion figures thinned to
 * at most one per {@link #BUCKETS}th of the run, plus every fall of cwnd (the sawtooth's
 * teeth) and the retransmissions (the cwnd plot), each list bounded.
 */
final class PathTrace implements TraceSink {
    /** Events of the start kept whole: a time-sequence graph of a few thousand bars still reads. */
    static final int FIRST = 6_000;
    /** The congestion plot is about 800 pixels wide: more points than this draw nothing more. */
    static final int BUCKETS = 1_500;
    /** Bounds on what the whole run keeps, whatever happens. */
    private static final int MAX_CONGESTION = 4 * BUCKETS;
    private static final int MAX_RETRANSMISSIONS = 5_000;

    private final long bucketNanos;
    private final List<TcpTraceEvent> first = new ArrayList<>();
    private final List<TcpTraceEvent> run = new ArrayList<>();
    private int retransmissions;
    private long lastBucket = Long.MIN_VALUE;
    private long lastCwnd = -1;
    private long start = Long.MIN_VALUE;

    /** For a flow of {@code lengthNanos}. */
    PathTrace(long lengthNanos) {
        this.bucketNanos = Math.max(1, lengthNanos / BUCKETS);
    }

    @Override
    public void onEvent(TcpTraceEvent e) {
        if (start == Long.MIN_VALUE) {
            start = e.timeNanos();
        }
        if (first.size() < FIRST) {
            first.add(e);
        }
        switch (e) {
            case TcpTraceEvent.Congestion c -> {
                long bucket = (c.timeNanos() - start) / bucketNanos;
                if ((bucket != lastBucket || c.cwnd() < lastCwnd) && run.size() < MAX_CONGESTION + MAX_RETRANSMISSIONS) {
                    run.add(c);
                    lastBucket = bucket;
                }
                lastCwnd = c.cwnd();
            }
            case TcpTraceEvent.Retransmission r -> {
                if (retransmissions++ < MAX_RETRANSMISSIONS) {
                    run.add(r);
                }
            }
            default -> {
            }
        }
    }

    /** The events of the start, whole. */
    List<TcpTraceEvent> first() {
        return first;
    }

    /** The congestion figures of the whole run, thinned, and its retransmissions. */
    List<TcpTraceEvent> run() {
        return run;
    }

    /** Writes the flow's page: the start's time-sequence graph and the whole run's congestion plots. */
    void write(Path file, String title, String summary) throws IOException {
        TraceReport page = new TraceReport(title);
        page.text("result", "Result", summary);
        TcpConnectionId id = sender();
        if (id != null) {
            long firstEnd = first.getLast().timeNanos() - start;
            page.section("time-sequence-1", "Time-sequence graph of the start", String.format(Locale.ROOT,
                    "The first %d trace events, the first %.3f s of the flow: what the sender sent (bars; red: sent"
                            + " again), the ACKs that came back, the receiver's window and what it SACKed.",
                    first.size(), firstEnd / 1e9), TimeSequenceGraph.svg(first, id));
            page.section("congestion-1", "Congestion window and timers over the whole run", "cwnd and ssthresh, SRTT and"
                    + " RTO, at most one point per " + String.format(Locale.ROOT, "%.1f ms", bucketNanos / 1e6)
                    + " and at every fall of cwnd; retransmissions as red ticks"
                    + (retransmissions > MAX_RETRANSMISSIONS ? " (the first " + MAX_RETRANSMISSIONS + " of " + retransmissions
                    + ")" : "") + ".", CongestionPlot.svg(run, id));
        }
        page.write(file);
    }

    /** The connection that sent data (the flow's), or null if none did. */
    private TcpConnectionId sender() {
        for (TcpTraceEvent e : first) {
            if (e instanceof TcpTraceEvent.Segment s && s.direction() == TcpTraceEvent.Direction.SENT && s.length() > 0) {
                return s.connection();
            }
        }
        return null;
    }
}
