/**
 * Neighbor Discovery's state (RFC 4861): the neighbour cache with its five states and the
 * timers that move entries between them. The messages themselves (solicitations,
 * advertisements, DAD, Router Advertisements) are handled in {@code dev.tsunagu.ipv6}, which
 * knows the interfaces' addresses and routes.
 */
package dev.tsunagu.ipv6.nd;
