/**
 * Address value types. {@link dev.tsunagu.net.IpAddress} (an {@link
 * dev.tsunagu.net.Ipv4Address} or an {@link dev.tsunagu.net.Ipv6Address}) is what the layer
 * contracts carry; inside the IPv4 layer addresses are plain {@code int}s, and MACs the low
 * 48 bits of a {@code long}, so that nothing is allocated per packet. The records are also
 * the readable form used by APIs, configuration and logs.
 */
package dev.tsunagu.net;
