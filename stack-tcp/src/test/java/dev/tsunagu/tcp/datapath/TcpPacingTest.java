package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static dev.tsunagu.testkit.tcp.TcpPeer.ms;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.tcp.TcpOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pacing in the sender: a congestion control that gives a rate (CUBIC with {@code tcp.pacing},
 * 2 × cwnd/SRTT in slow start) has its segments spread over time by the pacing timer; one that
 * gives none (NewReno, or CUBIC without the option) sends what the window allows at once.
 */
class TcpPacingTest {
    private static final int MSS = 1460;

    /** The stack sends a 3-segment initial window; the peer acknowledges all of it 10 ms later. */
    private static List<Seen> secondFlight(TcpPeer peer, String congestionControl) throws Exception {
        TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT.withCongestionControl(congestionControl),
                MSS, -1, 65535, Duration.ofMillis(10));
        s.writeAsync(bytes(40 * MSS, 7), 0, 40 * MSS);
        List<Seen> first = peer.takeNow();
        assertThat(first).as("the initial window, at once").hasSize(3);
        peer.advance(Duration.ofMillis(10));
        peer.sendAck(peer.stackData + 3 * MSS, 65535); // an RTT sample of 10 ms
        return peer.takeFor(Duration.ofMillis(9));
    }

    @Test
    void cubicPacesTheNextFlightAtTwiceCwndOverSrtt() throws Exception {
        try (TcpPeer peer = TcpPeer.start(h -> h.option(TcpOptions.PACING, true))) {
            List<Seen> flight = secondFlight(peer, "cubic");
            // cwnd 6 segments (8,760 bytes), SRTT 10 ms: 1.75 MB/s, one segment every 0.83 ms,
            // which the 1 ms timer tick rounds to one a millisecond.
            assertThat(flight).as("a cwnd of 6 segments").hasSize(6);
            long start = flight.getFirst().at();
            assertThat(start).as("the first leaves with the ACK").isEqualTo(peer.now() - ms(9));
            for (int i = 1; i < flight.size(); i++) {
                long gap = flight.get(i).at() - flight.get(i - 1).at();
                assertThat(gap).as("gap before segment %d", i).isBetween(ms(1) * 8 / 10, ms(2));
            }
            assertThat(flight.getLast().at() - start).as("5 gaps of 0.83 ms, on 1 ms ticks").isBetween(ms(4), ms(5));
        }
    }

    @Test
    void cubicPacesOnlyWhenTheStackSaysSo() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            List<Seen> flight = secondFlight(peer, "cubic");
            assertThat(flight).hasSize(6);
            assertThat(flight).extracting(Seen::at).containsOnly(flight.getFirst().at());
        }
    }

    @Test
    void newRenoGivesNoRateAndSendsTheWindowAtOnce() throws Exception {
        try (TcpPeer peer = TcpPeer.start(h -> h.option(TcpOptions.PACING, true))) {
            List<Seen> flight = secondFlight(peer, "newreno");
            assertThat(flight).as("cwnd 4 segments").hasSize(4);
            assertThat(flight).extracting(Seen::at).containsOnly(flight.getFirst().at());
        }
    }
}
