/**
 * A stack's counters and socket table as a JMX MXBean ({@link dev.tsunagu.viz.jmx.StackMXBean}),
 * registered on request ({@link dev.tsunagu.viz.jmx.StackMBeans#register}) under
 * {@code dev.tsunagu:type=Stack,name=NAME}, so JConsole, JMC or any JMX exporter reads them as
 * typed values: counters as numbers per layer, socket rows as composite data with named
 * fields, never as formatted strings.
 */
package dev.tsunagu.viz.jmx;
