/**
 * The live view: a small web server on the host's loopback (the JDK's
 * {@code com.sun.net.httpserver}) that shows one running stack — its socket table, its
 * counters per layer, and a chart of the congestion window, slow-start threshold, smoothed RTT
 * and RTO of a chosen connection — refreshing itself once a second from a JSON endpoint. The
 * page is one self-contained file with a few lines of inline script; the chart's data comes
 * from the stack's TCP trace, kept bounded ({@link dev.tsunagu.viz.live.CongestionHistory}).
 */
package dev.tsunagu.viz.live;
