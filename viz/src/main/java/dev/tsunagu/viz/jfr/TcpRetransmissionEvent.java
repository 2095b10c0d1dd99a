package dev.tsunagu.viz.jfr;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A segment went again, and why ({@code TcpTraceEvent.Retransmission}). */
@Name("dev.tsunagu.tcp.Retransmission")
@Label("TCP Retransmission")
@Category({"Tsunagu", "TCP"})
@StackTrace(false)
public final class TcpRetransmissionEvent extends TcpEvent {
    /** The first sequence number sent again (unsigned). */
    @Label("Sequence Number")
    public long seq;
    /** The payload's length. */
    @Label("Length")
    public int length;
    /** Why: TIMEOUT, FAST_RETRANSMIT, SACK_RECOVERY... */
    @Label("Reason")
    public String reason;
}
