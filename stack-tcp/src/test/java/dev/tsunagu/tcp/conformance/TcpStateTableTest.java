package dev.tsunagu.tcp.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.wire.TcpRepr;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The segment-arrival state machine of RFC 9293 3.10.7 (with RFC 5961's challenge ACKs and ACK
 * check) as one table: every state × every kind of segment → what the stack answers and the
 * state it is in afterwards. Each row gets a stack of its own, driven into the state by a
 * {@link TcpPeer} fixture on a virtual clock, then the one segment of the row.
 *
 * <p>Names, as the RFC's, are the stack's: RCV.NXT is {@code peer.sndNxt}, SND.NXT is
 * {@code peer.rcvNxt}, ISS is {@code peer.irs}, RCV.NXT + RCV.WND is
 * {@code peer.stackWindowEnd}. The peer never offers window scaling and always advertises
 * 65 535, so MAX.SND.WND is {@code peer.window}. Every segment that is not meant to
 * acknowledge anything new carries SEG.ACK = SND.UNA, so that only the kind under test acts.
 *
 * <p>"No reply" means nothing at once nor within 100 ms (past the delayed-ACK timer); accepted
 * data may be acknowledged late, within 500 ms. A row's name reads like the RFC, e.g.
 * "ESTABLISHED × RST at RCV.NXT → no reply, CLOSED (deleted)"; a failure message starts with it.
 *
 * <p>The expectations are the RFCs'. Where the stack disagrees, the row fails on purpose. Rows
 * written failing against the stack of this writing:
 * <ul>
 *   <li>SYN_RECEIVED × SYN in window: RFC 9293 3.10.7.4 fourth step returns a passive open to
 *       LISTEN; the stack answers a challenge ACK and stays in SYN_RECEIVED.
 *   <li>CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT × data in order after the peer's FIN: the
 *       seventh step says "Ignore the segment text"; the stack acknowledges it.
 * </ul>
 */
class TcpStateTableTest {
    private static final String PAYLOAD = "hello";

    // =====================================================================================
    // The table
    // =====================================================================================

    static Stream<Row> table() {
        return Stream.of(
                // ---- SYN-SENT (3.10.7.3): the ACK first, then RST, then SYN; anything else is dropped ----
                row(St.SYN_SENT, SS_ACK_OF_ISS, rstAtSegAck(), in("SYN_SENT")),
                row(St.SYN_SENT, SS_ACK_OF_SYN, none(), in("SYN_SENT")),
                row(St.SYN_SENT, SS_ACK_BEYOND, rstAtSegAck(), in("SYN_SENT")),
                row(St.SYN_SENT, SS_ACK_OLD, rstAtSegAck(), in("SYN_SENT")),
                row(St.SYN_SENT, SS_RST_ACCEPTABLE, none(), deleted()).then(TcpStateTableTest::connectRefused),
                row(St.SYN_SENT, SS_RST_NO_ACK, none(), in("SYN_SENT")),
                row(St.SYN_SENT, SS_RST_BAD_ACK, none(), in("SYN_SENT")),
                row(St.SYN_SENT, SS_SYN, synAck(), in("SYN_RECEIVED")),
                row(St.SYN_SENT, SS_SYN_ACK, ack(), in("ESTABLISHED")),
                row(St.SYN_SENT, SS_FIN, none(), in("SYN_SENT")),
                row(St.SYN_SENT, SS_DATA, none(), in("SYN_SENT")),
                row(St.SYN_SENT, SS_DATA_NO_ACK, none(), in("SYN_SENT")),

                // ---- SYN-RECEIVED (passive open) ----
                row(St.SYN_RECEIVED, ACK_OF_ISS, rstAtSegAck(), in("SYN_RECEIVED")),
                row(St.SYN_RECEIVED, ACK_OF_SYN, none(), in("ESTABLISHED")),
                row(St.SYN_RECEIVED, ACK_BEYOND, rstAtSegAck(), in("SYN_RECEIVED")),
                row(St.SYN_RECEIVED, ACK_TOO_OLD, rstAtSegAck(), in("SYN_RECEIVED")),
                row(St.SYN_RECEIVED, RST_EXACT, none(), backToListen()),
                row(St.SYN_RECEIVED, RST_IN_WINDOW, challengeAck(), in("SYN_RECEIVED")),
                row(St.SYN_RECEIVED, RST_OUT_OF_WINDOW, none(), in("SYN_RECEIVED")),
                row(St.SYN_RECEIVED, SYN, none(), backToListen()), // 3.10.7.4 fourth: passive OPEN → LISTEN
                row(St.SYN_RECEIVED, SYN_AGAIN, ack(), in("SYN_RECEIVED")), // below the window: first step
                row(St.SYN_RECEIVED, SR_FIN, ack(), in("CLOSE_WAIT")),
                row(St.SYN_RECEIVED, SR_DATA, ackOfData(), in("ESTABLISHED")),
                row(St.SYN_RECEIVED, DATA_OUT_OF_WINDOW, ack(), in("SYN_RECEIVED")),
                row(St.SYN_RECEIVED, DATA_NO_ACK, none(), in("SYN_RECEIVED")),

                // ---- ESTABLISHED ----
                row(St.ESTABLISHED, ACK_NOTHING_NEW, none(), in("ESTABLISHED")),
                row(St.ESTABLISHED, ACK_NEW_DATA, none(), in("ESTABLISHED")).given(TcpStateTableTest::sendData),
                row(St.ESTABLISHED, ACK_BEYOND, ack(), in("ESTABLISHED")),
                row(St.ESTABLISHED, ACK_TOO_OLD, ack(), in("ESTABLISHED")),
                row(St.ESTABLISHED, RST_EXACT, none(), deleted()),
                row(St.ESTABLISHED, RST_IN_WINDOW, challengeAck(), in("ESTABLISHED")),
                row(St.ESTABLISHED, RST_OUT_OF_WINDOW, none(), in("ESTABLISHED")),
                row(St.ESTABLISHED, SYN, challengeAck(), in("ESTABLISHED")),
                row(St.ESTABLISHED, FIN, ack(), in("CLOSE_WAIT")),
                row(St.ESTABLISHED, DATA, ackOfData(), in("ESTABLISHED")),
                row(St.ESTABLISHED, DATA_OUT_OF_WINDOW, ack(), in("ESTABLISHED")),
                row(St.ESTABLISHED, DATA_NO_ACK, none(), in("ESTABLISHED")),

                // ---- FIN-WAIT-1 (our FIN unacknowledged) ----
                row(St.FIN_WAIT_1, ACK_NOTHING_NEW, none(), in("FIN_WAIT_1")),
                row(St.FIN_WAIT_1, ACK_OF_FIN, none(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_1, ACK_BEYOND, ack(), in("FIN_WAIT_1")),
                row(St.FIN_WAIT_1, ACK_TOO_OLD, ack(), in("FIN_WAIT_1")),
                row(St.FIN_WAIT_1, RST_EXACT, none(), deleted()),
                row(St.FIN_WAIT_1, RST_IN_WINDOW, challengeAck(), in("FIN_WAIT_1")),
                row(St.FIN_WAIT_1, RST_OUT_OF_WINDOW, none(), in("FIN_WAIT_1")),
                row(St.FIN_WAIT_1, SYN, challengeAck(), in("FIN_WAIT_1")),
                row(St.FIN_WAIT_1, FIN, ack(), in("CLOSING")),
                row(St.FIN_WAIT_1, FIN_ACKING_OUR_FIN, ack(), in("TIME_WAIT")),
                row(St.FIN_WAIT_1, DATA, ackOfData(), in("FIN_WAIT_1")),
                row(St.FIN_WAIT_1, DATA_OUT_OF_WINDOW, ack(), in("FIN_WAIT_1")),
                row(St.FIN_WAIT_1, DATA_NO_ACK, none(), in("FIN_WAIT_1")),

                // ---- FIN-WAIT-2 (nothing of ours outstanding) ----
                row(St.FIN_WAIT_2, ACK_NOTHING_NEW, none(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_2, ACK_BEYOND, ack(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_2, ACK_TOO_OLD, ack(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_2, RST_EXACT, none(), deleted()),
                row(St.FIN_WAIT_2, RST_IN_WINDOW, challengeAck(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_2, RST_OUT_OF_WINDOW, none(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_2, SYN, challengeAck(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_2, FIN, ack(), in("TIME_WAIT")),
                row(St.FIN_WAIT_2, DATA, ackOfData(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_2, DATA_OUT_OF_WINDOW, ack(), in("FIN_WAIT_2")),
                row(St.FIN_WAIT_2, DATA_NO_ACK, none(), in("FIN_WAIT_2")),

                // ---- CLOSE-WAIT (the peer's FIN received) ----
                row(St.CLOSE_WAIT, ACK_NOTHING_NEW, none(), in("CLOSE_WAIT")),
                row(St.CLOSE_WAIT, ACK_NEW_DATA, none(), in("CLOSE_WAIT")).given(TcpStateTableTest::sendData),
                row(St.CLOSE_WAIT, ACK_BEYOND, ack(), in("CLOSE_WAIT")),
                row(St.CLOSE_WAIT, ACK_TOO_OLD, ack(), in("CLOSE_WAIT")),
                row(St.CLOSE_WAIT, RST_EXACT, none(), deleted()),
                row(St.CLOSE_WAIT, RST_IN_WINDOW, challengeAck(), in("CLOSE_WAIT")),
                row(St.CLOSE_WAIT, RST_OUT_OF_WINDOW, none(), in("CLOSE_WAIT")),
                row(St.CLOSE_WAIT, SYN, challengeAck(), in("CLOSE_WAIT")),
                row(St.CLOSE_WAIT, FIN_AGAIN, ack(), in("CLOSE_WAIT")),
                row(St.CLOSE_WAIT, DATA_AFTER_FIN, none(), in("CLOSE_WAIT")), // seventh: "Ignore the segment text"
                row(St.CLOSE_WAIT, DATA_OUT_OF_WINDOW, ack(), in("CLOSE_WAIT")),
                row(St.CLOSE_WAIT, DATA_NO_ACK, none(), in("CLOSE_WAIT")),

                // ---- CLOSING (both FINs sent, ours unacknowledged) ----
                row(St.CLOSING, ACK_NOTHING_NEW, none(), in("CLOSING")),
                row(St.CLOSING, ACK_OF_FIN, none(), in("TIME_WAIT")),
                row(St.CLOSING, ACK_BEYOND, ack(), in("CLOSING")),
                row(St.CLOSING, ACK_TOO_OLD, ack(), in("CLOSING")),
                row(St.CLOSING, RST_EXACT, none(), deleted()),
                row(St.CLOSING, RST_IN_WINDOW, challengeAck(), in("CLOSING")),
                row(St.CLOSING, RST_OUT_OF_WINDOW, none(), in("CLOSING")),
                row(St.CLOSING, SYN, challengeAck(), in("CLOSING")),
                row(St.CLOSING, FIN_AGAIN, ack(), in("CLOSING")),
                row(St.CLOSING, DATA_AFTER_FIN, none(), in("CLOSING")),
                row(St.CLOSING, DATA_OUT_OF_WINDOW, ack(), in("CLOSING")),
                row(St.CLOSING, DATA_NO_ACK, none(), in("CLOSING")),

                // ---- LAST-ACK (our FIN after theirs, unacknowledged) ----
                row(St.LAST_ACK, ACK_NOTHING_NEW, none(), in("LAST_ACK")),
                row(St.LAST_ACK, ACK_OF_FIN, none(), deleted()),
                row(St.LAST_ACK, ACK_BEYOND, ack(), in("LAST_ACK")),
                row(St.LAST_ACK, ACK_TOO_OLD, ack(), in("LAST_ACK")),
                row(St.LAST_ACK, RST_EXACT, none(), deleted()),
                row(St.LAST_ACK, RST_IN_WINDOW, challengeAck(), in("LAST_ACK")),
                row(St.LAST_ACK, RST_OUT_OF_WINDOW, none(), in("LAST_ACK")),
                row(St.LAST_ACK, SYN, challengeAck(), in("LAST_ACK")),
                row(St.LAST_ACK, FIN_AGAIN, ack(), in("LAST_ACK")),
                row(St.LAST_ACK, DATA_AFTER_FIN, none(), in("LAST_ACK")),
                row(St.LAST_ACK, DATA_OUT_OF_WINDOW, ack(), in("LAST_ACK")),
                row(St.LAST_ACK, DATA_NO_ACK, none(), in("LAST_ACK")),

                // ---- TIME-WAIT ----
                row(St.TIME_WAIT, ACK_NOTHING_NEW, none(), in("TIME_WAIT")),
                row(St.TIME_WAIT, ACK_BEYOND, ack(), in("TIME_WAIT")),
                row(St.TIME_WAIT, ACK_TOO_OLD, ack(), in("TIME_WAIT")),
                row(St.TIME_WAIT, RST_EXACT, none(), deleted()),
                row(St.TIME_WAIT, RST_IN_WINDOW, challengeAck(), in("TIME_WAIT")),
                row(St.TIME_WAIT, RST_OUT_OF_WINDOW, none(), in("TIME_WAIT")),
                row(St.TIME_WAIT, SYN, challengeAck(), in("TIME_WAIT")),
                row(St.TIME_WAIT, FIN_AGAIN_LATE, ack(), timeWaitRestarted()),
                row(St.TIME_WAIT, DATA_AFTER_FIN, none(), in("TIME_WAIT")),
                row(St.TIME_WAIT, DATA_OUT_OF_WINDOW, ack(), in("TIME_WAIT")),
                row(St.TIME_WAIT, DATA_NO_ACK, none(), in("TIME_WAIT")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void stateTimesSegment(Row row) throws IOException {
        try (TcpPeer p = TcpPeer.start()) {
            run(row, p);
        } catch (AssertionError e) {
            // Surefire's report names parameterized cases by index only: say which row failed.
            AssertionError named = new AssertionError(row + "\n" + e.getMessage(), e.getCause());
            named.setStackTrace(e.getStackTrace());
            throw named;
        }
    }

    private static void run(Row row, TcpPeer p) throws IOException {
        row.state.fixture.drive(p);
        if (row.given != null) {
            row.given.accept(p);
        }
        assertThat(p.recv()).as("nothing pending from the stack before the row's segment").isEmpty();
        long challengeAcksBefore = p.counter("ChallengeAcks");
        TcpPeer.Seg seg = row.kind.build.apply(row.state, p);
        int segAck = seg.repr().acknowledgment().orElse(0);
        p.send(seg);
        row.reply.check.check(p, segAck, challengeAcksBefore);
        row.after.check.accept(p);
        if (row.then != null) {
            row.then.accept(p);
        }
    }

    // =====================================================================================
    // States: the fixture, and SND.UNA as the peer sees it
    // =====================================================================================

    enum St {
        SYN_SENT(TcpPeer::synSent, Una.ISS),
        SYN_RECEIVED(TcpPeer::synReceived, Una.ISS),
        ESTABLISHED(TcpPeer::established, Una.ALL_ACKED),
        FIN_WAIT_1(TcpPeer::finWait1, Una.FIN_OUTSTANDING),
        FIN_WAIT_2(TcpPeer::finWait2, Una.ALL_ACKED),
        CLOSE_WAIT(TcpPeer::closeWait, Una.ALL_ACKED),
        CLOSING(TcpPeer::closing, Una.FIN_OUTSTANDING),
        LAST_ACK(TcpPeer::lastAck, Una.FIN_OUTSTANDING),
        TIME_WAIT(TcpPeer::timeWait, Una.ALL_ACKED);

        private enum Una { ISS, ALL_ACKED, FIN_OUTSTANDING }

        final SynchronizedState.Fixture fixture;
        private final Una una;

        St(SynchronizedState.Fixture fixture, Una una) {
            this.fixture = fixture;
            this.una = una;
        }

        /** The stack's SND.UNA. */
        int sndUna(TcpPeer p) {
            return switch (una) {
                case ISS -> p.irs;
                case ALL_ACKED -> p.rcvNxt;
                case FIN_OUTSTANDING -> p.rcvNxt - 1;
            };
        }
    }

    // =====================================================================================
    // Segment kinds
    // =====================================================================================

    record Kind(String label, BiFunction<St, TcpPeer, TcpPeer.Seg> build) {}

    private static Kind kind(String label, BiFunction<St, TcpPeer, TcpPeer.Seg> build) {
        return new Kind(label, build);
    }

    // ---- SYN-SENT: the stack has no RCV.NXT yet; ISS = peer.irs, SND.NXT = ISS + 1 ----

    static final Kind SS_ACK_OF_ISS = kind("pure ACK of nothing (SEG.ACK=ISS)",
            (s, p) -> p.seg().ack(p.irs));
    static final Kind SS_ACK_OF_SYN = kind("pure ACK of our SYN, no SYN bit (SEG.ACK=ISS+1)",
            (s, p) -> p.seg().ack(p.irs + 1));
    static final Kind SS_ACK_BEYOND = kind("ACK beyond SND.NXT (SEG.ACK=ISS+2)",
            (s, p) -> p.seg().ack(p.irs + 2));
    static final Kind SS_ACK_OLD = kind("old ACK (SEG.ACK=ISS−65536)",
            (s, p) -> p.seg().ack(p.irs - 65_536));
    static final Kind SS_RST_ACCEPTABLE = kind("RST with an acceptable ACK (SEG.ACK=ISS+1)",
            (s, p) -> p.seg().rst().ack(p.irs + 1));
    static final Kind SS_RST_NO_ACK = kind("RST without ACK bit",
            (s, p) -> p.seg().rst().noAck());
    static final Kind SS_RST_BAD_ACK = kind("RST with an unacceptable ACK (SEG.ACK=ISS+2)",
            (s, p) -> p.seg().rst().ack(p.irs + 2));
    static final Kind SS_SYN = kind("SYN without ACK (simultaneous open)",
            (s, p) -> p.seg().syn().noAck());
    static final Kind SS_SYN_ACK = kind("SYN-ACK acknowledging our SYN",
            (s, p) -> p.seg().syn().ack(p.irs + 1));
    static final Kind SS_FIN = kind("FIN with ACK of our SYN, no SYN bit",
            (s, p) -> p.seg().fin().ack(p.irs + 1));
    static final Kind SS_DATA = kind("data with ACK of our SYN, no SYN bit",
            (s, p) -> p.seg().ack(p.irs + 1).data(PAYLOAD));
    static final Kind SS_DATA_NO_ACK = kind("data without ACK bit, no SYN bit",
            (s, p) -> p.seg().noAck().data(PAYLOAD));

    // ---- ACK field (fifth step, RFC 5961 5.2) ----

    static final Kind ACK_NOTHING_NEW = kind("pure ACK of nothing new (SEG.ACK=SND.UNA)",
            (s, p) -> p.seg().ack(s.sndUna(p)));
    static final Kind ACK_OF_ISS = kind("pure ACK of nothing new (SEG.ACK=SND.UNA=ISS)",
            (s, p) -> p.seg().ack(p.irs));
    static final Kind ACK_OF_SYN = kind("ACK of our SYN (SEG.ACK=ISS+1=SND.NXT)",
            (s, p) -> p.seg().ack(p.irs + 1));
    static final Kind ACK_NEW_DATA = kind("ACK of new data (SEG.ACK=SND.NXT>SND.UNA)",
            (s, p) -> p.seg().ack(p.rcvNxt));
    static final Kind ACK_OF_FIN = kind("ACK of our FIN (SEG.ACK=SND.NXT=SND.UNA+1)",
            (s, p) -> p.seg().ack(p.rcvNxt));
    static final Kind ACK_BEYOND = kind("ACK beyond SND.NXT (SEG.ACK=SND.NXT+1)",
            (s, p) -> p.seg().ack(p.rcvNxt + 1));
    static final Kind ACK_TOO_OLD = kind("old ACK (SEG.ACK=SND.UNA−MAX.SND.WND−1)",
            (s, p) -> p.seg().ack(s.sndUna(p) - p.window - 1));

    // ---- RST (second step, RFC 5961 3.2) ----

    static final Kind RST_EXACT = kind("RST at RCV.NXT",
            (s, p) -> p.seg().rst().noAck());
    static final Kind RST_IN_WINDOW = kind("RST in window, not exact (SEQ=RCV.NXT+1)",
            (s, p) -> p.seg().rst().noAck().seq(p.sndNxt + 1));
    static final Kind RST_OUT_OF_WINDOW = kind("RST out of window (SEQ=RCV.NXT+RCV.WND)",
            (s, p) -> p.seg().rst().noAck().seq(p.stackWindowEnd));

    // ---- SYN (fourth step, RFC 5961 4.2) ----

    static final Kind SYN = kind("SYN in window (SEQ=RCV.NXT+1000)",
            (s, p) -> p.seg().syn().noAck().seq(p.sndNxt + 1000));

    /** The peer's SYN once more: it occupies IRS, below RCV.NXT = IRS+1, so the first step answers it. */
    static final Kind SYN_AGAIN = kind("SYN retransmitted (SEQ=IRS)",
            (s, p) -> p.seg().syn().noAck().seq(p.iss));

    // ---- FIN (eighth step) ----

    static final Kind FIN = kind("FIN in order (SEQ=RCV.NXT, SEG.ACK=SND.UNA)",
            (s, p) -> p.seg().fin().ack(s.sndUna(p)));
    static final Kind SR_FIN = kind("FIN in order with the handshake's ACK (SEG.ACK=ISS+1)",
            (s, p) -> p.seg().fin().ack(p.irs + 1));
    static final Kind FIN_ACKING_OUR_FIN = kind("FIN in order acknowledging our FIN (SEG.ACK=SND.NXT)",
            (s, p) -> p.seg().fin().ack(p.rcvNxt));
    static final Kind FIN_AGAIN = kind("FIN in order again, retransmitted (SEQ=RCV.NXT−1)",
            (s, p) -> p.seg().fin().seq(p.sndNxt - 1).ack(s.sndUna(p)));
    static final Kind FIN_AGAIN_LATE = kind("FIN in order again, retransmitted 30 s into 2 MSL (SEQ=RCV.NXT−1)",
            (s, p) -> {
                p.advance(Duration.ofSeconds(30));
                return p.seg().fin().seq(p.sndNxt - 1).ack(s.sndUna(p));
            });

    // ---- text (seventh step) ----

    static final Kind DATA = kind("data in order (SEQ=RCV.NXT)",
            (s, p) -> p.seg().ack(s.sndUna(p)).data(PAYLOAD));
    static final Kind SR_DATA = kind("data in order with the handshake's ACK (SEG.ACK=ISS+1)",
            (s, p) -> p.seg().ack(p.irs + 1).data(PAYLOAD));
    static final Kind DATA_AFTER_FIN = kind("data in order after the peer's FIN (SEQ=RCV.NXT)",
            (s, p) -> p.seg().ack(s.sndUna(p)).data(PAYLOAD));
    static final Kind DATA_OUT_OF_WINDOW = kind("data out of window (SEQ=RCV.NXT+RCV.WND)",
            (s, p) -> p.seg().seq(p.stackWindowEnd).ack(s.sndUna(p)).data(PAYLOAD));
    static final Kind DATA_NO_ACK = kind("data in order without ACK bit",
            (s, p) -> p.seg().noAck().data(PAYLOAD));

    // =====================================================================================
    // Expected replies
    // =====================================================================================

    @FunctionalInterface
    interface ReplyCheck {
        void check(TcpPeer p, int segAck, long challengeAcksBefore);
    }

    record Reply(String label, ReplyCheck check) {}

    /**
     * Nothing at once, nor a moment later: 100 ms is past the stack's delayed-ACK timer (40 ms) and
     * short of any retransmission timeout (at least 200 ms), so whatever came would be an answer.
     */
    static Reply none() {
        return new Reply("no reply", (p, segAck, before) -> {
            p.expectNothing();
            p.advance(Duration.ofMillis(100));
            assertThat(p.recv()).as("segments from the stack within 100 ms").isEmpty();
        });
    }

    /** {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>}, at once. */
    static Reply ack() {
        return new Reply("ACK <SEQ=SND.NXT><ACK=RCV.NXT>", (p, segAck, before) -> p.expectAck());
    }

    /** A challenge ACK (RFC 5961): a bare ACK of RCV.NXT at once, counted as one. */
    static Reply challengeAck() {
        return new Reply("challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>", (p, segAck, before) -> {
            p.expectAck();
            assertThat(p.counter("ChallengeAcks") - before).as("ChallengeAcks").isEqualTo(1);
        });
    }

    /** Accepted data: an ACK of the new RCV.NXT, which may be delayed (RFC 9293 3.8.6.3: under 0.5 s). */
    static Reply ackOfData() {
        return new Reply("ACK <SEQ=SND.NXT><ACK=RCV.NXT> (may be delayed, < 500 ms)", (p, segAck, before) -> {
            List<TcpRepr> now = p.recv();
            assertThat(now).as("segments from the stack at once").hasSizeLessThanOrEqualTo(1);
            TcpRepr r = now.isEmpty() ? p.awaitSegment(Duration.ofMillis(499)) : now.get(0);
            assertThat(r).as("an ACK of the data within 500 ms").isNotNull();
            TcpPeer.assertBareAck(r, p.rcvNxt, p.sndNxt);
            p.expectNothing();
        });
    }

    /** {@code <SEQ=SEG.ACK><CTL=RST>}. */
    static Reply rstAtSegAck() {
        return new Reply("RST <SEQ=SEG.ACK>", (p, segAck, before) -> p.expectRst(segAck));
    }

    /** {@code <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>}. */
    static Reply synAck() {
        return new Reply("SYN-ACK <SEQ=ISS><ACK=RCV.NXT>", (p, segAck, before) -> {
            TcpRepr r = p.recvOne();
            assertThat(r.control()).as("control of " + r).isEqualTo(Control.SYN);
            assertThat(r.sequence()).as("SEQ of " + r).isEqualTo(p.irs);
            assertThat(r.acknowledgment()).as("ACK of " + r).hasValue(p.sndNxt);
            assertThat(r.payloadLength()).as("payload of " + r).isZero();
        });
    }

    // =====================================================================================
    // Expected state afterwards
    // =====================================================================================

    record After(String label, Consumer<TcpPeer> check) {}

    /** The connection is in {@code state}: in the socket table and, once the application has it, on its socket. */
    static After in(String state) {
        return new After(state, p -> {
            assertThat(connectionStates(p)).as("the connection in the socket table").containsExactly(state);
            if (p.socket != null) {
                assertThat(p.socket.state()).as("socket.state()").isEqualTo(state);
            }
        });
    }

    /** The TCB is deleted: CLOSED. */
    static After deleted() {
        return new After("CLOSED (deleted)", p -> {
            assertThat(connectionStates(p)).as("the connection in the socket table").isEmpty();
            if (p.socket != null) {
                assertThat(p.socket.state()).as("socket.state()").isEqualTo("CLOSED");
            }
        });
    }

    /** A passive open back to LISTEN: the half-open connection is gone, the listener stays. */
    static After backToListen() {
        return new After("LISTEN (half-open connection forgotten)", p ->
                assertThat(p.socketStates()).as("the socket table").containsExactly("LISTEN"));
    }

    /** Still TIME_WAIT, and 2 MSL (60 s) now runs from the retransmitted FIN, not from the first. */
    static After timeWaitRestarted() {
        After tw = in("TIME_WAIT");
        return new After("TIME_WAIT, 2 MSL restarted", p -> {
            tw.check.accept(p);
            p.advance(Duration.ofSeconds(59)); // 89 s after the first FIN: past its 2 MSL
            tw.check.accept(p);
            p.advance(Duration.ofSeconds(2));  // 61 s after the retransmission
            assertThat(connectionStates(p)).as("the connection after 2 MSL").isEmpty();
            p.expectNothing();
        });
    }

    private static List<String> connectionStates(TcpPeer p) {
        return p.socketStates().stream().filter(s -> !s.equals("LISTEN")).toList();
    }

    // =====================================================================================
    // Preparations and follow-ups
    // =====================================================================================

    /** The application writes a few bytes; the stack sends them at once (nothing in flight): SND.UNA < SND.NXT. */
    private static void sendData(TcpPeer p) {
        byte[] b = PAYLOAD.getBytes(StandardCharsets.US_ASCII);
        p.socket.writeAsync(b, 0, b.length);
        TcpRepr d = p.recvOne();
        assertThat(d.payloadLength()).as("the stack's data segment " + d).isEqualTo(b.length);
    }

    private static void connectRefused(TcpPeer p) {
        assertThat(p.connecting).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(ConnectException.class);
    }

    // =====================================================================================
    // Rows
    // =====================================================================================

    static Row row(St state, Kind kind, Reply reply, After after) {
        return new Row(state, kind, reply, after, null, null);
    }

    record Row(St state, Kind kind, Reply reply, After after, Consumer<TcpPeer> given, Consumer<TcpPeer> then) {
        /** With a preparation after the fixture, before the segment. */
        Row given(Consumer<TcpPeer> g) {
            return new Row(state, kind, reply, after, g, then);
        }

        /** With a further check after the state's. */
        Row then(Consumer<TcpPeer> t) {
            return new Row(state, kind, reply, after, given, t);
        }

        @Override
        public String toString() {
            return state + " × " + kind.label + " → " + reply.label + ", " + after.label;
        }
    }
}
