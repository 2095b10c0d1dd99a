/**
 * FFM bindings for the pcap driver: libpcap (found under its real names), and the libc calls
 * the reader needs ({@code poll}, {@code eventfd}). Not exported: these may change freely.
 */
package dev.tsunagu.driver.pcap.internal;
