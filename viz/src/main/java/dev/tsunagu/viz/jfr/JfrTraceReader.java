package dev.tsunagu.viz.jfr;

import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.RetransmitReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads the {@code dev.tsunagu.tcp.*} events of a JFR recording back into trace events, so a
 * recording of a live run draws the same pictures as a simulation's trace ({@code TraceReport}).
 * Every other event of the file (the JVM's own) is passed over.
 *
 * <p>A recording keeps each thread's events in the order they were committed, but the file may
 * interleave threads' buffers; the events are put back in order by the time JFR gave them, which
 * keeps each stack's own order (one loop thread commits all of a stack's events), and a stack's
 * {@code stackNanos} is its own clock again. Up to {@code limit} events are kept, the earliest
 * first; the rest are counted ({@link Result#dropped}).
 */
public final class JfrTraceReader {
    private JfrTraceReader() {
    }

    /**
     * What a recording held.
     *
     * @param events the trace events, in the order they happened
     * @param dropped events of ours past the limit, not kept
     */
    public record Result(List<TcpTraceEvent> events, long dropped) {
    }

    /** Every Tsunagu TCP event of {@code file}, up to {@code limit}. */
    public static Result read(Path file, int limit) throws IOException {
        List<RecordedEvent> ours = new ArrayList<>();
        long dropped = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                if (e.getEventType().getName().startsWith(PREFIX)) {
                    if (ours.size() < limit) {
                        ours.add(e);
                    } else {
                        dropped++;
                    }
                }
            }
        }
        ours.sort(Comparator.comparing(RecordedEvent::getStartTime)); // stable: ties keep the file's order
        Map<String, TcpConnectionId> ids = new HashMap<>();
        List<TcpTraceEvent> events = new ArrayList<>(ours.size());
        for (RecordedEvent e : ours) {
            TcpTraceEvent t = event(e, ids);
            if (t != null) {
                events.add(t);
            }
        }
        return new Result(List.copyOf(events), dropped);
    }

    private static final String PREFIX = "dev.tsunagu.tcp.";

    /** The trace event a recorded one stands for, or null for a type this version does not know. */
    static TcpTraceEvent event(RecordedEvent e, Map<String, TcpConnectionId> ids) {
        String stack = e.getString("stack");
        String local = e.getString("local");
        String remote = e.getString("remote");
        TcpConnectionId id = ids.computeIfAbsent(stack + " " + local + " " + remote,
                k -> new TcpConnectionId(stack, address(local), address(remote)));
        long t = e.getLong("stackNanos");
        return switch (e.getEventType().getName().substring(PREFIX.length())) {
            case "Segment" -> new TcpTraceEvent.Segment(t, id, Direction.valueOf(e.getString("direction")),
                    (int) e.getLong("seq"), (int) e.getLong("ack"), flags(e.getString("flags")), e.getLong("window"),
                    e.getInt("length"), sack(e.getString("sack")));
            case "StateChange" -> new TcpTraceEvent.StateChange(t, id, e.getString("from"), e.getString("to"));
            case "Congestion" -> new TcpTraceEvent.Congestion(t, id, e.getLong("cwnd"), e.getLong("ssthresh"),
                    e.getLong("srtt"), e.getLong("rto"), e.getLong("inFlight"), e.getLong("sendWindow"));
            case "Retransmission" -> new TcpTraceEvent.Retransmission(t, id, (int) e.getLong("seq"), e.getInt("length"),
                    reason(e.getString("reason")));
            case "Timer" -> new TcpTraceEvent.TimerFired(t, id, e.getString("timer"));
            default -> null;
        };
    }

    /**
     * {@code 10.0.0.1:80}, {@code [fd00::1]:80} (or, from older recordings, {@code fd00::1:80}):
     * the port follows the last colon.
     */
    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not an address and port: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // [fd00::1]:8080, as Endpoint.format writes IPv6
        }
        return new InetSocketAddress(InetAddress.ofLiteral(host), Integer.parseInt(text.substring(colon + 1)));
    }

    /** The bits of {@code SYN,ACK} (as {@link TcpTraceEvent#flagsText} writes them); {@code -} is none. */
    static int flags(String text) {
        int bits = 0;
        for (String name : text.split(",")) {
            int i = FLAG_NAMES.indexOf(name);
            if (i >= 0) {
                bits |= 1 << i;
            }
        }
        return bits;
    }

    private static final List<String> FLAG_NAMES = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR");

    private static List<TcpTraceEvent.SackBlock> sack(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        List<TcpTraceEvent.SackBlock> blocks = new ArrayList<>();
        for (String block : text.strip().split(" +")) {
            int dash = block.indexOf('-');
            blocks.add(new TcpTraceEvent.SackBlock((int) Long.parseLong(block.substring(0, dash)),
                    (int) Long.parseLong(block.substring(dash + 1))));
        }
        return List.copyOf(blocks);
    }

    private static RetransmitReason reason(String name) {
        try {
            return RetransmitReason.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            return RetransmitReason.UNKNOWN; // written by another version
        }
    }
}
