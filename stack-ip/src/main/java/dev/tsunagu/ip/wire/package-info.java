/**
 * IPv4 and ICMP wire formats as views: static accessors that check, read and write headers in
 * place ({@link dev.tsunagu.ip.wire.Ipv4Header}, {@link dev.tsunagu.ip.wire.IcmpHeader}), the
 * one parser of each protocol in production. The value records that tests build and compare
 * ({@code Ipv4Repr}, {@code IcmpRepr}) live in {@code stack-testkit}.
 */
package dev.tsunagu.ip.wire;
