/**
 * IPv4 (RFC 791, RFC 1122 host rules): the layer that validates and delivers datagrams,
 * routes and (optionally) forwards them, fragments and reassembles, and hosts ICMP.
 */
package dev.tsunagu.ip;
