/**
 * The socket library's DNS stub resolver (RFC 1035) over the stack's own UDP: queries, retries
 * ("if the answer does not come, ask again"), a cache that honours TTLs.
 *
 * <ul>
 *   <li>{@link dev.tsunagu.udp.dns.DnsMessage}: the wire format, with {@link
 *       dev.tsunagu.udp.dns.Question} and {@link dev.tsunagu.udp.dns.ResourceRecord}. Parsing
 *       is bounded (labels, names, compression pointers, counts) and reports malformed input
 *       as a checked {@link dev.tsunagu.udp.dns.DnsFormatException}; encoding compresses names.</li>
 *   <li>{@link dev.tsunagu.udp.dns.Resolver}: lookups on the event loop, with per-attempt
 *       timeouts and retries over the servers of a {@link dev.tsunagu.udp.dns.ResolverConfig},
 *       positive and negative caching on the loop's clock, and shared queries. A lookup nobody
 *       answered fails with {@link dev.tsunagu.udp.dns.ResolverTimeoutException}, a name the
 *       server does not know with {@link dev.tsunagu.socket.NoSuchHostException}. Every stack
 *       with UDP publishes one as its {@link dev.tsunagu.socket.NameResolver}, the contract
 *       through which the socket library ({@code stack-tcp}) resolves names.</li>
 * </ul>
 *
 * <pre>{@code
 * Resolver dns = new Resolver(stack.loop(), stack.udp(), ResolverConfig.parse("10.0.0.53"),
 *         RandomGenerator.of("L64X128MixRandom"));
 * List<InetAddress> addresses = dns.lookup("example.com");        // blocking
 * dns.resolve("example.com", DnsMessage.TYPE_AAAA).thenAccept(...); // asynchronous
 * }</pre>
 *
 * <p>Not yet: TCP fallback for truncated answers (RFC 7766), EDNS(0), DNSSEC, search lists.
 */
package dev.tsunagu.udp.dns;
