package dev.tsunagu.viz.jfr;

import dev.tsunagu.net.Endpoint;
import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TraceSink;
import java.util.stream.Collectors;

/**
 * Turns each trace event into its JFR event and commits it (JFR keeps it only if a recording
 * enables that type). Usable on its own ({@code stack.tcp().trace(new JfrTraceSink())}); the
 * {@link JfrLayerProvider}'s layer adds one while a recording wants the events.
 */
public final class JfrTraceSink implements TraceSink {
    @Override
    public void onEvent(TcpTraceEvent event) {
        TcpEvent jfr = switch (event) {
            case TcpTraceEvent.Segment s -> {
                TcpSegmentEvent e = new TcpSegmentEvent();
                e.direction = s.direction().name();
                e.seq = Integer.toUnsignedLong(s.seq());
                e.ack = Integer.toUnsignedLong(s.ack());
                e.flags = TcpTraceEvent.flagsText(s.flags());
                e.window = s.window();
                e.length = s.length();
                e.sack = s.sack().stream()
                        .map(b -> Integer.toUnsignedString(b.left()) + "-" + Integer.toUnsignedString(b.right()))
                        .collect(Collectors.joining(" "));
                yield e;
            }
            case TcpTraceEvent.StateChange s -> {
                TcpStateEvent e = new TcpStateEvent();
                e.from = s.from();
                e.to = s.to();
                yield e;
            }
            case TcpTraceEvent.Congestion c -> {
                TcpCongestionEvent e = new TcpCongestionEvent();
                e.cwnd = c.cwnd();
                e.ssthresh = c.ssthresh();
                e.srtt = c.srttNanos();
                e.rto = c.rtoNanos();
                e.inFlight = c.inFlight();
                e.sendWindow = c.sendWindow();
                yield e;
            }
            case TcpTraceEvent.Retransmission r -> {
                TcpRetransmissionEvent e = new TcpRetransmissionEvent();
                e.seq = Integer.toUnsignedLong(r.seq());
                e.length = r.length();
                e.reason = r.reason().name();
                yield e;
            }
            case TcpTraceEvent.TimerFired t -> {
                TcpTimerEvent e = new TcpTimerEvent();
                e.timer = t.timer();
                yield e;
            }
        };
        if (!jfr.isEnabled()) {
            return;
        }
        TcpConnectionId id = event.connection();
        jfr.stack = id.stack();
        jfr.local = Endpoint.format(id.local());
        jfr.remote = Endpoint.format(id.remote());
        jfr.stackNanos = event.timeNanos();
        jfr.commit();
    }

}
