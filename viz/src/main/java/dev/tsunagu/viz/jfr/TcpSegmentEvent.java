package dev.tsunagu.viz.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A TCP segment sent or received ({@code dev.tsunagu.trace.TcpTraceEvent.Segment}). */
@Name("dev.tsunagu.tcp.Segment")
@Label("TCP Segment")
@Category({"Tsunagu", "TCP"})
@Description("A TCP segment a Tsunagu stack sent or received")
@StackTrace(false)
public final class TcpSegmentEvent extends TcpEvent {
    /** SENT or RECEIVED. */
    @Label("Direction")
    public String direction;
    /** The sequence number (unsigned). */
    @Label("Sequence Number")
    public long seq;
    /** The acknowledgment number (unsigned). */
    @Label("Acknowledgment Number")
    public long ack;
    /** The control bits, as text. */
    @Label("Flags")
    public String flags;
    /** The window offered, bytes. */
    @Label("Window")
    public long window;
    /** The payload's length. */
    @Label("Length")
    public int length;
    /** The SACK blocks, {@code left-right} separated by spaces. */
    @Label("SACK Blocks")
    public String sack;
}
