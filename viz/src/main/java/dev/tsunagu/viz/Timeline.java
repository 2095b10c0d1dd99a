package dev.tsunagu.viz;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Ordering and selecting trace events, and writing times, for the diagrams. */
public final class Timeline {
    private Timeline() {
    }

    /** The events by time; events of one instant keep the order they were given in (a stable sort). */
    public static List<TcpTraceEvent> ordered(List<TcpTraceEvent> events) {
        List<TcpTraceEvent> copy = new ArrayList<>(events);
        copy.sort(Comparator.comparingLong(TcpTraceEvent::timeNanos));
        return copy;
    }

    /** The connections the events are about, in order of first appearance. */
    public static List<TcpConnectionId> connections(List<TcpTraceEvent> events) {
        Set<TcpConnectionId> ids = new LinkedHashSet<>();
        events.forEach(e -> ids.add(e.connection()));
        return List.copyOf(ids);
    }

    /** The events of one connection, in the order given. */
    public static List<TcpTraceEvent> of(List<TcpTraceEvent> events, TcpConnectionId connection) {
        return events.stream().filter(e -> e.connection().equals(connection)).toList();
    }

    /**
     * When the sending began: the first segment's time. Plots over time span segments,
     * congestion figures and retransmissions, not the state changes after the last segment
     * (a TIME-WAIT's end would squeeze a transfer into the left edge).
     */
    static long start(List<TcpTraceEvent> events) {
        return events.stream().filter(Timeline::plotted).mapToLong(TcpTraceEvent::timeNanos).min().orElse(0);
    }

    /** When the last segment, congestion change or retransmission happened. */
    static long end(List<TcpTraceEvent> events) {
        return events.stream().filter(Timeline::plotted).mapToLong(TcpTraceEvent::timeNanos).max().orElse(1);
    }

    private static boolean plotted(TcpTraceEvent e) {
        return e instanceof TcpTraceEvent.Segment || e instanceof TcpTraceEvent.Congestion
                || e instanceof TcpTraceEvent.Retransmission;
    }

    /** Seconds with six decimals, as the tour writes its times. */
    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
    }

    /** Milliseconds with one decimal. */
    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
