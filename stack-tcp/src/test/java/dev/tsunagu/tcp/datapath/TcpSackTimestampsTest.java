package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.tcp.datapath.RawTcpPeer.PEER_IP;
import static dev.tsunagu.tcp.datapath.RawTcpPeer.PEER_PORT;
import static dev.tsunagu.tcp.datapath.RawTcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.tcp.datapath.RawTcpPeer.Seen;
import dev.tsunagu.tcp.wire.TcpHeader;
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
    private static TcpSocket connectWithOptions(RawTcpPeer peer) {
        CompletableFuture<TcpSocket> f = peer.stack.tcp().connectAsync(new InetSocketAddress(PEER_IP, PEER_PORT),
                TcpSocketOptions.DEFAULT.withNoDelay(true));
        Seen syn = peer.next(Duration.ZERO);
        TcpHeader.Options offered = syn.options();
        assertThat(offered.sackPermitted).as("our SYN offers SACK: %s", offered).isTrue();
        assertThat(offered.timestamps).as("our SYN offers timestamps: %s", offered).isTrue();
        assertThat(offered.tsEcho).as("a SYN echoes nothing (RFC 7323 3.2)").isZero();
        peer.stackPort = syn.tcp().sourcePort();
        peer.ack = syn.seq() + 1;
        peer.stackData = peer.ack;
        TcpHeader.Options o = new TcpHeader.Options();
        o.mss = 1460;
        o.sackPermitted = true;
        o.timestamps = true;
        o.tsValue = PEER_TS;
        o.tsEcho = offered.tsValue;
        peer.sendWithOptions(peer.seq, TcpHeader.SYN | TcpHeader.ACK, o, new byte[0]);
        peer.seq++;
        Seen ack = peer.next(Duration.ZERO);
        assertThat(ack.isBareAck()).as("the handshake's ACK: %s", ack).isTrue();
        assertThat(ack.options().timestamps).isTrue();
        assertThat(ack.options().tsEcho).as("echoes the SYN-ACK's timestamp").isEqualTo(PEER_TS);
        assertThat(f).isDone();
        return f.join();
    }

    private static TcpHeader.Options ts(int value) {
        TcpHeader.Options o = new TcpHeader.Options();
        o.timestamps = true;
        o.tsValue = value;
        return o;
    }

    private static TcpHeader.Options sack(int value, int... blocks) {
        TcpHeader.Options o = ts(value);
        System.arraycopy(blocks, 0, o.sackBlocks, 0, blocks.length);
        o.sackCount = blocks.length / 2;
        return o;
    }

    private static long counter(RawTcpPeer peer, String name) {
        return peer.stack.statistics().get("tcp", name);
    }

    @Test
    void everySegmentCarriesOurClockAndEchoesTheLatestInOrderTimestamp() throws Exception {
        try (RawTcpPeer peer = new RawTcpPeer()) {
            TcpSocket s = connectWithOptions(peer);
            assertThat(peer.stack.sockets().getFirst().details()).containsEntry("mss", Integer.toString(MSS))
                    .containsEntry("opts", "sack,ts");
            peer.sendWithOptions(peer.seq, TcpHeader.ACK | TcpHeader.PSH, ts(PEER_TS + 10), bytes(100, 1));
            peer.seq += 100;
            Seen ack = peer.next(Duration.ofSeconds(1)); // the delayed ACK
            assertThat(ack.ack()).isEqualTo(peer.seq);
            assertThat(ack.options().tsEcho).as("TS.Recent follows in-order data").isEqualTo(PEER_TS + 10);

            // Out of order (SEG.SEQ > Last.ACK.sent): its timestamp is not taken (RFC 7323 4.3).
            peer.sendWithOptions(peer.seq + 1000, TcpHeader.ACK, ts(PEER_TS + 20), bytes(100, 2));
            Seen dup = peer.next(Duration.ZERO);
            assertThat(dup.ack()).isEqualTo(peer.seq);
            assertThat(dup.options().tsEcho).isEqualTo(PEER_TS + 10);

            // Our own clock moves in milliseconds.
            int before = dup.options().tsValue;
            peer.advance(Duration.ofMillis(250));
            s.write(bytes(10, 3));
            Seen data = peer.next(Duration.ZERO);
            assertThat(data.options().tsValue - before).isEqualTo(250);
        }
    }

    @Test
    void pawsDropsASegmentWhoseTimestampIsOlderThanTsRecent() throws Exception {
        try (RawTcpPeer peer = new RawTcpPeer()) {
            TcpSocket s = connectWithOptions(peer);
            peer.sendWithOptions(peer.seq, TcpHeader.ACK, ts(PEER_TS - 1), bytes(100, 4));
            Seen ack = peer.next(Duration.ZERO);
            assertThat(ack.ack()).as("an old duplicate: nothing taken, our position repeated").isEqualTo(peer.seq);
            assertThat(counter(peer, "PawsRejected")).isEqualTo(1);
            CompletableFuture<Integer> read = s.readAsync(new byte[100], 0, 100);
            assertThat(read).as("nothing was taken").isNotDone();

            peer.sendWithOptions(peer.seq, TcpHeader.ACK, ts(PEER_TS), bytes(100, 4));
            assertThat(read).as("the same bytes with a current timestamp").isCompletedWithValue(100);
        }
    }

    @Test
    void outOfOrderDataIsReportedInSackBlocksTheLatestFirst() throws Exception {
        try (RawTcpPeer peer = new RawTcpPeer()) {
            connectWithOptions(peer);
            int base = peer.seq;
            peer.sendWithOptions(base + 1000, TcpHeader.ACK, ts(PEER_TS), bytes(100, 5));
            TcpHeader.Options first = peer.next(Duration.ZERO).options();
            assertThat(first.sackCount).isEqualTo(1);
            assertThat(first.sackBlocks).startsWith(base + 1000, base + 1100);

            peer.sendWithOptions(base + 3000, TcpHeader.ACK, ts(PEER_TS), bytes(100, 6));
            TcpHeader.Options second = peer.next(Duration.ZERO).options();
            assertThat(second.sackCount).isEqualTo(2);
            assertThat(second.sackBlocks).startsWith(base + 3000, base + 3100, base + 1000, base + 1100);

            // A segment that extends the lower block makes that block the first one.
            peer.sendWithOptions(base + 1100, TcpHeader.ACK, ts(PEER_TS), bytes(100, 7));
            TcpHeader.Options third = peer.next(Duration.ZERO).options();
            assertThat(third.sackBlocks).startsWith(base + 1000, base + 1200, base + 3000, base + 3100);

            // The hole at RCV.NXT fills: the cumulative ACK moves and only the far block is left.
            peer.sendWithOptions(base, TcpHeader.ACK, ts(PEER_TS), bytes(1000, 8));
            Seen filled = peer.next(Duration.ZERO);
            assertThat(filled.ack()).isEqualTo(base + 1200);
            assertThat(filled.options().sackCount).isEqualTo(1);
            assertThat(filled.options().sackBlocks).startsWith(base + 3000, base + 3100);
        }
    }

    @Test
    void sackRecoveryResendsOnlyTheHoleAndNeverWhatWasSacked() throws Exception {
        try (RawTcpPeer peer = new RawTcpPeer()) {
            TcpSocket s = connectWithOptions(peer);
            int d = peer.stackData;
            s.write(bytes(10 * MSS, 9));
            List<Seen> flight = peer.now();
            assertThat(flight).as("the initial window: three segments").hasSize(3);

            // Segment 0 is lost; 1 and 2 arrive and are SACKed. Limited transmit sends one new segment.
            peer.ack = d;
            peer.sendWithOptions(peer.seq, TcpHeader.ACK, sack(PEER_TS, d + MSS, d + 3 * MSS), new byte[0]);
            List<Seen> afterFirst = peer.now();
            assertThat(afterFirst).as("RFC 3042: one new segment").hasSize(1);
            assertThat(afterFirst.getFirst().seq()).isEqualTo(d + 3 * MSS);

            // Segment 3 is SACKed too: three segments above the hole, so it is lost (RFC 6675 IsLost).
            peer.sendWithOptions(peer.seq, TcpHeader.ACK, sack(PEER_TS, d + MSS, d + 4 * MSS), new byte[0]);
            List<Seen> recovery = peer.now();
            assertThat(recovery).as("the hole, then new data as the pipe allows: %s", recovery).isNotEmpty();
            assertThat(recovery.getFirst().seq()).isEqualTo(d);
            assertThat(recovery.getFirst().length()).isEqualTo(MSS);
            assertThat(recovery.subList(1, recovery.size())).allMatch(x -> x.seq() - d >= 4 * MSS,
                    "nothing SACKed is sent again");
            assertThat(counter(peer, "SackRecoveries")).isEqualTo(1);

            // Everything arrives: recovery ends, new data flows, and nothing but segment 0 went twice.
            int end = recovery.getLast().seq() + recovery.getLast().length();
            peer.ack = end;
            peer.sendWithOptions(peer.seq, TcpHeader.ACK, ts(PEER_TS), new byte[0]);
            List<Seen> after = peer.now();
            assertThat(after).as("new data after recovery").isNotEmpty().allMatch(x -> x.seq() - end >= 0);
            assertThat(counter(peer, "RetransSegs")).isEqualTo(1);
            assertThat(peer.log.stream().filter(x -> x.length() > 0 && x.seq() == d)).hasSize(2);
        }
    }

    @Test
    void withoutSackLimitedTransmitSendsOneNewSegmentOnEachOfTheFirstTwoDuplicateAcks() throws Exception {
        try (RawTcpPeer peer = new RawTcpPeer()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT);
            int d = peer.stackData;
            s.write(bytes(10 * 1460, 10));
            assertThat(peer.now()).hasSize(3);
            peer.sendAck(d, 65535);
            List<Seen> first = peer.now();
            assertThat(first).extracting(Seen::seq).containsExactly(d + 3 * 1460);
            peer.sendAck(d, 65535);
            List<Seen> second = peer.now();
            assertThat(second).extracting(Seen::seq).containsExactly(d + 4 * 1460);
            peer.sendAck(d, 65535);
            List<Seen> third = peer.now();
            assertThat(third).as("the third duplicate ACK: fast retransmit").isNotEmpty();
            assertThat(third.getFirst().seq()).isEqualTo(d);
            assertThat(counter(peer, "FastRetransmits")).isEqualTo(1);
        }
    }

    @Test
    void sackedDataAboveAHoleForAReorderingWindowMarksItLostWithoutThreeDuplicates() throws Exception {
        try (RawTcpPeer peer = new RawTcpPeer()) {
            TcpSocket s = connectWithOptions(peer);
            int d = peer.stackData;
            s.write(bytes(2 * MSS, 11)); // nothing more to send: no limited transmit, no third duplicate
            assertThat(peer.now()).hasSize(2);
            long sackedAt = peer.loop.now();
            peer.ack = d;
            peer.sendWithOptions(peer.seq, TcpHeader.ACK, sack(PEER_TS, d + MSS, d + 2 * MSS), new byte[0]);
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
        try (RawTcpPeer peer = new RawTcpPeer()) {
            TcpSocket s = connectWithOptions(peer);
            int d = peer.stackData;
            s.write(bytes(2 * MSS, 12));
            List<Seen> sent = peer.now();
            assertThat(sent).hasSize(2);
            // Both are lost: no ACK at all. The probe comes after 10 ms (2 SRTT, at least 10 ms), not the 200 ms RTO.
            Seen probe = peer.next(Duration.ofMillis(100));
            assertThat(probe.seq()).as("the last segment again").isEqualTo(d + MSS);
            assertThat(probe.at() - sent.getFirst().at()).isEqualTo(Duration.ofMillis(10).toNanos());
            assertThat(counter(peer, "TailLossProbes")).isEqualTo(1);
            // The probe arrives and is SACKed: the first segment is found lost a reordering window later.
            peer.ack = d;
            peer.sendWithOptions(peer.seq, TcpHeader.ACK, sack(PEER_TS, d + MSS, d + 2 * MSS), new byte[0]);
            Seen repair = peer.next(Duration.ofMillis(100));
            assertThat(repair.seq()).isEqualTo(d);
            assertThat(counter(peer, "Timeouts")).isZero();
        }
    }
}
