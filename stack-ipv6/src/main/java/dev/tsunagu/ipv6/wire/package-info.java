/**
 * IPv6 wire formats as views over a {@link dev.tsunagu.buffer.PacketBuffer}: the fixed header,
 * the extension-header walk, the Fragment header, ICMPv6 and the Neighbor Discovery messages.
 * One validation per view; after it no accessor reads out of bounds.
 */
package dev.tsunagu.ipv6.wire;
