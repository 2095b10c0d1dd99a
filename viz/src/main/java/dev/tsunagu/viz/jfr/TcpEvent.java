package dev.tsunagu.viz.jfr;

import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Timespan;

/** What every Tsunagu TCP event carries: the connection and the stack's own clock. */
public abstract class TcpEvent extends Event {
    /** The stack's name. */
    @Label("Stack")
    public String stack;
    /** Our address and port. */
    @Label("Local")
    public String local;
    /** The peer's address and port. */
    @Label("Remote")
    public String remote;
    /** The stack's clock when it happened (simulated time on a virtual clock). */
    @Label("Stack Time")
    @Timespan(Timespan.NANOSECONDS)
    public long stackNanos;

    /** For the subclasses. */
    protected TcpEvent() {
    }
}
