/** ICMP (RFC 792): echo (ping), error messages and their rate limit, delivery of errors to transports. */
package dev.tsunagu.ip.icmp;
