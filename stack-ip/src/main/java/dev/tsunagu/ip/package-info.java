/**
 * IPv4 (RFC 791, RFC 1122 host rules): the layer that validates and delivers datagrams,
 * routes and (optionally) forwards them, fragments and reassembles, and hosts ICMP. It is the
 * stack's {@link dev.tsunagu.stack.IpService} for {@link dev.tsunagu.net.AddressFamily#IPV4}
 * (what transports use) and publishes {@link dev.tsunagu.ip.Ipv4Service} for IPv4-specific
 * users (routes, reassembly figures).
 */
package dev.tsunagu.ip;
