/** The TCP header and its options (RFC 9293, RFC 7323, RFC 6691) as a view and as a value. */
package dev.tsunagu.tcp.wire;
