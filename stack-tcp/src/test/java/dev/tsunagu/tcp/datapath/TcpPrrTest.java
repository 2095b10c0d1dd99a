package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import dev.tsunagu.testkit.wire.TcpOptions;
import dev.tsunagu.testkit.wire.TcpRepr;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Proportional Rate Reduction (RFC 6937) against a raw peer on the virtual clock: the segments
 * the stack sends on each ACK of a SACK recovery, as in the RFC's examples (section 6): NewReno
 * halves a window of 20 segments (ssthresh 10), so while the pipe is above ssthresh one segment
 * leaves for every second ACK; once heavy loss puts the pipe below ssthresh, PRR-SSRB sends
 * what was delivered plus one segment per ACK (slow start back to ssthresh) on ACKs that
 * advance SND.UNA without showing a new loss (RFC 9937's safe ACKs, as Linux), and PRR-CRB
 * only what was delivered — never RFC 6675's burst of ssthresh − pipe at once.
 */
class TcpPrrTest {
    private static final int MSS = 1460;
    private static final int ACK = TcpRepr.ACK;

    /** The stack connects with NewReno (ssthresh = half the flight) and an initial window of 20 segments. */
    private static TcpSocket connect(TcpPeer peer) {
        CompletableFuture<TcpSocket> f = peer.stack.tcp().connectAsync(
                new InetSocketAddress(TcpPeer.PEER_ADDRESS, peer.port), TcpSocketOptions.DEFAULT.withCongestionControl("newreno"));
        Seen syn = peer.next(Duration.ZERO);
        peer.stackPort = syn.tcp().sourcePort();
        peer.ack = syn.seq() + 1;
        peer.stackData = peer.ack;
        peer.sendWithOptions(peer.sndNxt, TcpRepr.SYN | ACK, TcpOptions.syn(MSS, -1, true), new byte[0]);
        peer.sndNxt++;
        peer.next(Duration.ZERO); // the handshake's ACK
        return f.join();
    }

    private static TcpPeer start(boolean conservative) {
        return TcpPeer.start(h -> h.option(dev.tsunagu.tcp.TcpOptions.INITIAL_WINDOW, 20)
                .option(dev.tsunagu.tcp.TcpOptions.PRR_CONSERVATIVE, conservative));
    }

    /** The peer ACKs below segment 0 and SACKs segments [{@code from}, {@code to}); what the stack sends at once. */
    private static List<Seen> sack(TcpPeer peer, int base, int from, int to) {
        peer.ack = base;
        peer.sendWithOptions(peer.sndNxt, ACK, TcpOptions.NONE.withSack(base + from * MSS, base + to * MSS), new byte[0]);
        List<Seen> sent = new ArrayList<>();
        for (Seen x : peer.takeNow()) {
            if (x.length() > 0) {
                sent.add(x);
            }
        }
        return sent;
    }

    private static List<Seen> data(List<Seen> seen) {
        return seen.stream().filter(x -> x.length() > 0).toList();
    }

    private static int segment(Seen x, int base) {
        return (x.seq() - base) / MSS;
    }

    @Test
    void oneLossInTwentySendsOneSegmentForEverySecondAck() {
        try (TcpPeer peer = start(false)) {
            TcpSocket s = connect(peer);
            int base = peer.stackData;
            s.writeAsync(bytes(60 * MSS, 1), 0, 60 * MSS);
            assertThat(peer.takeNow()).as("the initial window").hasSize(20);

            // Segment 0 is lost; 1..19 arrive, each drawing an ACK that SACKs it.
            assertThat(sack(peer, base, 1, 2)).as("ACK 1: limited transmit").hasSize(1);
            assertThat(sack(peer, base, 1, 3)).as("ACK 2: limited transmit").hasSize(1);
            List<Seen> third = sack(peer, base, 1, 4);
            assertThat(third).as("ACK 3 starts recovery: the retransmission of segment 0 alone").hasSize(1);
            assertThat(segment(third.getFirst(), base)).isZero();
            List<Integer> perAck = new ArrayList<>();
            int top = 21;
            for (int k = 4; k <= 19; k++) {
                List<Seen> sent = sack(peer, base, 1, k + 1);
                perAck.add(sent.size());
                for (Seen x : sent) {
                    assertThat(segment(x, base)).as("new data, in order").isEqualTo(++top);
                }
            }
            // RFC 6937 6: prr_delivered × ssthresh / RecoverFS = k/2 segments after k ACKs; by
            // ACK 19 the pipe is down to ssthresh (segment 0's retransmission, 20..28: 10
            // segments), where the reduction bound holds it there (ssthresh − pipe = 0).
            assertThat(perAck).as("segments sent on ACKs 4..19")
                    .containsExactly(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0);
            assertThat(peer.stack.statistics().get("tcp", "RetransSegs")).isEqualTo(1);
        }
    }

    @Test
    void afterHeavyLossTheSlowStartBoundSendsTwoSegmentsPerAckBackToSsthresh() {
        assertThat(heavyLoss(false)).as("PRR-SSRB: DeliveredData + 1 MSS per ACK that advances SND.UNA")
                .containsExactly(1, 1, 2, 2);
    }

    @Test
    void afterHeavyLossTheConservativeBoundSendsOnlyWhatWasDelivered() {
        assertThat(heavyLoss(true)).as("PRR-CRB: packet conservation").containsExactly(1, 1, 1, 1);
    }

    /**
     * Segments 0..13 of 20 are lost: when recovery starts (three SACKed above them) the pipe is
     * 5 segments, below ssthresh's 10, where RFC 6675 would send 5 at once. The ACK that starts
     * recovery and the next SACK more; the two after them acknowledge the first two
     * retransmissions (SND.UNA moves one segment each).
     *
     * @return the segments sent on each of the ACKs from the one that starts recovery on
     */
    private static List<Integer> heavyLoss(boolean conservative) {
        try (TcpPeer peer = start(conservative)) {
            TcpSocket s = connect(peer);
            int base = peer.stackData;
            s.writeAsync(bytes(60 * MSS, 1), 0, 60 * MSS);
            assertThat(peer.takeNow()).hasSize(20);
            assertThat(sack(peer, base, 14, 15)).as("limited transmit").hasSize(1);
            assertThat(sack(peer, base, 14, 16)).as("limited transmit").hasSize(1);
            List<Integer> perAck = new ArrayList<>();
            int next = 0;
            for (int k = 17; k <= 20; k++) {
                int cum = Math.max(0, k - 18); // 0, 0, 1, 2
                peer.ack = base + cum * MSS;
                peer.sendWithOptions(peer.sndNxt, ACK, TcpOptions.NONE.withSack(base + 14 * MSS, base + Math.min(k, 18) * MSS),
                        new byte[0]);
                List<Seen> sent = data(peer.takeNow());
                perAck.add(sent.size());
                for (Seen x : sent) {
                    assertThat(segment(x, base)).as("the lost segments, in order").isEqualTo(next++);
                }
            }
            return perAck;
        }
    }
}
