package dev.tsunagu.tcp.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.tcp.TcpPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CONFORMANCE.md, "TCP acceptance and resets": which segments a synchronized connection
 * accepts (RFC 9293 3.10.7.4, first and fifth steps; RFC 5961 5.2), what it answers to the
 * others, and how often (the per-connection limit {@code tcp.invalidAckInterval}, 500 ms).
 */
class TcpAcceptanceConformanceTest {
    private static final Duration RATE_LIMIT = Duration.ofMillis(500);

    private final TcpPeer peer = TcpPeer.start();

    @AfterEach
    void tearDown() {
        peer.close();
    }

    @ParameterizedTest
    @EnumSource(SynchronizedState.class)
    void anOutOfWindowSegmentDrawsABareAckAndASecondWithinTheRateLimitDoesNot(SynchronizedState state) throws IOException {
        state.drive(peer);

        peer.send(peer.seg().seq(peer.sndNxt + 100_000)); // beyond the right edge
        peer.expectAck();
        peer.advance(Duration.ofMillis(100));
        peer.send(peer.seg().seq(peer.sndNxt - 100_000)); // before RCV.NXT
        peer.expectNothing();
        assertThat(peer.counter("AckRateLimited")).isEqualTo(1);

        peer.advance(RATE_LIMIT.minusMillis(100));
        peer.recv(); // a FIN retransmission, in the states that have one outstanding
        peer.send(peer.seg().seq(peer.sndNxt + 100_000));
        peer.expectAck();
        assertThat(peer.socket.state()).isEqualTo(state.name());
    }

    @ParameterizedTest
    @EnumSource(SynchronizedState.class)
    void anUnacceptableAckDrawsABareAckAndASecondWithinTheRateLimitDoesNot(SynchronizedState state) throws IOException {
        state.drive(peer);

        // In window, but acknowledging data the stack never sent (RFC 5961 5.2: SEG.ACK > SND.NXT) ...
        peer.send(peer.seg().ack(peer.rcvNxt + 100_000));
        peer.expectAck();
        // ... or older than SND.UNA - MAX.SND.WND.
        peer.advance(Duration.ofMillis(100));
        peer.send(peer.seg().ack(peer.rcvNxt - 200_000));
        peer.expectNothing();
        assertThat(peer.counter("AckRateLimited")).isEqualTo(1);

        peer.advance(RATE_LIMIT.minusMillis(100));
        peer.recv();
        peer.send(peer.seg().ack(peer.rcvNxt - 200_000));
        peer.expectAck();
        assertThat(peer.counter("BadAcks")).isEqualTo(3);
        assertThat(peer.socket.state()).isEqualTo(state.name());
    }

    @Test
    void theWindowsEdgesForASegmentWithoutData() {
        peer.established();
        int end = peer.stackWindowEnd; // RCV.NXT + RCV.WND
        peer.send(peer.seg().seq(end - 1));
        peer.expectNothing(); // in the window: an acceptable (duplicate) ACK
        peer.send(peer.seg().seq(end));
        peer.expectAck();     // just past it
        peer.send(peer.seg().seq(peer.sndNxt - 1));
        peer.expectNothing(); // just before RCV.NXT, but within the rate limit
        peer.advance(Duration.ofMillis(500));
        peer.send(peer.seg().seq(peer.sndNxt - 1));
        peer.expectAck();
    }

    @Test
    void outOfWindowDataIsAnsweredEveryTimeWithoutTheRateLimit() {
        peer.established();
        peer.send(peer.seg().seq(peer.sndNxt - 1000).data("old data"));
        peer.expectAck();
        peer.send(peer.seg().seq(peer.sndNxt - 1000).data("old data"));
        peer.expectAck();
        peer.send(peer.seg().seq(peer.sndNxt + 100_000).data("from the future"));
        peer.expectAck();
        assertThat(peer.counter("AckRateLimited")).isZero();
    }

    @Test
    void aSegmentWithoutTheAckBitInASynchronizedStateIsDroppedWithItsData() {
        peer.established();
        byte[] buf = new byte[100];
        CompletableFuture<Integer> read = peer.socket.readAsync(buf, 0, buf.length);

        int seq = peer.sndNxt;
        peer.send(peer.seg().noAck().psh().data("hello"));
        peer.advance(Duration.ofSeconds(1));
        peer.expectNothing(); // not even a delayed ACK: the text was never taken
        assertThat(read).isNotDone();
        // Neither SYN, ACK nor RST: the parser refuses it before the state machine's fifth step
        // would (TcpImpossibleFlagsTest), under its own counter.
        assertThat(peer.counter("DropNoControl")).isEqualTo(1);

        // The same bytes with the ACK bit are accepted: nothing of the first copy was kept.
        peer.send(peer.seg().seq(seq).data("hello"));
        assertThat(read).isCompletedWithValue(5);
        assertThat(new String(buf, 0, 5)).isEqualTo("hello");
    }

    @Test
    void aSegmentWithABadChecksumIsDroppedSilentlyAndCounted() throws IOException {
        peer.listening(TcpPeer.LISTEN_PORT);
        peer.sendWithBadChecksum(peer.seg().syn().noAck());
        peer.expectNothing(); // no SYN-ACK
        assertThat(peer.socketStates()).containsExactly("LISTEN");

        peer.stackPort = 81; // a closed port: no RST either
        peer.sendWithBadChecksum(peer.seg().syn().noAck());
        peer.expectNothing();
        assertThat(peer.counter("InCsumErrors")).isEqualTo(2);
        assertThat(peer.counter("OutRsts")).isZero();

        // The same SYN intact is answered.
        peer.stackPort = TcpPeer.LISTEN_PORT;
        peer.synReceived();
    }
}
