/**
 * IPv6 (RFC 8200) for hosts: the layer that checks and delivers packets, walks extension
 * headers, routes by longest prefix, fragments at the source and reassembles, and hosts ICMPv6
 * (RFC 4443) and Neighbor Discovery (RFC 4861, with RFC 4862's DAD and SLAAC). It is the
 * stack's {@link dev.tsunagu.stack.IpService} for {@link dev.tsunagu.net.AddressFamily#IPV6},
 * so TCP and UDP run over it unchanged, and IPv6's {@link dev.tsunagu.stack.NeighborResolver}
 * in the link layer, in place of ARP. It publishes {@link dev.tsunagu.ipv6.Ipv6Service} for
 * tools and tests, and answers IPv6 targets of the stack's ping entry point.
 *
 * <p>An interface takes part in IPv6 only when it is configured with an IPv6 address (it then
 * gets its link-local address too); loopback always has {@code ::1}. So a stack configured for
 * IPv4 alone behaves on the wire exactly as it does without this module.
 */
package dev.tsunagu.ipv6;
