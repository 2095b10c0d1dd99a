package dev.tsunagu.tcp;

import dev.tsunagu.socket.SocketInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What the socket table shows of a connection (as Linux's {@code ss -ti}): the RTT and RTO, the
 * congestion and peer windows, the negotiated options and the sequence space relative to the
 * ISNs (as Wireshark shows it). Read from the connection's parts; changes nothing.
 */
final class TcpInfo {
    private TcpInfo() {}

    static SocketInfo of(TcpConnection c, int descriptor) {
        Map<String, String> d = new LinkedHashMap<>();
        long srtt = c.rto.smoothedRttNanos();
        d.put("rtt", srtt < 0 ? "-" : String.format("%.3fms", srtt / 1e6));
        d.put("rto", String.format("%.0fms", c.rto.currentTimeoutNanos() / 1e6));
        d.put("cwnd", Long.toString(c.cc.congestionWindow()));
        d.put("ssthresh", c.cc.slowStartThreshold() > (1L << 40) ? "inf" : Long.toString(c.cc.slowStartThreshold()));
        Sender snd = c.snd;
        Receiver rcv = c.rcv;
        d.put("mss", Integer.toString(snd.mss));
        if (snd.plpmtud != null && snd.plpmtud.enabled) {
            // RFC 4821's search: the packet size known to pass .. the largest not known to fail.
            d.put("plpmtud", snd.plpmtud.searchLow + ".." + snd.plpmtud.searchHigh);
        }
        boolean sack = c.loss.sackEnabled;
        boolean ts = c.rtt.tsEnabled;
        StringJoiner opts = new StringJoiner(",");
        if (sack) {
            opts.add("sack");
        }
        if (ts) {
            opts.add("ts");
        }
        if (c.ecn.enabled) {
            opts.add("ecn");
        }
        d.put("opts", opts.length() == 0 ? "-" : opts.toString());
        if (sack && !c.loss.scoreboard.isEmpty()) {
            d.put("sacked", c.loss.scoreboard.toString());
        }
        d.put("snd_wnd", Integer.toString(snd.sndWnd));
        d.put("rcv_wnd", Integer.toString(rcv.window()));
        d.put("snd_una", Integer.toUnsignedString(snd.sndUna - snd.iss));
        d.put("snd_nxt", Integer.toUnsignedString(snd.sndNxt - snd.iss));
        d.put("snd_max", Integer.toUnsignedString(snd.sndMax - snd.iss));
        d.put("rcv_nxt", Integer.toUnsignedString(rcv.rcvNxt - rcv.irs));
        d.put("unsent", Integer.toString(snd.sendBuffer.length() - (snd.sndNxt - snd.sndUna)));
        d.put("fin", snd.finQueued ? (snd.finSent ? "sent" : "queued") : "-");
        return new SocketInfo("TCP", descriptor, c.local(), c.remote(), c.state.name(), snd.sendBuffer.length(),
                rcv.receiveBuffer.readable(), d);
    }
}
