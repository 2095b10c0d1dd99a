package dev.tsunagu.cli.tour;

import dev.tsunagu.net.Endpoint;
import dev.tsunagu.socket.SocketInfo;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The socket table in a few columns, like {@code netstat -tan} with the timer column: what the
 * seeds call the control information of each socket (addresses, ports, state, buffers) and the
 * retransmission numbers the tour talks about.
 */
final class SocketTableView {
    private SocketTableView() {}

    static List<String> rows(List<SocketInfo> sockets) {
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "%-5s %3s  %-17s %-17s %-12s %6s %6s  %s",
                "Proto", "FD", "Local", "Foreign", "State", "Send-Q", "Recv-Q", "TCP timers"));
        for (SocketInfo s : sockets) {
            String timers = "";
            if (s.details().containsKey("rto")) {
                timers = "srtt " + s.details().getOrDefault("rtt", "-") + ", rto " + s.details().get("rto")
                        + ", cwnd " + s.details().getOrDefault("cwnd", "-");
            }
            rows.add(String.format(Locale.ROOT, "%-5s %3s  %-17s %-17s %-12s %6d %6d  %s",
                    s.protocol(), s.descriptor() < 0 ? "-" : Integer.toString(s.descriptor()),
                    address(s.local()), address(s.remote()), s.state(), s.sendQueue(), s.receiveQueue(), timers));
        }
        if (sockets.isEmpty()) {
            rows.add("(no sockets)");
        }
        return rows;
    }

    /** {@code 10.0.0.1:80}, or {@code [fd00::1]:80} (IPv6 in its short form, RFC 5952). */
    private static String address(InetSocketAddress a) {
        return Endpoint.format(a);
    }
}
