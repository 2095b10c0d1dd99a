package dev.tsunagu.viz.live;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TraceSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent congestion figures of a stack's connections, taken from its trace: the last
 * {@link #SAMPLES} changes of each of the last {@link #CONNECTIONS} connections that changed,
 * so memory stays bounded however long the stack runs. Written on the stack's loop, read by
 * the web server's thread.
 */
public final class CongestionHistory implements TraceSink {
    /** Samples kept per connection. */
    public static final int SAMPLES = 2000;
    /** Connections kept; the one that changed least recently goes first. */
    public static final int CONNECTIONS = 64;

    /**
     * One sample.
     *
     * @param timeNanos the stack's clock
     * @param cwnd the congestion window
     * @param ssthresh the slow-start threshold
     * @param srttNanos the smoothed RTT, -1 before a sample
     * @param rtoNanos the retransmission timeout
     * @param inFlight bytes in flight
     */
    public record Sample(long timeNanos, long cwnd, long ssthresh, long srttNanos, long rtoNanos, long inFlight) {
    }

    private final Map<TcpConnectionId, ArrayDeque<Sample>> byConnection = new LinkedHashMap<>(16, 0.75f, true);

    @Override
    public synchronized void onEvent(TcpTraceEvent event) {
        if (event instanceof TcpTraceEvent.Congestion c) {
            ArrayDeque<Sample> q = byConnection.computeIfAbsent(c.connection(), k -> new ArrayDeque<>());
            if (q.size() == SAMPLES) {
                q.removeFirst();
            }
            q.addLast(new Sample(c.timeNanos(), c.cwnd(), c.ssthresh(), c.srttNanos(), c.rtoNanos(), c.inFlight()));
            if (byConnection.size() > CONNECTIONS) {
                Iterator<TcpConnectionId> oldest = byConnection.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
    }

    /** The connections with samples, the one that changed most recently last. */
    public synchronized List<TcpConnectionId> connections() {
        return new ArrayList<>(byConnection.keySet());
    }

    /** {@code connection}'s samples, oldest first (empty if none are kept). */
    public synchronized List<Sample> samples(TcpConnectionId connection) {
        ArrayDeque<Sample> q = byConnection.entrySet().stream().filter(e -> e.getKey().equals(connection))
                .map(Map.Entry::getValue).findFirst().orElse(null); // no get(): it would reorder the access order
        return q == null ? List.of() : List.copyOf(q);
    }
}
