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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * RACK (RFC 8985 6) against a raw peer on the virtual clock, with a 40 ms round trip: losses
 * found by time (a segment sent before a delivered one is lost once RACK.rtt + reo_wnd has
 * passed since it left), the reordering window of min_RTT / 4 and the reordering timer, its
 * zero when no reordering was seen and DupThresh segments are SACKed, its growth with D-SACKs
 * (RFC 2883), and lost retransmissions found by their own transmission times.
 */
class TcpRackTest {
    private static final int MSS = 1460;
    private static final int ACK = TcpRepr.ACK;
    private static final Duration RTT = Duration.ofMillis(40);

    /** The stack connects over a 40 ms path (its first RTT sample) with an initial window of 10. */
    private static TcpSocket connect(TcpPeer peer) {
        CompletableFuture<TcpSocket> f = peer.stack.tcp().connectAsync(
                new InetSocketAddress(TcpPeer.PEER_ADDRESS, peer.port), TcpSocketOptions.DEFAULT.withCongestionControl("newreno"));
        Seen syn = peer.next(Duration.ZERO);
        peer.takeFor(RTT);
        peer.stackPort = syn.tcp().sourcePort();
        peer.ack = syn.seq() + 1;
        peer.stackData = peer.ack;
        peer.sendWithOptions(peer.sndNxt, TcpRepr.SYN | ACK, TcpOptions.syn(MSS, -1, true), new byte[0]);
        peer.sndNxt++;
        peer.next(Duration.ZERO);
        return f.join();
    }

    /** What {@link #firstFlight} leaves: the socket, the first data sequence number and the flight sent. */
    private record Flight(TcpSocket socket, int base, List<Seen> sent) {
        int top() {
            return TcpRackTest.top(base, sent);
        }
    }

    /** Connects, writes {@code segments} segments, takes the first flight and lets a round trip pass. */
    private static Flight firstFlight(TcpPeer peer, int segments) {
        TcpSocket s = connect(peer);
        int base = peer.stackData;
        s.writeAsync(bytes(segments * MSS, 1), 0, segments * MSS);
        List<Seen> sent = data(peer.takeNow());
        peer.takeFor(RTT);
        return new Flight(s, base, sent);
    }

    private static TcpPeer start() {
        return TcpPeer.start(h -> h.option(dev.tsunagu.tcp.TcpOptions.INITIAL_WINDOW, 10));
    }

    /** The peer ACKs {@code cum} (a sequence number) and SACKs {@code blocks}; what the stack sends at once. */
    private static List<Seen> ack(TcpPeer peer, int cum, int... blocks) {
        peer.ack = cum;
        peer.sendWithOptions(peer.sndNxt, ACK, blocks.length == 0 ? TcpOptions.NONE : TcpOptions.NONE.withSack(blocks),
                new byte[0]);
        return data(peer.takeNow());
    }

    private static List<Seen> data(List<Seen> seen) {
        return seen.stream().filter(x -> x.length() > 0).toList();
    }

    private static boolean sends(List<Seen> seen, int seq) {
        return seen.stream().anyMatch(x -> x.seq() == seq);
    }

    private static long counter(TcpPeer peer, String name) {
        return peer.stack.statistics().get("tcp", name);
    }

    @Test
    void aHoleBelowOneSackedSegmentIsLostAQuarterMinRttAfterItsRoundTrip() {
        try (TcpPeer peer = start()) {
            Flight f = firstFlight(peer, 40);
            int base = f.base();
            assertThat(f.sent()).hasSize(10);
            // Segment 0 is missing (lost or late); segment 1 arrives: RACK.rtt = min_RTT = 40 ms.
            List<Seen> first = ack(peer, base, base + MSS, base + 2 * MSS);
            assertThat(first).as("limited transmit, no retransmission yet").hasSize(1);
            assertThat(sends(first, base)).isFalse();
            // Segment 0's deadline: sent at 0 + RACK.rtt 40 + reo_wnd 10 = 50 ms, 10 ms from now.
            assertThat(sends(data(peer.takeFor(Duration.ofMillis(9))), base)).as("within the reordering window").isFalse();
            List<Seen> timer = data(peer.takeFor(Duration.ofMillis(2)));
            assertThat(sends(timer, base)).as("the reordering timer: segment 0 is lost").isTrue();
            assertThat(counter(peer, "SackRecoveries")).isEqualTo(1);
        }
    }

    @Test
    void withoutReorderingThreeSackedSegmentsMakeTheHoleLostAtOnce() {
        try (TcpPeer peer = start()) {
            int base = firstFlight(peer, 40).base();
            ack(peer, base, base + MSS, base + 2 * MSS);
            ack(peer, base, base + MSS, base + 3 * MSS);
            List<Seen> third = ack(peer, base, base + MSS, base + 4 * MSS);
            assertThat(sends(third, base)).as("reo_wnd is 0 with DupThresh SACKed and no reordering seen").isTrue();
        }
    }

    /** One past the highest byte of data in {@code seen}, or {@code top}. */
    private static int top(int top, List<Seen> seen) {
        for (Seen x : seen) {
            top = Math.max(top, x.seq() + x.length());
        }
        return top;
    }

    @Test
    void onceReorderingWasSeenThreeSackedSegmentsWaitForTheWindow() {
        try (TcpPeer peer = start()) {
            Flight f = firstFlight(peer, 100);
            int base = f.base();
            int top = f.top();
            // Segment 0 arrives 1 ms after segment 1: reordering, not loss.
            top = top(top, ack(peer, base, base + MSS, base + 2 * MSS));
            peer.takeFor(Duration.ofMillis(1));
            top = top(top, ack(peer, base + 2 * MSS));
            top = top(top, data(peer.takeFor(RTT.minusMillis(1))));
            int una = top;
            List<Seen> flight = ack(peer, una); // everything: the next flight leaves
            assertThat(flight).isNotEmpty();
            assertThat(flight.getFirst().seq()).isEqualTo(una);
            peer.takeFor(RTT);
            // The next flight's first segment is missing and three above it arrive.
            ack(peer, una, una + MSS, una + 2 * MSS);
            ack(peer, una, una + MSS, una + 3 * MSS);
            List<Seen> third = ack(peer, una, una + MSS, una + 4 * MSS);
            assertThat(sends(third, una)).as("reordering was seen: reo_wnd = min_RTT / 4 applies").isFalse();
            assertThat(sends(data(peer.takeFor(Duration.ofMillis(12))), una)).as("the window has passed").isTrue();
        }
    }

    @Test
    void aDsackDoublesTheReorderingWindow() {
        try (TcpPeer peer = start()) {
            Flight f = firstFlight(peer, 100);
            int base = f.base();
            int top = top(f.top(), ack(peer, base, base + MSS, base + 2 * MSS));
            List<Seen> timer = data(peer.takeFor(Duration.ofMillis(11)));
            assertThat(sends(timer, base)).as("segment 0 resent at 50 ms").isTrue();
            top = top(top, timer);
            top = top(top, data(peer.takeFor(Duration.ofMillis(29))));
            // It was only late: the original arrives, then the retransmission, which the peer reports
            // as a D-SACK below its cumulative ACK.
            int una = top;
            List<Seen> flight = ack(peer, una);
            assertThat(flight).isNotEmpty();
            ack(peer, una, base, base + MSS);
            assertThat(counter(peer, "DsacksReceived")).isEqualTo(1);
            peer.takeFor(RTT);
            // The next flight: one segment above a hole. The window is 2 × 10 ms now.
            ack(peer, una, una + MSS, una + 2 * MSS);
            assertThat(sends(data(peer.takeFor(Duration.ofMillis(19))), una)).as("within 20 ms").isFalse();
            assertThat(sends(data(peer.takeFor(Duration.ofMillis(2))), una)).isTrue();
        }
    }

    @Test
    void aLostRetransmissionIsResentOnceDataSentAfterItIsSacked() {
        try (TcpPeer peer = start()) {
            Flight f = firstFlight(peer, 100);
            int base = f.base();
            int top = f.top();
            // Segment 0 is lost, again and again; everything above it arrives, one RTT after it left.
            long secondAt = -1;
            long thirdAt = -1;
            for (int round = 0; round < 10 && thirdAt < 0; round++) {
                List<Seen> out = ack(peer, base, base + MSS, top);
                out = new java.util.ArrayList<>(out);
                out.addAll(data(peer.takeFor(RTT)));
                for (Seen x : out) {
                    top = Math.max(top, x.seq() + x.length());
                    if (x.seq() == base) {
                        if (secondAt < 0) {
                            secondAt = x.at();
                        } else if (thirdAt < 0) {
                            thirdAt = x.at();
                        }
                    }
                }
            }
            assertThat(secondAt).as("the first retransmission").isPositive();
            assertThat(thirdAt).as("the lost retransmission went again").isPositive();
            assertThat(Duration.ofNanos(thirdAt - secondAt)).as("once data sent after it was SACKed: a round trip, not an RTO")
                    .isLessThanOrEqualTo(RTT.plusMillis(1));
            assertThat(counter(peer, "LostRetransmits")).isEqualTo(1);
            assertThat(counter(peer, "Timeouts")).isZero();
        }
    }

    @Test
    void aTailLossProbeThatRepairedALossReducesTheWindowOnce() {
        assertThat(tailProbe(false)).as("no D-SACK for the probe: it repaired a loss (RFC 8985 7.4)").isEqualTo(1);
    }

    @Test
    void aTailLossProbeAnsweredWithADsackWasNotNeeded() {
        assertThat(tailProbe(true)).as("both copies arrived: no loss, no reduction").isZero();
    }

    /**
     * Four segments leave; the ACKs for the first two come back, then nothing: the probe resends
     * the last segment two SRTT later. The peer ACKs it (with a D-SACK for it if {@code dsack}:
     * the original had arrived after all), then new data and its ACK pass the probe.
     *
     * @return TailLossProbeRecoveries afterwards
     */
    private static long tailProbe(boolean dsack) {
        try (TcpPeer peer = start()) {
            Flight f = firstFlight(peer, 4);
            TcpSocket s = f.socket();
            int base = f.base();
            assertThat(f.sent()).hasSize(4);
            ack(peer, base + 2 * MSS);
            List<Seen> probe = data(peer.takeFor(Duration.ofMillis(81)));
            assertThat(probe).as("the probe: the last segment again").hasSize(1);
            assertThat(probe.getFirst().seq()).isEqualTo(base + 3 * MSS);
            assertThat(counter(peer, "TailLossProbes")).isEqualTo(1);
            peer.takeFor(RTT);
            if (dsack) {
                ack(peer, base + 4 * MSS, base + 3 * MSS, base + 4 * MSS);
            } else {
                ack(peer, base + 4 * MSS);
            }
            s.writeAsync(bytes(MSS, 2), 0, MSS);
            assertThat(data(peer.takeNow())).hasSize(1);
            peer.takeFor(RTT);
            ack(peer, base + 5 * MSS);
            String ssthresh = peer.stack.sockets().stream().filter(r -> r.remote() != null).findFirst().orElseThrow()
                    .details().get("ssthresh");
            assertThat(ssthresh).as("reduced only after a repaired loss").isEqualTo(dsack ? "inf" : Long.toString(2L * MSS));
            return counter(peer, "TailLossProbeRecoveries");
        }
    }
}
