/**
 * Pictures of what TCP did, from its trace ({@code dev.tsunagu.trace}): a ladder diagram of a
 * conversation ({@link dev.tsunagu.viz.LadderDiagram}), the time-sequence graph of what a
 * connection sent ({@link dev.tsunagu.viz.TimeSequenceGraph}), and its congestion window,
 * slow-start threshold, smoothed RTT and RTO over time ({@link dev.tsunagu.viz.CongestionPlot}),
 * gathered in a self-contained HTML page ({@link dev.tsunagu.viz.TraceReport}). Each is plain
 * SVG text with one element per fact and CSS classes that name it, so tests count elements
 * and a browser needs nothing but the file.
 */
package dev.tsunagu.viz;
