/**
 * Seeing what TCP does: the stack's TCP trace ({@code dev.tsunagu.trace}) as JFR events
 * ({@code dev.tsunagu.viz.jfr}), as ladder diagrams and time-sequence and congestion plots in
 * self-contained HTML/SVG ({@code dev.tsunagu.viz}), the stack's counters and socket table
 * as a JMX MXBean ({@code dev.tsunagu.viz.jmx}), and a live page of a running stack
 * ({@code dev.tsunagu.viz.live}); and the same pictures from a JFR recording
 * ({@code dev.tsunagu.viz.jfr}) or a capture file ({@code dev.tsunagu.viz.capture}, read by
 * stack-link's pcap reader and the stack's wire views). The stack's own modules need none of this, nor
 * {@code jdk.jfr} or {@code java.management}: a stack without this module on its path has none
 * of it and pays nothing for it.
 */
module dev.tsunagu.viz {
    requires transitive dev.tsunagu.api;
    requires dev.tsunagu.link; // captures: the pcap/pcapng reader, Ethernet
    requires dev.tsunagu.ip;   // captures: the IPv4 header
    requires dev.tsunagu.ipv6; // captures: the IPv6 header
    requires dev.tsunagu.tcp;  // captures: the TCP header and its options
    requires jdk.jfr;
    requires transitive java.management;
    requires jdk.httpserver; // the live view, on the loopback address

    exports dev.tsunagu.viz;
    exports dev.tsunagu.viz.capture;
    exports dev.tsunagu.viz.jfr;
    exports dev.tsunagu.viz.jmx;
    exports dev.tsunagu.viz.live;

    provides dev.tsunagu.stack.LayerProvider with dev.tsunagu.viz.jfr.JfrLayerProvider;
}
