/**
 * ICMP (RFC 792): echo (ping), error messages and their rate limit, delivery of errors to
 * transports. {@link dev.tsunagu.ip.icmp.EchoRequests} (echo bookkeeping and messages),
 * {@link dev.tsunagu.ip.icmp.IcmpErrorGate} (the errors' rate limit) and
 * {@link dev.tsunagu.ip.icmp.IcmpErrorDelivery} (an error to its transport) serve ICMPv6 (module
 * stack-ipv6) too; each family keeps its own RFC's rules in its layer.
 */
package dev.tsunagu.ip.icmp;
