package dev.tsunagu.tcp.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.wire.TcpRepr;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, "Handshake and close", the opening half: what the application queues before
 * the handshake is over, SYN retransmission and giving up, simultaneous open.
 *
 * <p>{@code TcpService.connectAsync} hands the application its socket only once the connection
 * is ESTABLISHED, so "queued in SYN-SENT" is, with this API, work chained on the connect future
 * while the SYN is unanswered.
 */
class TcpHandshakeConformanceTest {
    private static final byte[] DATA = "queued while the SYN was out".getBytes(StandardCharsets.US_ASCII);

    private final TcpPeer peer = TcpPeer.start();

    @AfterEach
    void tearDown() {
        peer.close();
    }

    /** The application's "write, then shut down output" queued on a connect still in SYN-SENT. */
    private static CompletableFuture<Void> queueDataAndFin(CompletableFuture<TcpSocket> connecting) {
        return connecting.thenCompose(s -> {
            CompletableFuture<Void> written = s.writeAsync(DATA, 0, DATA.length);
            try {
                s.shutdownOutput();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return written;
        });
    }

    @Test
    void dataAndFinQueuedInSynSentLeaveAfterTheSynAck() {
        peer.synSent();
        CompletableFuture<Void> queued = queueDataAndFin(peer.connecting);
        peer.advance(Duration.ofMillis(500));
        peer.expectNothing(); // nothing but the SYN before the SYN-ACK

        peer.send(peer.seg().syn());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        TcpRepr fin = null;
        for (TcpRepr r : peer.recv()) {
            assertThat(r.acknowledgment()).as("acknowledges our SYN: " + r).hasValue(peer.iss + 1);
            data.writeBytes(r.payload());
            if (r.control() == Control.FIN) {
                fin = r;
            }
        }
        assertThat(data.toByteArray()).isEqualTo(DATA);
        assertThat(fin).as("FIN").isNotNull();
        assertThat(fin.sequence() + fin.payloadLength()).as("the FIN after the data").isEqualTo(peer.irs + 1 + DATA.length);
        assertThat(queued).isCompleted();
        assertThat(peer.connecting.join().state()).isEqualTo("FIN_WAIT_1");
    }

    @Test
    void aRstInSynSentFailsWhatWasQueued() {
        peer.synSent();
        CompletableFuture<Void> queued = queueDataAndFin(peer.connecting);
        peer.send(peer.seg().rst().seq(0).ack(peer.irs + 1));
        assertThat(queued).failsWithin(Duration.ZERO).withThrowableThat().withCauseInstanceOf(ConnectException.class);
        peer.advance(Duration.ofMinutes(5));
        peer.expectNothing();
    }

    @Test
    void aTimeoutInSynSentFailsWhatWasQueued() {
        peer.synSent(TcpSocketOptions.DEFAULT.withConnectTimeout(Duration.ofSeconds(5)));
        CompletableFuture<Void> queued = queueDataAndFin(peer.connecting);
        peer.advance(Duration.ofSeconds(5));
        assertThat(queued).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SocketTimeoutException.class);
        peer.recv(); // the SYN retransmissions
        peer.advance(Duration.ofMinutes(5));
        peer.expectNothing();
        assertThat(peer.socketStates()).isEmpty();
    }

    @Test
    void cancellingTheConnectInSynSentDeletesTheConnectionWithoutASegment() {
        // RFC 9293 3.10.4, CLOSE in SYN-SENT: "Delete the TCB"; nothing is sent (packetdrill's
        // close-on-syn-sent). A SYN-ACK that comes later finds no connection and draws a RST
        // <SEQ=SEG.ACK> (3.10.7.1).
        peer.synSent();
        assertThat(peer.connecting.cancel(false)).isTrue();
        peer.advance(Duration.ofSeconds(10));
        peer.expectNothing(); // no RST, and no SYN retransmission
        assertThat(peer.socketStates()).isEmpty();

        peer.send(peer.seg().syn());
        peer.expectRst(peer.irs + 1);
    }

    @Test
    void theSynIsRetransmittedWithExponentialBackoffUntilTheConnectTimeout() {
        long start = peer.now();
        peer.synSent(); // default connect timeout: 75 s
        int iss = peer.irs;
        List<Duration> retransmittedAt = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TcpRepr syn = peer.awaitSegment(Duration.ofSeconds(60));
            assertThat(syn).isNotNull();
            assertThat(syn.control()).isEqualTo(Control.SYN);
            assertThat(syn.sequence()).isEqualTo(iss);
            retransmittedAt.add(Duration.ofNanos(peer.now() - start));
        }
        // RTO 1 s, doubled each time (RFC 6298 5.5).
        assertThat(retransmittedAt).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(3),
                Duration.ofSeconds(7), Duration.ofSeconds(15), Duration.ofSeconds(31), Duration.ofSeconds(63));

        assertThat(peer.loop.runUntil(peer.connecting::isDone, Duration.ofMinutes(5))).isTrue();
        assertThat(Duration.ofNanos(peer.now() - start)).isEqualTo(Duration.ofSeconds(75));
        assertThat(peer.connecting).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SocketTimeoutException.class).withMessageContaining("timed out");
        peer.advance(Duration.ofMinutes(5));
        peer.expectNothing();
        assertThat(peer.socketStates()).isEmpty();
    }

    @Test
    void connectGivesUpWithATimeoutErrorAfterTheSynRetries() {
        long start = peer.now();
        peer.synSent(TcpSocketOptions.DEFAULT.withConnectTimeout(Duration.ofHours(1)));
        int iss = peer.irs;
        assertThat(peer.loop.runUntil(peer.connecting::isDone, Duration.ofMinutes(10))).isTrue();
        Duration gaveUpAt = Duration.ofNanos(peer.now() - start);

        List<TcpRepr> retransmissions = peer.recv();
        assertThat(retransmissions).as("tcp.synRetries (6) retransmissions of the SYN").hasSize(6)
                .allSatisfy(r -> {
                    assertThat(r.control()).isEqualTo(Control.SYN);
                    assertThat(r.sequence()).isEqualTo(iss);
                });
        // The last SYN left at 63 s; the next timeout (64 s, capped at tcp.maxRto = 60 s) gives up.
        assertThat(gaveUpAt).isEqualTo(Duration.ofSeconds(123));
        assertThat(peer.connecting).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(SocketTimeoutException.class).withMessageContaining("timed out");
        assertThat(peer.socketStates()).isEmpty();
        assertThat(peer.counter("AttemptFails")).isEqualTo(1);
        assertThat(peer.counter("HandshakeTimeouts")).as("the give-up is counted (the simulation names it)").isEqualTo(1);
        peer.advance(Duration.ofMinutes(5));
        peer.expectNothing();
    }

    @Test
    void simultaneousOpenCompletes() {
        peer.synSent();
        // Our SYN crosses the stack's: each side answers the other's SYN with SYN-ACK (RFC 9293 figure 8).
        peer.send(peer.seg().syn().noAck());
        TcpRepr synAck = peer.recvOne();
        assertThat(synAck.control()).isEqualTo(Control.SYN);
        assertThat(synAck.sequence()).isEqualTo(peer.irs);
        assertThat(synAck.acknowledgment()).hasValue(peer.iss + 1);

        peer.send(peer.seg().syn().seq(peer.iss)); // our SYN-ACK
        peer.recv();                               // the stack may acknowledge it
        peer.send(peer.seg());                     // our ACK of its SYN-ACK
        assertThat(peer.connecting).isCompleted();
        TcpSocket s = peer.connecting.join();
        assertThat(s.state()).isEqualTo("ESTABLISHED");

        // And it carries data both ways.
        s.writeAsync(DATA, 0, DATA.length);
        TcpRepr data = peer.recvOne();
        assertThat(data.payload()).isEqualTo(DATA);
        assertThat(data.sequence()).isEqualTo(peer.irs + 1);
        byte[] buf = new byte[10];
        CompletableFuture<Integer> read = s.readAsync(buf, 0, buf.length);
        peer.send(peer.seg().data("hi"));
        assertThat(read).isCompletedWithValue(2);
    }
}
