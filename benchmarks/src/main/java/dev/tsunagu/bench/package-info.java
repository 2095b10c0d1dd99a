/**
 * JMH micro-benchmarks of Tsunagu's hot paths: the Internet checksum, IPv4/TCP parse and emit,
 * one segment through the whole send and receive path, the timer wheel, the ARP cache, the
 * send buffer. Run them from {@code benchmarks/target/benchmarks.jar}; see
 * {@code docs/performance.md} for the commands and the figures.
 */
package dev.tsunagu.bench;
