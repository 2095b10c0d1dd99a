package dev.tsunagu.viz.jfr;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A connection timer fired ({@code TcpTraceEvent.TimerFired}). */
@Name("dev.tsunagu.tcp.Timer")
@Label("TCP Timer")
@Category({"Tsunagu", "TCP"})
@StackTrace(false)
public final class TcpTimerEvent extends TcpEvent {
    /** Which timer: retransmission, delayed-ack, persist, tail-loss-probe, reorder, keepalive. */
    @Label("Timer")
    public String timer;
}
