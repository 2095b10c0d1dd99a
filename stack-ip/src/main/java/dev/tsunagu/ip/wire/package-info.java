/**
 * IPv4 and ICMP wire formats: static views that read and write headers in place
 * ({@link dev.tsunagu.ip.wire.Ipv4Packet}, {@link dev.tsunagu.ip.wire.IcmpPacket}) and value
 * records with parse/emit for tests, traces and slow paths.
 */
package dev.tsunagu.ip.wire;
