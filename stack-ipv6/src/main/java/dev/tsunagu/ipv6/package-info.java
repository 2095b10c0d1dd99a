/**
 * IPv6 (RFC 8200): the well-known addresses and mappings a host needs and the routing table
 * with longest-prefix match. The layer itself follows.
 */
package dev.tsunagu.ipv6;
