/**
 * Ethernet II framing: {@link dev.tsunagu.link.ethernet.EthernetFrame} reads and writes a
 * header in place; {@link dev.tsunagu.link.ethernet.EthernetRepr} is the same header as a
 * value for tests and traces.
 */
package dev.tsunagu.link.ethernet;
