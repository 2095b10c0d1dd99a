package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.PEER_ADDRESS;
import static dev.tsunagu.testkit.tcp.TcpPeer.PEER_PORT;
import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static dev.tsunagu.testkit.tcp.TcpPeer.ms;
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
 * Selective acknowledgments (RFC 2018) with SACK-based loss recovery (RFC 6675), Timestamps
 * (RFC 7323: echo, TS.Recent, PAWS) and limited transmit (RFC 3042), against a raw peer that
 * writes the options itself.
 */
class TcpSackTimestampsTest {
    private static final int MSS = 1460 - 12; // every segment carries 12 bytes of timestamps
    private static final int PEER_TS = 1_000;

    /** The stack connects; the peer's SYN-ACK agrees to SACK and timestamps. */
    private static TcpSocket connectWithOptions(TcpPeer peer) {
        CompletableFuture<TcpSocket> f = peer.stack.tcp().connectAsync(new InetSocketAddress(PEER_ADDRESS, PEER_PORT),
                TcpSocketOptions.DEFAULT.withNoDelay(true));
        Seen syn = peer.next(Duration.ZERO);
        TcpOptions offered = syn.options();
        assertThat(offered.sackPermitted()).as("our SYN offers SACK: %s", offered).isTrue();
        assertThat(offered.timestamps()).as("our SYN offers timestamps: %s", offered).isTrue();
        assertThat(offered.tsEcho()).as("a SYN echoes nothing (RFC 7323 3.2)").isZero();
        peer.stackPort = syn.tcp().sourcePort();
        peer.ack = syn.seq() + 1;
        peer.stackData = peer.ack;
        TcpOptions o = TcpOptions.timestamps(PEER_TS, offered.tsValue()).withMss(1460).withSackPermitted();
        peer.sendWithOptions(peer.sndNxt, TcpRepr.SYN | TcpRepr.ACK, o, new byte[0]);
        peer.sndNxt++;
        Seen ack = peer.next(Duration.ZERO);
        assertThat(ack.isBareAck()).as("the handshake's ACK: %s", ack).isTrue();
        assertThat(ack.options().timestamps()).isTrue();
        assertThat(ack.options().tsEcho()).as("echoes the SYN-ACK's timestamp").isEqualTo(PEER_TS);
        assertThat(f).isDone();
        return f.join();
    }

    private static TcpOptions ts(int value) {
        return TcpOptions.timestamps(value, 0);
    }

    private static TcpOptions sack(int value, int... blocks) {
        return ts(value).withSack(blocks);
    }

    private static long counter(TcpPeer peer, String name) {
        return peer.stack.statistics().get("tcp", name);
    }

    @Test
    void everySegmentCarriesOurClockAndEchoesTheLatestInOrderTimestamp() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = connectWithOptions(peer);
            assertThat(peer.stack.sockets().getFirst().details()).containsEntry("mss", Integer.toString(MSS))
                    .containsEntry("opts", "sack,ts");
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK | TcpRepr.PSH, ts(PEER_TS + 10), bytes(100, 1));
            peer.sndNxt += 100;
            Seen ack = peer.next(Duration.ofSeconds(1)); // the delayed ACK
            assertThat(ack.ack()).isEqualTo(peer.sndNxt);
            assertThat(ack.options().tsEcho()).as("TS.Recent follows in-order data").isEqualTo(PEER_TS + 10);

            // Out of order (SEG.SEQ > Last.ACK.sent): its timestamp is not taken (RFC 7323 4.3).
            peer.sendWithOptions(peer.sndNxt + 1000, TcpRepr.ACK, ts(PEER_TS + 20), bytes(100, 2));
            Seen dup = peer.next(Duration.ZERO);
            assertThat(dup.ack()).isEqualTo(peer.sndNxt);
            assertThat(dup.options().tsEcho()).isEqualTo(PEER_TS + 10);

            // Our own clock moves in milliseconds.
            int before = dup.options().tsValue();
            peer.takeFor(Duration.ofMillis(250));
            s.write(bytes(10, 3));
            Seen data = peer.next(Duration.ZERO);
            assertThat(data.options().tsValue() - before).isEqualTo(250);
        }
    }

    @Test
    void pawsDropsASegmentWhoseTimestampIsOlderThanTsRecent() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = connectWithOptions(peer);
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, ts(PEER_TS - 1), bytes(100, 4));
            Seen ack = peer.next(Duration.ZERO);
            assertThat(ack.ack()).as("an old duplicate: nothing taken, our position repeated").isEqualTo(peer.sndNxt);
            assertThat(counter(peer, "PawsRejected")).isEqualTo(1);
            CompletableFuture<Integer> read = s.readAsync(new byte[100], 0, 100);
            assertThat(read).as("nothing was taken").isNotDone();

            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, ts(PEER_TS), bytes(100, 4));
            assertThat(read).as("the same bytes with a current timestamp").isCompletedWithValue(100);
        }
    }

    @Test
    void aSegmentDroppedForAnAckOfDataNeverSentLeavesTsRecentAlone() throws Exception {
        // RFC 5961 5.2: SEG.ACK > SND.NXT: "discarded and an ACK sent back". Its timestamp is not
        // TS.Recent's: a forged TSval far ahead would otherwise make PAWS drop what follows
        // (packetdrill's ts_recent/invalid_ack).
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = connectWithOptions(peer);
            int ack = peer.ack;
            peer.ack = ack + 9_999;
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK | TcpRepr.FIN, ts(PEER_TS + 200_000), new byte[0]);
            peer.ack = ack;
            Seen answer = peer.next(Duration.ZERO);
            assertThat(answer.isBareAck()).as("the ACK sent back: %s", answer).isTrue();
            assertThat(answer.ack()).as("the FIN was not taken").isEqualTo(peer.sndNxt);
            assertThat(answer.options().tsEcho()).as("TS.Recent as it was").isEqualTo(PEER_TS);

            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, ts(PEER_TS + 1), bytes(1000, 9));
            CompletableFuture<Integer> read = s.readAsync(new byte[1000], 0, 1000);
            assertThat(read).as("genuine data after it is not taken for an old duplicate").isCompletedWithValue(1000);
            assertThat(counter(peer, "PawsRejected")).isZero();
        }
    }

    @Test
    void outOfOrderDataIsReportedInSackBlocksTheLatestFirst() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            connectWithOptions(peer);
            int base = peer.sndNxt;
            peer.sendWithOptions(base + 1000, TcpRepr.ACK, ts(PEER_TS), bytes(100, 5));
            TcpOptions first = peer.next(Duration.ZERO).options();
            assertThat(first.sackCount()).isEqualTo(1);
            assertThat(first.sackBlocks()).startsWith(base + 1000, base + 1100);

            peer.sendWithOptions(base + 3000, TcpRepr.ACK, ts(PEER_TS), bytes(100, 6));
            TcpOptions second = peer.next(Duration.ZERO).options();
            assertThat(second.sackCount()).isEqualTo(2);
            assertThat(second.sackBlocks()).startsWith(base + 3000, base + 3100, base + 1000, base + 1100);

            // A segment that extends the lower block makes that block the first one.
            peer.sendWithOptions(base + 1100, TcpRepr.ACK, ts(PEER_TS), bytes(100, 7));
            TcpOptions third = peer.next(Duration.ZERO).options();
            assertThat(third.sackBlocks()).startsWith(base + 1000, base + 1200, base + 3000, base + 3100);

            // The hole at RCV.NXT fills: the cumulative ACK moves and only the far block is left.
            peer.sendWithOptions(base, TcpRepr.ACK, ts(PEER_TS), bytes(1000, 8));
            Seen filled = peer.next(Duration.ZERO);
            assertThat(filled.ack()).isEqualTo(base + 1200);
            assertThat(filled.options().sackCount()).isEqualTo(1);
            assertThat(filled.options().sackBlocks()).startsWith(base + 3000, base + 3100);
        }
    }

    @Test
    void sackRecoveryResendsOnlyTheHoleAndNeverWhatWasSacked() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = connectWithOptions(peer);
            int d = peer.stackData;
            s.write(bytes(10 * MSS, 9));
            List<Seen> flight = peer.takeNow();
            assertThat(flight).as("the initial window: three segments").hasSize(3);

            // Segment 0 is lost; 1 and 2 arrive and are SACKed. Limited transmit sends one new segment.
            peer.ack = d;
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, sack(PEER_TS, d + MSS, d + 3 * MSS), new byte[0]);
            List<Seen> afterFirst = peer.takeNow();
            assertThat(afterFirst).as("RFC 3042: one new segment").hasSize(1);
            assertThat(afterFirst.getFirst().seq()).isEqualTo(d + 3 * MSS);

            // Segment 3 is SACKed too: three segments above the hole, so it is lost (RACK's window
            // is 0 then, as RFC 6675's IsLost). PRR (RFC 6937/9937) lets what this ACK delivered
            // out: the hole.
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, sack(PEER_TS, d + MSS, d + 4 * MSS), new byte[0]);
            List<Seen> recovery = peer.takeNow();
            assertThat(recovery).as("the hole: %s", recovery).isNotEmpty();
            assertThat(recovery.getFirst().seq()).isEqualTo(d);
            assertThat(recovery.getFirst().length()).isEqualTo(MSS);
            assertThat(recovery.subList(1, recovery.size())).allMatch(x -> x.seq() - d >= 4 * MSS,
                    "nothing SACKed is sent again");
            assertThat(counter(peer, "SackRecoveries")).isEqualTo(1);

            // Everything arrives: recovery ends, new data flows, and nothing but segment 0 went twice.
            int end = Math.max(d + 4 * MSS, recovery.getLast().seq() + recovery.getLast().length());
            peer.ack = end;
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, ts(PEER_TS), new byte[0]);
            List<Seen> after = peer.takeNow();
            assertThat(after).as("new data after recovery").isNotEmpty().allMatch(x -> x.seq() - end >= 0);
            assertThat(counter(peer, "RetransSegs")).isEqualTo(1);
            assertThat(peer.log.stream().filter(x -> x.length() > 0 && x.seq() == d)).hasSize(2);
        }
    }

    @Test
    void withoutSackLimitedTransmitSendsOneNewSegmentOnEachOfTheFirstTwoDuplicateAcks() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT);
            int d = peer.stackData;
            s.write(bytes(10 * 1460, 10));
            assertThat(peer.takeNow()).hasSize(3);
            peer.sendAck(d, 65535);
            List<Seen> first = peer.takeNow();
            assertThat(first).extracting(Seen::seq).containsExactly(d + 3 * 1460);
            peer.sendAck(d, 65535);
            List<Seen> second = peer.takeNow();
            assertThat(second).extracting(Seen::seq).containsExactly(d + 4 * 1460);
            peer.sendAck(d, 65535);
            List<Seen> third = peer.takeNow();
            assertThat(third).as("the third duplicate ACK: fast retransmit").isNotEmpty();
            assertThat(third.getFirst().seq()).isEqualTo(d);
            assertThat(counter(peer, "FastRetransmits")).isEqualTo(1);
        }
    }

    @Test
    void sackedDataAboveAHoleForAReorderingWindowMarksItLostWithoutThreeDuplicates() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = connectWithOptions(peer);
            int d = peer.stackData;
            s.write(bytes(2 * MSS, 11)); // nothing more to send: no limited transmit, no third duplicate
            assertThat(peer.takeNow()).hasSize(2);
            long sackedAt = peer.loop.now();
            peer.ack = d;
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, sack(PEER_TS, d + MSS, d + 2 * MSS), new byte[0]);
            Seen again = peer.next(Duration.ofMillis(100));
            assertThat(again.seq()).isEqualTo(d);
            assertThat(again.at() - sackedAt).as("a reordering window (1 ms at this RTT), not an RTO")
                    .isEqualTo(Duration.ofMillis(1).toNanos());
            assertThat(counter(peer, "SackRecoveries")).isEqualTo(1);
            assertThat(counter(peer, "Timeouts")).isZero();
        }
    }

    @Test
    void aTailLossProbeResendsTheLastSegmentAndItsSackLeadsToRecovery() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = connectWithOptions(peer);
            int d = peer.stackData;
            s.write(bytes(2 * MSS, 12));
            List<Seen> sent = peer.takeNow();
            assertThat(sent).hasSize(2);
            // Both are lost: no ACK at all. The probe comes after 10 ms (2 SRTT, at least 10 ms), not the 200 ms RTO.
            Seen probe = peer.next(Duration.ofMillis(100));
            assertThat(probe.seq()).as("the last segment again").isEqualTo(d + MSS);
            assertThat(probe.at() - sent.getFirst().at()).isEqualTo(Duration.ofMillis(10).toNanos());
            assertThat(counter(peer, "TailLossProbes")).isEqualTo(1);
            // The probe arrives and is SACKed: the first segment is found lost a reordering window later.
            peer.ack = d;
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, sack(PEER_TS, d + MSS, d + 2 * MSS), new byte[0]);
            Seen repair = peer.next(Duration.ofMillis(100));
            assertThat(repair.seq()).isEqualTo(d);
            assertThat(counter(peer, "Timeouts")).isZero();
        }
    }

    @Test
    void aFinSentAfterTheDataMovesTheProbeAndTheProbeResendsTheFinAlone() throws Exception {
        // RFC 8985 7.2: the PTO restarts with each new transmission; 7.3: the probe is the most
        // recent segment, here a FIN of its own (packetdrill's shutdown-rdwr-write-queue-close).
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = connectWithOptions(peer);
            int d = peer.stackData;
            s.write(bytes(2 * MSS, 14));
            assertThat(peer.takeNow()).hasSize(2);
            peer.loop.advance(Duration.ofMillis(5));
            s.shutdownOutput();
            Seen fin = peer.next(Duration.ZERO);
            assertThat(fin.tcp().control()).isEqualTo(TcpRepr.Control.FIN);
            assertThat(fin.length()).isZero();
            Seen probe = peer.next(Duration.ofMillis(100));
            assertThat(probe.at() - fin.at()).as("10 ms after the FIN, not after the data").isEqualTo(ms(10));
            assertThat(probe.tcp().control()).isEqualTo(TcpRepr.Control.FIN);
            assertThat(probe.seq()).isEqualTo(d + 2 * MSS);
            assertThat(probe.length()).as("the FIN alone, as it was sent").isZero();
            assertThat(counter(peer, "TailLossProbes")).isEqualTo(1);
        }
    }

    @Test
    void aProbeArmedForDataThatIsThenAcknowledgedDoesNotFireForTheFinSentAfter() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = connectWithOptions(peer);
            int d = peer.stackData;
            s.write(bytes(2 * MSS, 13));
            assertThat(peer.takeNow()).hasSize(2); // the probe is armed: 10 ms
            peer.loop.advance(Duration.ofMillis(5));
            peer.ack = d + 2 * MSS;
            peer.sendWithOptions(peer.sndNxt, TcpRepr.ACK, ts(PEER_TS), new byte[0]);
            s.close();
            Seen fin = peer.next(Duration.ZERO);
            assertThat(fin.tcp().control()).isEqualTo(TcpRepr.Control.FIN);
            // A lone FIN waits for its RTO (a probe for one segment would come after 1.5 SRTT + 200 ms,
            // no sooner than the RTO); the probe armed for the data must not resend it 5 ms from now.
            assertThat(peer.takeFor(Duration.ofMillis(150))).as("nothing before the RTO").isEmpty();
            assertThat(counter(peer, "TailLossProbes")).isZero();
        }
    }
}
