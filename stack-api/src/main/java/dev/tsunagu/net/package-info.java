/**
 * Address value types. Hot paths carry addresses as primitives ({@code int} for IPv4, the
 * low 48 bits of a {@code long} for MAC) so that nothing is allocated per packet; the
 * records here are the readable form used by APIs, configuration and logs.
 */
package dev.tsunagu.net;
