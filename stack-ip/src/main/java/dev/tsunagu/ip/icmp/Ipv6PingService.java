package dev.tsunagu.ip.icmp;

/**
 * Echo over ICMPv6 (RFC 4443 4.1), published by an IPv6 layer (stack-ipv6) under this type. The
 * stack's {@link PingService} hands it every IPv6 target, so callers keep one entry point for
 * both families; without an IPv6 layer there is none and IPv6 targets fail as before.
 */
public interface Ipv6PingService extends PingService {}
