package dev.tsunagu.tcp.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.tcp.TcpLayer;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import dev.tsunagu.testkit.wire.TcpOptions;
import dev.tsunagu.testkit.wire.TcpRepr;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 4987 3.6, SYN cookies: a listener whose SYN queue is full answers a SYN with a SYN-ACK
 * whose sequence number is a cookie and keeps nothing; the ACK that returns a valid cookie makes
 * the connection, with the MSS the cookie carried and, when the SYN had timestamps, the window
 * scale and SACK-permitted the echoed TSval carried. A forged, misdirected or stale cookie is
 * dropped and counted. The SYN queue here holds one half-open connection ({@code tcp.synQueue} 1),
 * which another host's unanswered handshake fills.
 */
class TcpSynCookieTest {
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int ECE = 0x40;
    private static final int CWR = 0x80;
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    private final TcpPeer peer = TcpPeer.start(h -> h.option(dev.tsunagu.tcp.TcpOptions.SYN_QUEUE, 1));

    @AfterEach
    void tearDown() {
        peer.close();
    }

    /** Another host's handshake, left half-open: the SYN queue is full from now on. */
    private TcpPeer fillSynQueue(String address) throws IOException {
        if (peer.listener == null) {
            peer.listening(TcpPeer.LISTEN_PORT);
        }
        TcpPeer other = peer.another(address);
        other.synReceived();
        return other;
    }

    /** Our SYN (MSS {@code mss}, no other option) and the cookie SYN-ACK it draws. */
    private TcpRepr synAndCookie(int mss) {
        peer.sndNxt = peer.iss;
        peer.send(peer.seg().syn().noAck().mss(mss));
        TcpRepr synAck = peer.recvOne();
        assertThat(synAck.control()).as("SYN-ACK %s", synAck).isEqualTo(Control.SYN);
        assertThat(synAck.acknowledgment()).hasValue(peer.iss + 1);
        return synAck;
    }

    private long connections() {
        return peer.stack.service(TcpLayer.class).orElseThrow().connectionCount();
    }

    private SocketInfo row(int remotePort) {
        return peer.stack.sockets().stream()
                .filter(r -> r.remote() != null && r.remote().getPort() == remotePort
                        && r.remote().getAddress().getHostAddress().equals(TcpPeer.PEER_ADDRESS))
                .findFirst().orElseThrow();
    }

    @Test
    void aFullSynQueueAnswersWithCookiesAndKeepsNothingPerSyn() throws IOException {
        fillSynQueue("10.0.0.7");
        List<String> before = peer.socketStates();
        long connectionsBefore = connections();
        for (int i = 0; i < 1000; i++) {
            peer.port = 1024 + i;
            peer.send(peer.seg().syn().noAck().seq(peer.iss + i).mss(1460));
            TcpRepr synAck = peer.recvOne();
            assertThat(synAck.control()).isEqualTo(Control.SYN);
            assertThat(synAck.acknowledgment()).hasValue(peer.iss + i + 1);
        }
        assertThat(peer.counter("SynQueueOverflows")).isEqualTo(1000);
        assertThat(peer.counter("SyncookiesSent")).isEqualTo(1000);
        assertThat(peer.socketStates()).as("no socket per cookie SYN").isEqualTo(before);
        assertThat(connections()).as("no control block per cookie SYN").isEqualTo(connectionsBefore);
    }

    @Test
    void aValidCookieMakesAConnectionThatCarriesDataAtTheCookiesMss() throws IOException {
        fillSynQueue("10.0.0.7");
        TcpRepr synAck = synAndCookie(1400);
        assertThat(synAck.mss()).as("our own MSS offered, as in any SYN-ACK").isEqualTo(1460);
        assertThat(synAck.windowScale()).as("no timestamps: nowhere to keep the peer's scale").isEqualTo(-1);
        assertThat(synAck.sackPermitted()).isFalse();
        assertThat(peer.counter("SyncookiesSent")).isEqualTo(1);

        CompletableFuture<TcpSocket> accepted = peer.listener.acceptAsync();
        peer.send(peer.seg().data(HELLO)); // the ACK of the SYN-ACK, with data
        assertThat(peer.counter("SyncookiesRecv")).isEqualTo(1);
        assertThat(accepted).as("the cookie's connection is accepted").isDone();
        TcpSocket s = accepted.join();
        assertThat(s.state()).isEqualTo("ESTABLISHED");
        byte[] buf = new byte[16];
        assertThat(s.readAsync(buf, 0, buf.length)).isCompletedWithValue(HELLO.length);
        assertThat(row(TcpPeer.PEER_PORT).details()).containsEntry("mss", "1360").containsEntry("opts", "-");

        s.writeAsync(TcpPeer.bytes(4000, 1), 0, 4000);
        List<TcpRepr> data = peer.recv().stream().filter(r -> r.payloadLength() > 0).toList();
        assertThat(data).isNotEmpty().allSatisfy(r -> assertThat(r.payloadLength()).isLessThanOrEqualTo(1360));
        assertThat(data.get(0).payloadLength()).as("the table's largest MSS not above the peer's 1400").isEqualTo(1360);
        assertThat(data.get(0).sequence()).isEqualTo(synAck.sequence() + 1);
    }

    @Test
    void withTimestampsTheCookieCarriesWindowScaleAndSackPermittedInTheTsval() throws IOException {
        fillSynQueue("10.0.0.7");
        peer.sendWithOptions(peer.iss, SYN, new TcpOptions(1460, 7, true, true, 1000, 0, new int[0]), new byte[0]);
        peer.sndNxt = peer.iss + 1;
        Seen synAck = peer.next(Duration.ZERO);
        TcpOptions o = synAck.options();
        assertThat(o.windowScale()).as("our scale, since the peer offered one").isGreaterThanOrEqualTo(0);
        assertThat(o.sackPermitted()).isTrue();
        assertThat(o.timestamps()).isTrue();
        assertThat(o.tsEcho()).isEqualTo(1000);
        assertThat(o.tsValue() & 0x3F).as("TSval low bits: the peer's shift 7, SACK-permitted").isEqualTo(7 | 0x10);

        CompletableFuture<TcpSocket> accepted = peer.listener.acceptAsync();
        peer.ack = synAck.seq() + 1;
        peer.window = 20; // 2,560 bytes at the peer's shift of 7; 20 if the shift were lost
        peer.sendWithOptions(peer.sndNxt, ACK, TcpOptions.timestamps(1001, o.tsValue()), new byte[0]);
        assertThat(accepted).isDone();
        assertThat(row(TcpPeer.PEER_PORT).details()).containsEntry("mss", Integer.toString(1460 - 12))
                .containsEntry("opts", "sack,ts");

        TcpSocket s = accepted.join();
        s.writeAsync(TcpPeer.bytes(30_000, 2), 0, 30_000);
        int sent = peer.takeNow().stream().mapToInt(Seen::length).sum();
        assertThat(sent).as("the window was read with the cookie's shift").isGreaterThanOrEqualTo(1448).isLessThanOrEqualTo(2560);
    }

    /** RFC 3168 6.1.1 with a cookie: ECN granted rides in the TSval's bit 5, as Linux keeps it; without timestamps, none. */
    @Test
    void anEcnSetupSynGetsEcnFromACookieOnlyWithTimestamps() throws IOException {
        fillSynQueue("10.0.0.7");
        peer.sendWithOptions(peer.iss, SYN | ECE | CWR, new TcpOptions(1460, -1, false, true, 1000, 0, new int[0]),
                new byte[0]);
        peer.sndNxt = peer.iss + 1;
        Seen synAck = peer.next(Duration.ZERO);
        assertThat(synAck.has(ECE)).as("an ECN-setup SYN-ACK").isTrue();
        assertThat(synAck.has(CWR)).isFalse();
        assertThat(synAck.options().tsValue() & 0x20).as("ECN granted, kept in the TSval").isEqualTo(0x20);
        CompletableFuture<TcpSocket> accepted = peer.listener.acceptAsync();
        peer.ack = synAck.seq() + 1;
        peer.sendWithOptions(peer.sndNxt, ACK, TcpOptions.timestamps(1001, synAck.options().tsValue()), new byte[0]);
        assertThat(row(TcpPeer.PEER_PORT).details().get("opts")).isEqualTo("ts,ecn");
        TcpSocket s = accepted.join();
        s.writeAsync(HELLO, 0, HELLO.length);
        assertThat(peer.takeNow()).singleElement().satisfies(d -> assertThat(d.ecn()).as("ECT(0)").isEqualTo(2));

        peer.port = TcpPeer.PEER_PORT + 1; // no timestamps: nowhere to keep the grant, so none is made
        peer.sendWithOptions(peer.iss, SYN | ECE | CWR, TcpOptions.syn(1460, -1, false), new byte[0]);
        Seen plain = peer.next(Duration.ZERO);
        assertThat(plain.tcp().control()).isEqualTo(Control.SYN);
        assertThat(plain.flags() & (ECE | CWR)).isZero();
    }

    @Test
    void aForgedCookieIsDroppedAndCounted() throws IOException {
        fillSynQueue("10.0.0.7");
        TcpRepr synAck = synAndCookie(1460);
        peer.send(peer.seg().ack(synAck.sequence() + 1 + 0x1234).data(HELLO));
        peer.expectNothing(); // no RST either: guesses draw nothing back
        assertThat(peer.counter("SyncookiesFailed")).isEqualTo(1);
        assertThat(peer.counter("SyncookiesRecv")).isZero();
        assertThat(peer.socketStates()).containsExactlyInAnyOrder("LISTEN", "SYN_RECEIVED");
    }

    @Test
    void aCookieIsValidOnlyForItsOwnFourTupleAndPeerIsn() throws IOException {
        fillSynQueue("10.0.0.7");
        TcpRepr synAck = synAndCookie(1460);
        peer.port = TcpPeer.PEER_PORT + 1; // another port returns it
        peer.send(peer.seg().ack(synAck.sequence() + 1));
        peer.port = TcpPeer.PEER_PORT;      // the right port, another sequence number than the SYN's + 1
        peer.send(peer.seg().seq(peer.iss + 100).ack(synAck.sequence() + 1));
        peer.expectNothing();
        assertThat(peer.counter("SyncookiesFailed")).isEqualTo(2);
        assertThat(peer.socketStates()).containsExactlyInAnyOrder("LISTEN", "SYN_RECEIVED");
    }

    @Test
    void aStaleCookieIsDroppedAndCounted() throws IOException {
        fillSynQueue("10.0.0.7");
        TcpRepr synAck = synAndCookie(1460);
        // Three cookie ticks (64 s each) later the cookie is stale. The first half-open handshake
        // has given up by then; another fills the queue and a SYN overflows it again, so the
        // listener still expects cookies to come back.
        peer.advance(Duration.ofSeconds(3 * 64));
        fillSynQueue("10.0.0.8");
        TcpPeer third = peer.another("10.0.0.6");
        third.send(third.seg().syn().noAck());
        assertThat(third.recvOne().control()).isEqualTo(Control.SYN);
        peer.recv();

        peer.send(peer.seg().ack(synAck.sequence() + 1).data(HELLO));
        peer.expectNothing();
        assertThat(peer.counter("SyncookiesFailed")).isEqualTo(1);
        assertThat(peer.counter("SyncookiesRecv")).isZero();
    }

    @Test
    void aCookieIsStillHonouredWithinItsLifetime() throws IOException {
        fillSynQueue("10.0.0.7");
        TcpRepr synAck = synAndCookie(1460);
        CompletableFuture<TcpSocket> accepted = peer.listener.acceptAsync();
        peer.advance(Duration.ofSeconds(100)); // within the 2-tick age limit from any phase of the tick
        peer.recv();
        peer.send(peer.seg().ack(synAck.sequence() + 1).data(HELLO));
        assertThat(peer.counter("SyncookiesRecv")).isEqualTo(1);
        assertThat(accepted).isDone();
    }

    @Test
    void aCookieReturningToAFullAcceptQueueIsDroppedUntilThereIsRoom() throws IOException {
        peer.listener = peer.stack.tcp().listen(TcpPeer.LISTEN_PORT, 1, TcpSocketOptions.DEFAULT);
        TcpPeer first = fillSynQueue("10.0.0.7");
        TcpRepr synAck = synAndCookie(1460);
        first.send(first.seg()); // the first handshake completes: the accept queue (backlog 1) is full
        assertThat(peer.socketStates()).containsExactlyInAnyOrder("LISTEN", "ESTABLISHED");

        peer.send(peer.seg().ack(synAck.sequence() + 1).data(HELLO));
        assertThat(peer.counter("ListenOverflows")).isEqualTo(1);
        assertThat(peer.counter("SyncookiesRecv")).isZero();
        assertThat(peer.socketStates()).containsExactlyInAnyOrder("LISTEN", "ESTABLISHED");

        assertThat(peer.listener.acceptAsync()).isDone(); // the application makes room
        peer.send(peer.seg().seq(peer.iss + 1).ack(synAck.sequence() + 1).data(HELLO)); // the data again
        assertThat(peer.counter("SyncookiesRecv")).isEqualTo(1);
        assertThat(peer.listener.acceptAsync()).isDone();
    }

    @Test
    void aCookieAnsweredAfterTheRetransmittedSynMadeAChildStillWins() throws IOException {
        TcpPeer other = fillSynQueue("10.0.0.7");
        TcpRepr cookieSynAck = synAndCookie(1460);
        other.send(other.seg()); // the other handshake completes: the SYN queue has room again
        peer.sndNxt = peer.iss;
        peer.send(peer.seg().syn().noAck().mss(1460)); // our SYN again (its SYN-ACK was slow)
        TcpRepr childSynAck = peer.recvOne();
        assertThat(childSynAck.sequence()).as("a kept child has an RFC 6528 ISN, not the cookie")
                .isNotEqualTo(cookieSynAck.sequence());

        // We answer the cookie's SYN-ACK, which came first: the child gives way, no RST.
        peer.send(peer.seg().ack(cookieSynAck.sequence() + 1).data(HELLO));
        assertThat(peer.counter("SyncookiesRecv")).isEqualTo(1);
        assertThat(peer.counter("OutRsts")).isZero();
        assertThat(peer.listener.acceptAsync()).isDone(); // the other host's
        TcpSocket s = peer.listener.acceptAsync().getNow(null);
        assertThat(s).isNotNull();
        byte[] buf = new byte[16];
        assertThat(s.readAsync(buf, 0, buf.length)).isCompletedWithValue(HELLO.length);
        assertThat(peer.socketStates()).containsExactlyInAnyOrder("LISTEN", "ESTABLISHED", "ESTABLISHED");
    }

    @Test
    void anAckAtAListenerThatNeverOverflowedStillDrawsARst() throws IOException {
        peer.listening(TcpPeer.LISTEN_PORT);
        peer.send(peer.seg().ack(12345));
        peer.expectRst(12345);
        assertThat(peer.counter("SyncookiesFailed")).isZero();
    }
}
