/**
 * FFM bindings for the pcap driver: libpcap, found under its real names. The libc calls the
 * reader needs ({@code poll}, {@code eventfd}) are the shared ones of
 * {@code dev.tsunagu.driver.nativeio}. Not exported: these may change freely.
 */
package dev.tsunagu.driver.pcap.internal;
