package dev.tsunagu.tcp.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.tcp.TcpOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.wire.TcpRepr;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CONFORMANCE.md, "TCP acceptance and resets": RSTs and SYNs in every state (RFC 9293 3.10.7,
 * RFC 5961 3 and 4 with their challenge ACKs and its rate limits), the handshake's ACK check in
 * SYN-RECEIVED, and segments for no connection (3.10.7.1).
 */
class TcpResetConformanceTest {
    private TcpPeer peer = TcpPeer.start();

    @AfterEach
    void tearDown() {
        peer.close();
    }

    // ---- SYN-RECEIVED ----

    @ParameterizedTest(name = "ACK of ISS{0}")
    @ValueSource(ints = {0, 2})
    void inSynReceivedAnAckOfIssOrIssPlus2DrawsRstWithSeqSegAck(int offset) throws IOException {
        peer.synReceived();
        int bad = peer.irs + offset;
        peer.send(peer.seg().ack(bad));
        peer.expectRst(bad);
        assertThat(peer.socketStates()).contains("SYN_RECEIVED");

        // The handshake is still open: the right ACK completes it.
        peer.send(peer.seg().ack(peer.irs + 1));
        peer.expectNothing();
        assertThat(peer.listener.acceptAsync()).isCompleted();
    }

    @Test
    void inSynReceivedAnAckOfIssPlus1CompletesTheHandshake() throws IOException {
        peer.synReceived();
        peer.send(peer.seg().ack(peer.irs + 1));
        peer.expectNothing();
        assertThat(peer.socketStates()).containsExactlyInAnyOrder("LISTEN", "ESTABLISHED");
        TcpSocket s = peer.listener.acceptAsync().getNow(null);
        assertThat(s).isNotNull();
        assertThat(s.remoteAddress().getPort()).isEqualTo(peer.port);
    }

    @Test
    void aRstInSynReceivedReturnsAPassiveOpenToListen() throws IOException {
        peer.synReceived();
        CompletableFuture<TcpSocket> accepted = peer.listener.acceptAsync();
        peer.send(peer.seg().rst().noAck());
        peer.expectNothing();
        assertThat(peer.socketStates()).containsExactly("LISTEN");
        assertThat(accepted).as("the reset connection is never handed out").isNotDone();

        // The listener takes the next connection, even on the same ports.
        peer.iss += 77_777;
        peer.synReceived();
        peer.send(peer.seg());
        assertThat(accepted).isCompleted();
        assertThat(accepted.join().state()).isEqualTo("ESTABLISHED");
        assertThat(peer.counter("OutRsts")).isZero();
    }

    @Test
    void aRstInSynReceivedClosesAnActiveOpen() {
        peer.synSent();
        peer.send(peer.seg().syn().noAck()); // simultaneous open: the stack goes to SYN-RECEIVED
        TcpRepr synAck = peer.recvOne();
        assertThat(synAck.control()).isEqualTo(Control.SYN);
        assertThat(peer.socketStates()).containsExactly("SYN_RECEIVED");

        peer.send(peer.seg().rst().noAck());
        peer.expectNothing();
        assertThat(peer.connecting).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(ConnectException.class).withMessageContaining("connection refused");
        assertThat(peer.socketStates()).isEmpty();
    }

    // ---- SYN-SENT ----

    @Test
    void inSynSentARstWithAnAcceptableAckRefusesTheConnection() {
        peer.synSent();
        peer.send(peer.seg().rst().seq(0).ack(peer.irs + 1));
        peer.expectNothing();
        assertThat(peer.connecting).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(ConnectException.class).withMessageContaining("connection refused");
        assertThat(peer.socketStates()).isEmpty();
        assertThat(peer.counter("AttemptFails")).isEqualTo(1);
    }

    @Test
    void inSynSentAnUnacceptableAckDrawsRstWithSeqSegAck() {
        peer.synSent();
        peer.send(peer.seg().syn().ack(peer.irs + 5)); // a SYN-ACK for some other SYN
        peer.expectRst(peer.irs + 5);
        assertThat(peer.socketStates()).containsExactly("SYN_SENT");
        peer.send(peer.seg().syn().seq(peer.iss)); // the right one still completes
        peer.expectAck();
        assertThat(peer.connecting).isCompleted();
    }

    @Test
    void inSynSentARstWithoutAnAcceptableAckIsIgnored() {
        peer.synSent();
        peer.send(peer.seg().rst().seq(0).noAck());
        peer.send(peer.seg().rst().seq(0).ack(peer.irs));      // acknowledges less than our SYN
        peer.send(peer.seg().rst().seq(0).ack(peer.irs + 2));  // acknowledges more than was sent
        peer.expectNothing(); // and never a RST for a RST
        assertThat(peer.connecting).isNotDone();
        assertThat(peer.socketStates()).containsExactly("SYN_SENT");

        peer.send(peer.seg().syn());
        peer.expectAck();
        assertThat(peer.connecting).isCompleted();
    }

    // ---- RST and SYN in a synchronized state (RFC 5961 3.2, 4.2) ----

    @Test
    void aRstExactlyAtRcvNxtResetsAnEstablishedConnection() {
        peer.established();
        byte[] buf = new byte[10];
        CompletableFuture<Integer> read = peer.socket.readAsync(buf, 0, buf.length);
        peer.send(peer.seg().rst().noAck());
        peer.expectNothing();
        assertThat(read).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SocketException.class).withMessageContaining("connection reset");
        assertThat(peer.socketStates()).isEmpty();
        assertThat(peer.counter("EstabResets")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(SynchronizedState.class)
    void aRstExactlyAtRcvNxtResetsTheConnection(SynchronizedState state) throws IOException {
        state.drive(peer);
        peer.send(peer.seg().rst().noAck());
        peer.expectNothing();
        assertThat(peer.socketStates()).isEmpty();
        assertThat(peer.counter("InRsts")).isEqualTo(1);
        peer.advance(Duration.ofMinutes(5));
        peer.expectNothing(); // nothing left to retransmit
    }

    @ParameterizedTest
    @EnumSource(SynchronizedState.class)
    void aRstInTheWindowButNotAtRcvNxtDrawsAChallengeAck(SynchronizedState state) throws IOException {
        state.drive(peer);
        peer.send(peer.seg().rst().seq(peer.sndNxt + 1000));
        peer.expectAck();
        assertThat(peer.socket.state()).isEqualTo(state.name());
        assertThat(peer.counter("ChallengeAcks")).isEqualTo(1);
    }

    @Test
    void theWindowsEdgesForARst() {
        peer.established();
        int end = peer.stackWindowEnd; // RCV.NXT + RCV.WND
        peer.send(peer.seg().rst().seq(end));
        peer.expectNothing(); // the first sequence number past the window
        peer.send(peer.seg().rst().seq(end - 1));
        peer.expectAck();     // the last one in it
        assertThat(peer.socket.state()).isEqualTo("ESTABLISHED");
    }

    @ParameterizedTest
    @EnumSource(SynchronizedState.class)
    void aRstOutsideTheWindowIsDroppedSilently(SynchronizedState state) throws IOException {
        state.drive(peer);
        peer.send(peer.seg().rst().seq(peer.sndNxt + 100_000));
        peer.send(peer.seg().rst().seq(peer.sndNxt - 1));
        peer.expectNothing();
        assertThat(peer.socket.state()).isEqualTo(state.name());
        assertThat(peer.counter("InRsts")).isZero();
        assertThat(peer.counter("RstsOutOfWindow")).as("each dropped RST counted").isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(SynchronizedState.class)
    void aSynInASynchronizedStateDrawsAChallengeAck(SynchronizedState state) throws IOException {
        state.drive(peer);
        peer.send(peer.seg().syn().noAck().seq(peer.sndNxt + 1000));
        peer.expectAck();
        assertThat(peer.counter("ChallengeAcks")).isEqualTo(1);
        assertThat(peer.socket.state()).isEqualTo(state.name());
    }

    @Test
    void aSynOutsideTheWindowDrawsAChallengeAckThatIsRateLimitedToo() {
        peer.established();
        // RFC 5961 4.2: a SYN draws a challenge ACK "irrespective of the sequence number", and
        // section 7 throttles challenge ACKs; a SYN carries no data that would need an answer.
        peer.send(peer.seg().syn().noAck().seq(peer.sndNxt + 100_000)); // a new attempt on the same ports
        peer.expectAck();
        peer.advance(Duration.ofMillis(100));
        peer.send(peer.seg().syn().noAck().seq(peer.iss));              // our first SYN, duplicated
        peer.expectNothing();
        peer.send(peer.seg().syn().noAck().seq(peer.sndNxt + 1000));    // in the window
        peer.expectNothing();
        assertThat(peer.socket.state()).isEqualTo("ESTABLISHED");
    }

    @Test
    void challengeAcksAreRateLimitedPerConnection() {
        peer.established();
        peer.send(peer.seg().rst().seq(peer.sndNxt + 1000));
        peer.expectAck();
        peer.advance(Duration.ofMillis(100));
        peer.send(peer.seg().rst().seq(peer.sndNxt + 2000));
        peer.send(peer.seg().syn().noAck().seq(peer.sndNxt + 3000));
        peer.expectNothing();
        assertThat(peer.counter("ChallengeAcksLimited")).isEqualTo(2);

        peer.advance(Duration.ofMillis(400)); // 500 ms after the first
        peer.send(peer.seg().rst().seq(peer.sndNxt + 1000));
        peer.expectAck();
        assertThat(peer.socket.state()).isEqualTo("ESTABLISHED");
    }

    @Test
    void challengeAcksAreRateLimitedStackWide() {
        peer.close();
        peer = TcpPeer.start(h -> h.option(TcpOptions.CHALLENGE_ACK_LIMIT, 1));
        peer.established();
        TcpPeer other = peer.another("10.0.0.10");
        other.established();

        peer.send(peer.seg().rst().seq(peer.sndNxt + 1000));
        peer.expectAck();
        other.send(other.seg().rst().seq(other.sndNxt + 1000)); // its own limit would allow one
        other.expectNothing();

        peer.advance(Duration.ofSeconds(1)); // one more token
        other.send(other.seg().rst().seq(other.sndNxt + 1000));
        other.expectAck();
        other.close();
    }

    // ---- no connection (3.10.7.1) ----

    @Test
    void aSegmentWithoutAckToAClosedPortDrawsRstAcknowledgingSeqPlusLength() {
        peer.send(peer.seg().syn().noAck());
        TcpRepr rst = peer.recvOne();
        assertThat(rst.control()).isEqualTo(Control.RST);
        assertThat(rst.sequence()).isZero();
        assertThat(rst.acknowledgment()).hasValue(peer.iss + 1);

        // SEG.LEN counts the data and the SYN. (A FIN without ACK is no longer answered: no state
        // can take a segment without SYN, ACK or RST, so the parser drops it; see TcpImpossibleFlagsTest.)
        int seq = 5_000;
        peer.send(peer.seg().syn().noAck().seq(seq).data("ten bytes!"));
        rst = peer.recvOne();
        assertThat(rst.control()).isEqualTo(Control.RST);
        assertThat(rst.sequence()).isZero();
        assertThat(rst.acknowledgment()).as("SEQ + 10 bytes + SYN").hasValue(seq + 11);
    }

    @Test
    void aSegmentWithAckToAClosedPortDrawsRstWithSeqSegAck() {
        peer.send(peer.seg().ack(123_456).data("stray"));
        peer.expectRst(123_456);
    }

    @Test
    void aRstIsNeverAnsweredWithARst() throws IOException {
        peer.send(peer.seg().rst().noAck());          // closed port
        peer.send(peer.seg().rst().ack(123_456));     // closed port, with ACK
        peer.listening(TcpPeer.LISTEN_PORT);
        peer.send(peer.seg().rst().noAck());          // a listener
        peer.send(peer.seg().rst().ack(123_456));
        peer.expectNothing();
        assertThat(peer.counter("OutRsts")).isZero();
        assertThat(peer.counter("RstsNoConnection")).as("each ignored RST counted").isEqualTo(4);
        assertThat(peer.socketStates()).containsExactly("LISTEN");
    }
}
