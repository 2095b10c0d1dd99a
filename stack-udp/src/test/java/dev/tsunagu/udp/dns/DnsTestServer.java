package dev.tsunagu.udp.dns;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpService;
import dev.tsunagu.socket.UdpSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny authoritative DNS server over any {@link UdpService}, for tests: it answers A and AAAA
 * queries from a map of names to addresses with one TTL, follows CNAMEs it was given (putting
 * the chain in the answer, as a recursive server would), answers NODATA for a known name
 * without addresses of the type asked, and NXDOMAIN for any other name.
 *
 * <p>Knobs: {@link #dropFirst} ignores the first N queries (to make the resolver retry),
 * {@link #failFirst} answers the first N with an error rcode, {@link #truncateFirst} answers
 * the first N with TC set and no records. {@link #queriesReceived()} counts every query that
 * arrived, dropped or not.
 *
 * <p>Runs on the event loop of the stack that owns {@code udp}: create it on that loop's thread
 * (the test thread, with a {@link dev.tsunagu.loop.VirtualEventLoop}).
 */
public final class DnsTestServer implements AutoCloseable {
    private final UdpSocket socket;
    private final Map<String, List<InetAddress>> records = new HashMap<>();
    private final Map<String, String> cnames = new HashMap<>();
    private volatile long ttlSeconds;
    private volatile int dropFirst;
    private volatile int failFirst;
    private volatile int failRcode = DnsMessage.RCODE_SERVFAIL;
    private volatile int truncateFirst;
    private volatile int queriesReceived;
    private volatile int malformedQueries;
    private volatile int responsesSent;
    private final List<DnsMessage> queries = new ArrayList<>();

    /** A server on port 53. */
    public DnsTestServer(UdpService udp, Map<String, List<InetAddress>> records, Duration ttl) throws IOException {
        this(udp, ResolverConfig.DNS_PORT, records, ttl);
    }

    public DnsTestServer(UdpService udp, int port, Map<String, List<InetAddress>> records, Duration ttl)
            throws IOException {
        records.forEach((name, addresses) -> this.records.put(DnsMessage.canonicalName(name), List.copyOf(addresses)));
        this.ttlSeconds = ttl.toSeconds();
        this.socket = udp.open().bind(port);
        this.socket.onReceive(this::onQuery);
    }

    /** Ignores the next {@code n} queries. */
    public DnsTestServer dropFirst(int n) {
        dropFirst = n;
        return this;
    }

    /** Answers the next {@code n} queries with {@code rcode} (SERVFAIL, REFUSED…). */
    public DnsTestServer failFirst(int n, int rcode) {
        failFirst = n;
        failRcode = rcode;
        return this;
    }

    /** Answers the next {@code n} queries with TC set and no records. */
    public DnsTestServer truncateFirst(int n) {
        truncateFirst = n;
        return this;
    }

    /** Makes {@code alias} a CNAME for {@code target}. */
    public DnsTestServer cname(String alias, String target) {
        cnames.put(DnsMessage.canonicalName(alias), DnsMessage.canonicalName(target));
        return this;
    }

    /** Changes the TTL of the answers from now on. */
    public DnsTestServer ttl(Duration ttl) {
        ttlSeconds = ttl.toSeconds();
        return this;
    }

    /** Queries that arrived, dropped ones included. */
    public int queriesReceived() {
        return queriesReceived;
    }

    /** Datagrams that were not DNS queries. */
    public int malformedQueries() {
        return malformedQueries;
    }

    public int responsesSent() {
        return responsesSent;
    }

    /** Every query received, parsed, in order. Read on the loop's thread. */
    public List<DnsMessage> queries() {
        return queries;
    }

    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public void close() {
        socket.close();
    }

    private void onQuery(Datagram d) {
        DnsMessage query;
        try {
            query = DnsMessage.parse(d.data());
        } catch (DnsFormatException e) {
            malformedQueries++;
            return;
        }
        if (query.response()) {
            malformedQueries++;
            return;
        }
        queriesReceived++;
        queries.add(query);
        if (dropFirst > 0) {
            dropFirst--;
            return;
        }
        DnsMessage response;
        if (failFirst > 0) {
            failFirst--;
            response = DnsMessage.responseTo(query, failRcode, List.of());
        } else if (truncateFirst > 0) {
            truncateFirst--;
            response = DnsMessage.responseTo(query, DnsMessage.RCODE_NOERROR, List.of()).withTruncated(true);
        } else {
            response = answer(query);
        }
        try {
            socket.send(response.encode(), d.source());
            responsesSent++;
        } catch (IOException e) {
            // A test server has nobody to tell; the resolver will time out.
        }
    }

    private DnsMessage answer(DnsMessage query) {
        Question q = query.question();
        if (query.opcode() != DnsMessage.OPCODE_QUERY || q == null || q.qclass() != DnsMessage.CLASS_IN) {
            return DnsMessage.responseTo(query, q == null ? DnsMessage.RCODE_FORMERR : DnsMessage.RCODE_NOTIMP,
                    List.of());
        }
        List<ResourceRecord> answers = new ArrayList<>();
        String name = DnsMessage.canonicalName(q.name());
        String owner = q.name();
        for (int i = 0; i < 16 && cnames.containsKey(name); i++) {
            String target = cnames.get(name);
            answers.add(new ResourceRecord.Cname(owner, ttlSeconds, target));
            name = target;
            owner = target;
        }
        List<InetAddress> addresses = records.get(name);
        if (addresses == null) {
            return DnsMessage.responseTo(query, answers.isEmpty() ? DnsMessage.RCODE_NXDOMAIN
                    : DnsMessage.RCODE_NOERROR, answers);
        }
        for (InetAddress a : addresses) {
            if (q.type() == DnsMessage.TYPE_A && a instanceof Inet4Address
                    || q.type() == DnsMessage.TYPE_AAAA && a instanceof Inet6Address) {
                answers.add(ResourceRecord.address(owner, ttlSeconds, a));
            }
        }
        return DnsMessage.responseTo(query, DnsMessage.RCODE_NOERROR, answers);
    }
}
