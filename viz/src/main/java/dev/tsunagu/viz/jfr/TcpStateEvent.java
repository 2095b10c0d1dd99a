package dev.tsunagu.viz.jfr;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A connection's state changed ({@code TcpTraceEvent.StateChange}). */
@Name("dev.tsunagu.tcp.StateChange")
@Label("TCP State Change")
@Category({"Tsunagu", "TCP"})
@StackTrace(false)
public final class TcpStateEvent extends TcpEvent {
    /** The state before. */
    @Label("From")
    public String from;
    /** The state after. */
    @Label("To")
    public String to;
}
