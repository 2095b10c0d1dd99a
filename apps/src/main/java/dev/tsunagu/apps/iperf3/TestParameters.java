package dev.tsunagu.apps.iperf3;

import java.util.Map;

/**
 * What an iperf3 client asks for, from the JSON it sends after {@link ControlState#PARAM_EXCHANGE}
 * (e.g. {@code {"tcp":true,"omit":0,"time":2,"parallel":4,"len":131072,"reverse":true,...}}).
 * Members the server does not act on (window, MSS, congestion, title...) are ignored, as iperf3's
 * own server ignores what it cannot set.
 *
 * @param udp a UDP test ({@code "udp":true}); else TCP
 * @param reverse the server sends ({@code -R})
 * @param bidirectional both ways ({@code --bidir}): refused by this server
 * @param streams parallel streams ({@code -P})
 * @param seconds test length the client announced ({@code -t}); the client ends the test
 * @param omitSeconds the first seconds are left out of the counts ({@code -O})
 * @param blockSize bytes per write or per datagram ({@code -l})
 * @param bitsPerSecond target rate per stream, 0 unlimited ({@code -b})
 * @param udpCounters64 the UDP header carries a 64-bit packet count ({@code --udp-counters-64bit})
 * @param serverOutput the client wants the server's own report in the results ({@code --get-server-output})
 * @param clientVersion what the client says it is, or "unknown"
 */
record TestParameters(boolean udp, boolean reverse, boolean bidirectional, int streams, int seconds, int omitSeconds, int blockSize,
        long bitsPerSecond, boolean udpCounters64, boolean serverOutput, String clientVersion) {
    /** iperf3's own limit on {@code -P}. */
    static final int MAX_STREAMS = 128;
    /** iperf3's limit on {@code -l} for TCP (16 MiB) is more than a server here should buffer per stream. */
    static final int MAX_TCP_BLOCK = 1 << 20;
    /** The largest UDP payload over IPv4. */
    static final int MAX_UDP_BLOCK = 65507;
    static final int DEFAULT_TCP_BLOCK = 128 * 1024;
    static final int DEFAULT_UDP_BLOCK = 1460;

    /**
     * Reads the client's parameters, checking what the server relies on.
     *
     * @throws IllegalArgumentException with a one-line reason for values out of range
     */
    static TestParameters fromJson(Map<String, Object> j) {
        boolean udp = Json.flagMember(j, "udp");
        if (!udp && !Json.flagMember(j, "tcp") && (j.containsKey("sctp") || j.containsKey("vsock"))) {
            throw new IllegalArgumentException("only TCP and UDP tests are served");
        }
        long streams = Json.longMember(j, "parallel", 1);
        if (streams < 1 || streams > MAX_STREAMS) {
            throw new IllegalArgumentException("parallel streams " + streams + " not in 1.." + MAX_STREAMS);
        }
        long len = Json.longMember(j, "len", udp ? DEFAULT_UDP_BLOCK : DEFAULT_TCP_BLOCK);
        int max = udp ? MAX_UDP_BLOCK : MAX_TCP_BLOCK;
        // A UDP datagram carries at least iperf3's 12- or 16-byte header.
        int min = udp ? UdpHeader.size(Json.flagMember(j, "udp_counters_64bit")) : 1;
        if (len < min || len > max) {
            throw new IllegalArgumentException("block length " + len + " not in " + min + ".." + max);
        }
        long rate = Json.longMember(j, "bandwidth", 0);
        if (rate < 0) {
            throw new IllegalArgumentException("negative bandwidth " + rate);
        }
        long time = Json.longMember(j, "time", 10);
        long omit = Json.longMember(j, "omit", 0);
        return new TestParameters(udp, Json.flagMember(j, "reverse"), Json.flagMember(j, "bidirectional"),
                (int) streams, (int) Math.max(0, Math.min(time, 86_400)), (int) Math.max(0, Math.min(omit, 600)), (int) len, rate,
                Json.flagMember(j, "udp_counters_64bit"), Json.flagMember(j, "get_server_output"), Json.stringMember(j, "client_version", "unknown"));
    }

    /** When the counting starts, given when the test started (microseconds). */
    long countFromMicros(long startMicros) {
        return startMicros + omitSeconds * 1_000_000L;
    }

    /** The server sends on the streams ({@code -R}). */
    boolean serverSends() {
        return reverse;
    }
}
