package dev.tsunagu.viz.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The sender's congestion figures changed ({@code TcpTraceEvent.Congestion}). */
@Name("dev.tsunagu.tcp.Congestion")
@Label("TCP Congestion State")
@Category({"Tsunagu", "TCP"})
@StackTrace(false)
public final class TcpCongestionEvent extends TcpEvent {
    /** The congestion window. */
    @Label("cwnd")
    @DataAmount
    public long cwnd;
    /** The slow-start threshold. */
    @Label("ssthresh")
    @DataAmount
    public long ssthresh;
    /** The smoothed RTT (-1: no sample yet). */
    @Label("SRTT")
    @Timespan(Timespan.NANOSECONDS)
    public long srtt;
    /** The retransmission timeout. */
    @Label("RTO")
    @Timespan(Timespan.NANOSECONDS)
    public long rto;
    /** Bytes in flight. */
    @Label("In Flight")
    @DataAmount
    public long inFlight;
    /** The peer's window. */
    @Label("Send Window")
    @DataAmount
    public long sendWindow;
}
