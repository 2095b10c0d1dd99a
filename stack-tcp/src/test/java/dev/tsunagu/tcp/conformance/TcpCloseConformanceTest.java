package dev.tsunagu.tcp.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.wire.TcpRepr;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, "Handshake and close", the closing half: listener close, abort and orderly
 * close, FIN retransmission, TIME-WAIT, the orphaned FIN-WAIT-2 timeout, giving up on
 * unacknowledged data, simultaneous close. Times are exact: the virtual clock.
 */
class TcpCloseConformanceTest {
    private static final Duration TWO_MSL = Duration.ofSeconds(60);      // tcp.msl defaults to 30 s
    private static final Duration FIN_WAIT_2 = Duration.ofSeconds(60);   // tcp.finWait2Timeout
    private static final Duration TICK = Duration.ofMillis(1);

    private final TcpPeer peer = TcpPeer.start();

    @AfterEach
    void tearDown() {
        peer.close();
    }

    @Test
    void closingAListenerResetsEveryConnectionNotYetAccepted() throws IOException {
        peer.listening(TcpPeer.LISTEN_PORT);
        TcpPeer accepted = peer.another("10.0.0.11");
        accepted.establishedPassive();
        TcpPeer queued = peer;
        queued.synReceived();
        queued.send(queued.seg()); // handshake complete, waiting in the accept queue
        TcpPeer halfOpen = peer.another("10.0.0.10");
        halfOpen.synReceived();

        peer.listener.close();
        queued.expectRst(queued.rcvNxt);
        halfOpen.expectRst(halfOpen.rcvNxt);
        accepted.expectNothing();
        assertThat(accepted.socket.state()).isEqualTo("ESTABLISHED");
        assertThat(peer.socketStates()).containsExactly("ESTABLISHED");
        accepted.close();
        halfOpen.close();
    }

    @Test
    void abortSendsRstAndDiscardsTheSendBuffer() {
        peer.established();
        peer.send(peer.seg().window(0)); // the data below has to wait in the send buffer
        peer.socket.writeAsync(new byte[1000], 0, 1000);
        peer.expectNothing();

        peer.socket.abort();
        peer.expectRst(peer.rcvNxt);
        peer.send(peer.seg().window(65_535)); // the window opens: nothing of the data may follow
        peer.advance(Duration.ofMinutes(5));
        assertThat(peer.recv()).as("only a RST for our segment to a closed connection")
                .allSatisfy(r -> assertThat(r.control()).isEqualTo(Control.RST))
                .allSatisfy(r -> assertThat(r.payloadLength()).isZero());
        assertThat(peer.socketStates()).isEmpty();
    }

    @Test
    void closeSendsFinAfterTheBufferedData() {
        peer.established();
        peer.send(peer.seg().window(0));
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        peer.socket.writeAsync(data, 0, data.length);
        peer.socket.close();
        peer.expectNothing(); // no FIN overtaking the data

        int first = peer.rcvNxt;
        peer.send(peer.seg().window(65_535));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<TcpRepr> segments = peer.recv();
        TcpRepr last = segments.get(segments.size() - 1);
        for (TcpRepr r : segments) {
            assertThat(r.sequence()).isEqualTo(first + got.size());
            got.writeBytes(r.payload());
            assertThat(r.control() == Control.FIN).as("FIN only on the last: " + r).isEqualTo(r == last);
        }
        assertThat(got.toByteArray()).isEqualTo(data);
        assertThat(last.sequence() + last.payloadLength()).as("FIN's sequence number").isEqualTo(first + 1000);
    }

    @Test
    void theFinIsRetransmittedInClosing() throws IOException {
        peer.closing();
        assertFinRetransmittedWithBackoff();
    }

    @Test
    void theFinIsRetransmittedInLastAck() throws IOException {
        peer.lastAck();
        assertFinRetransmittedWithBackoff();
    }

    private void assertFinRetransmittedWithBackoff() {
        long sentAt = peer.now();
        List<Long> at = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TcpRepr r = peer.awaitSegment(Duration.ofMinutes(1));
            assertThat(r).as("retransmission " + (i + 1)).isNotNull();
            assertThat(r.control()).isEqualTo(Control.FIN);
            assertThat(r.sequence()).isEqualTo(peer.rcvNxt - 1);
            assertThat(r.acknowledgment()).hasValue(peer.sndNxt);
            at.add(peer.now() - sentAt);
        }
        assertThat(at.get(1) - at.get(0)).as("backed off").isEqualTo(2 * at.get(0));
        assertThat(at.get(2) - at.get(1)).as("backed off").isEqualTo(4 * at.get(0));

        peer.send(peer.seg()); // the ACK of the FIN ends it
        peer.advance(TWO_MSL.plus(TICK));
        assertThat(peer.socketStates()).isEmpty();
    }

    @Test
    void timeWaitLastsTwoMslThenTheSocketIsDeleted() throws IOException {
        peer.timeWait();
        peer.advance(TWO_MSL.minus(TICK));
        assertThat(peer.socketStates()).containsExactly("TIME_WAIT");
        peer.advance(TICK);
        assertThat(peer.socketStates()).isEmpty();
        peer.expectNothing();
        assertThat(peer.socket.closeFuture()).isCompleted();
    }

    @Test
    void timeWaitAcknowledgesARetransmittedFinAndStartsAgain() throws IOException {
        peer.timeWait();
        peer.advance(Duration.ofSeconds(30));
        peer.send(peer.seg().fin().seq(peer.sndNxt - 1)); // our FIN again: its ACK was lost
        peer.expectAck();
        peer.advance(TWO_MSL.minus(TICK));
        assertThat(peer.socketStates()).containsExactly("TIME_WAIT");
        peer.advance(TICK);
        assertThat(peer.socketStates()).isEmpty();

        // Deleted: the same ports now reach no connection.
        peer.send(peer.seg().fin().seq(peer.sndNxt - 1));
        peer.expectRst(peer.rcvNxt);
    }

    @Test
    void finWait2TimesOutOnceTheApplicationHasClosed() {
        peer.established();
        peer.socket.close();
        TcpRepr fin = peer.recvOne();
        assertThat(fin.control()).isEqualTo(Control.FIN);
        peer.send(peer.seg());
        assertThat(peer.socketStates()).containsExactly("FIN_WAIT_2");

        peer.advance(FIN_WAIT_2.minus(TICK));
        assertThat(peer.socketStates()).containsExactly("FIN_WAIT_2");
        peer.advance(TICK);
        assertThat(peer.socketStates()).isEmpty();
        peer.expectNothing();
    }

    @Test
    void finWait2TimesOutFromTheMomentTheApplicationCloses() throws IOException {
        peer.finWait2(); // shutdownOutput: the application still holds the socket
        peer.advance(Duration.ofSeconds(30));
        peer.socket.close();
        peer.advance(FIN_WAIT_2.minus(TICK));
        assertThat(peer.socketStates()).containsExactly("FIN_WAIT_2");
        peer.advance(TICK);
        assertThat(peer.socketStates()).isEmpty();
        peer.expectNothing();
    }

    @Test
    void finWait2LastsWhileTheApplicationKeepsTheSocket() throws IOException {
        peer.finWait2(); // shutdownOutput: the application still reads
        peer.advance(FIN_WAIT_2.multipliedBy(10));
        assertThat(peer.socket.state()).isEqualTo("FIN_WAIT_2");

        byte[] buf = new byte[10];
        CompletableFuture<Integer> read = peer.socket.readAsync(buf, 0, buf.length);
        peer.send(peer.seg().data("late"));
        assertThat(read).isCompletedWithValue(4);
    }

    @Test
    void unacknowledgedDataIsRetransmittedWithBackoffThenTheConnectionTimesOut() {
        peer.established();
        byte[] buf = new byte[10];
        CompletableFuture<Integer> read = peer.socket.readAsync(buf, 0, buf.length);
        peer.socket.writeAsync("never acknowledged".getBytes(), 0, 18);
        TcpRepr original = peer.recvOne();
        int seq = original.sequence();
        long sentAt = peer.now();

        List<Long> intervals = new ArrayList<>();
        long last = sentAt;
        TcpRepr r;
        while ((r = peer.awaitSegment(Duration.ofMinutes(10))) != null && r.control() != Control.RST) {
            assertThat(r.sequence()).isEqualTo(seq);
            assertThat(r.payload()).isEqualTo(original.payload());
            intervals.add(peer.now() - last);
            last = peer.now();
        }
        assertThat(intervals).as("tcp.maxRetries retransmissions").hasSize(15);
        long rto = intervals.get(0);
        assertThat(rto).as("the RTO after the handshake's RTT sample (tcp.minRto)").isEqualTo(200_000_000L);
        for (int i = 1; i < intervals.size(); i++) {
            long expected = Math.min(rto << i, Duration.ofSeconds(60).toNanos()); // tcp.maxRto
            assertThat(intervals.get(i)).as("interval %d", i).isEqualTo(expected);
        }

        // One more timeout, and the connection is aborted with a RST.
        assertThat(r).as("RST").isNotNull();
        assertThat(r.sequence()).isEqualTo(peer.rcvNxt);
        assertThat(peer.now() - last).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(read).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SocketTimeoutException.class).withMessageContaining("timed out");
        assertThat(peer.socketStates()).isEmpty();
        assertThat(peer.counter("AbortOnTimeout")).as("the give-up is counted (the simulation names it)").isEqualTo(1);
        assertThat(peer.counter("Timeouts")).isEqualTo(16);
    }

    @Test
    void simultaneousCloseCompletes() throws IOException {
        peer.established();
        byte[] buf = new byte[10];
        CompletableFuture<Integer> read = peer.socket.readAsync(buf, 0, buf.length);
        peer.socket.shutdownOutput();
        TcpRepr fin = peer.recvOne();
        assertThat(fin.control()).isEqualTo(Control.FIN);

        peer.send(peer.seg().fin().ack(fin.sequence())); // our FIN crosses the stack's
        peer.expectAck();
        assertThat(peer.socket.state()).isEqualTo("CLOSING");
        assertThat(read).isCompletedWithValue(-1);

        peer.send(peer.seg()); // the ACK of its FIN
        assertThat(peer.socket.state()).isEqualTo("TIME_WAIT");
        assertThat(peer.socket.closeFuture()).isCompleted();
        peer.advance(TWO_MSL);
        assertThat(peer.socketStates()).isEmpty();
        peer.expectNothing();
    }
}
