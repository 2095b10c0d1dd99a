package dev.tsunagu.stack;

/**
 * An ICMP error as delivered to the transport that sent the quoted datagram.
 *
 * @param type ICMP type (3 destination unreachable, 11 time exceeded, 12 parameter problem)
 * @param code ICMP code (3 port unreachable, 4 fragmentation needed…)
 * @param reporter who sent the error (a router or the destination)
 * @param quotedSource the quoted datagram's source address (ours)
 * @param quotedDestination the quoted datagram's destination
 * @param nextHopMtu for "fragmentation needed", the MTU the router reported, else 0
 */
public record IcmpErrorInfo(int type, int code, int reporter, int quotedSource, int quotedDestination, int nextHopMtu) {}
