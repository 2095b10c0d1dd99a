package dev.tsunagu.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TraceSink} that keeps the events it is given, up to a bound, for tests and tools:
 * events beyond the bound are counted ({@link #dropped}) and not kept, so a forgotten recorder
 * cannot exhaust the heap. Safe to read from any thread while the loop records.
 */
public final class TraceRecorder implements TraceSink {
    private final int capacity;
    private final List<TcpTraceEvent> events = new ArrayList<>();
    private long dropped;

    /** A recorder that keeps at most {@code capacity} events. */
    public TraceRecorder(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    /** A recorder of at most a million events (a few tens of megabytes). */
    public TraceRecorder() {
        this(1_000_000);
    }

    @Override
    public synchronized void onEvent(TcpTraceEvent event) {
        if (events.size() < capacity) {
            events.add(event);
        } else {
            dropped++;
        }
    }

    /** A copy of the events kept so far, oldest first. */
    public synchronized List<TcpTraceEvent> events() {
        return List.copyOf(events);
    }

    /** The kept events of type {@code type}, oldest first. */
    public synchronized <T extends TcpTraceEvent> List<T> events(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (TcpTraceEvent e : events) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }

    /** Events not kept because the recorder was full. */
    public synchronized long dropped() {
        return dropped;
    }

    /** Forgets every event kept (and the count of those dropped). */
    public synchronized void clear() {
        events.clear();
        dropped = 0;
    }
}
