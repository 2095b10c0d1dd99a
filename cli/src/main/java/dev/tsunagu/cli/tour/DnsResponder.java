package dev.tsunagu.cli.tour;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.udp.dns.DnsFormatException;
import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.Question;
import dev.tsunagu.udp.dns.ResourceRecord;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tiny authoritative DNS server over the stack's UDP: it knows a fixed set of A and AAAA records and
 * answers each query in a callback on the event loop. Names it does not know get NXDOMAIN;
 * queries it cannot parse are counted and ignored (a server must not crash on bad input);
 * responses are never answered.
 */
final class DnsResponder implements AutoCloseable {
    static final long TTL_SECONDS = 300;

    private final UdpSocket socket;
    private final Map<String, InetAddress> zone = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private long answered;
    private long ignored;

    /** @param records each name's address: an A record for an IPv4 one, AAAA for IPv6 */
    DnsResponder(NetworkStack stack, int port, Map<String, InetAddress> records) throws IOException {
        zone.putAll(records);
        socket = stack.udp().open().bind(port);
        socket.onReceive(this::answer);
    }

    private void answer(Datagram d) {
        DnsMessage query;
        try {
            query = DnsMessage.parse(d.data());
        } catch (DnsFormatException e) {
            ignored++;
            return;
        }
        if (query.response() || query.questions().size() != 1) {
            ignored++;
            return;
        }
        Question q = query.questions().getFirst();
        InetAddress address = zone.get(q.name());
        List<ResourceRecord> answers = new ArrayList<>();
        int rcode = DnsMessage.RCODE_NOERROR;
        if (address == null) {
            rcode = DnsMessage.RCODE_NXDOMAIN;
        } else if (q.qclass() == DnsMessage.CLASS_IN && q.type() == DnsMessage.TYPE_A && address instanceof Inet4Address a) {
            answers.add(new ResourceRecord.A(q.name(), TTL_SECONDS, a));
        } else if (q.qclass() == DnsMessage.CLASS_IN && q.type() == DnsMessage.TYPE_AAAA && address instanceof Inet6Address a) {
            answers.add(new ResourceRecord.Aaaa(q.name(), TTL_SECONDS, a));
        } // other types of a known name: NODATA (no error, no records)
        try {
            socket.send(DnsMessage.response(query, rcode, answers), d.source());
            answered++;
        } catch (IOException e) {
            ignored++;
        }
    }

    long answered() {
        return answered;
    }

    long ignored() {
        return ignored;
    }

    @Override
    public void close() {
        socket.close();
    }
}
