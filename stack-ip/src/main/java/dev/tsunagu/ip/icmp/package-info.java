/**
 * ICMP (RFC 792): echo (ping), error messages and their rate limit, delivery of errors to
 * transports. {@link dev.tsunagu.ip.icmp.EchoRequests} and {@link dev.tsunagu.ip.icmp.IcmpErrorGate}
 * serve ICMPv6 (module stack-ipv6) too.
 */
package dev.tsunagu.ip.icmp;
