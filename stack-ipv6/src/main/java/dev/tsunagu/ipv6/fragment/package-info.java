/**
 * IPv6 fragmentation (RFC 8200 4.5): source fragmentation of packets larger than the path MTU,
 * and bounded reassembly that refuses overlaps (RFC 5722).
 */
package dev.tsunagu.ipv6.fragment;
