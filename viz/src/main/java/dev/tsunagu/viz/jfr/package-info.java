/**
 * The TCP trace as JDK Flight Recorder events, so the usual {@code -XX:StartFlightRecording}
 * (or JMC, or {@code jcmd PID JFR.start}) records what every connection of every stack in the
 * JVM did, beside the JVM's own events (GC, threads, allocation).
 *
 * <p>{@link dev.tsunagu.viz.jfr.JfrLayerProvider} puts a small layer into every stack built
 * with this module on its path. The layer watches the recorder ({@code FlightRecorderListener})
 * and adds a {@link dev.tsunagu.viz.jfr.JfrTraceSink} to the stack's TCP trace only while a
 * recording that enables these events runs: with no recording the stack is not traced at all,
 * so JFR costs nothing until someone records. The events are instant events named
 * {@code dev.tsunagu.tcp.*}; each carries the stack's clock ({@code stackNanos}), which on a
 * virtual clock is the simulated time, beside JFR's own timestamp.
 *
 * <p>Why a module of its own: {@code jdk.jfr} is not in every runtime image ({@code jlink}
 * images leave it out unless asked), and a {@code requires static} in the stack would still
 * put JFR-referencing classes beside the hot path, guarded by checks at every use. Here the
 * stack knows only its trace SPI, and this module is the one adapter.
 */
package dev.tsunagu.viz.jfr;
