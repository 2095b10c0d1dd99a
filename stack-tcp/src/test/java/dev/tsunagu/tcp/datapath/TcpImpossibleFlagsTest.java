package dev.tsunagu.tcp.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.wire.TcpOptions;
import dev.tsunagu.testkit.wire.TcpRepr;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Segments whose flags no state can take are refused by the parser before any socket sees
 * them: dropped without an answer, nothing changed, and counted per reason (SYN+FIN, SYN+RST,
 * FIN+RST, none of SYN/ACK/RST). Linux drops them the same way; before, a SYN+FIN opened a
 * connection here.
 */
class TcpImpossibleFlagsTest {
    private static final int FIN = TcpRepr.FIN;
    private static final int SYN = TcpRepr.SYN;
    private static final int RST = TcpRepr.RST;
    private static final int PSH = TcpRepr.PSH;
    private static final int ACK = TcpRepr.ACK;
    private static final int URG = TcpRepr.URG;
    private static final int CLOSED_PORT = 9999;

    private static long counter(TcpPeer peer, String name) {
        return peer.stack.statistics().get("tcp", name);
    }

    private static List<String> states(TcpPeer peer) {
        return peer.stack.sockets().stream().filter(i -> i.protocol().equals("TCP")).map(SocketInfo::state).toList();
    }

    /** Sends a bare segment with {@code flags} to {@code port}, at {@link TcpPeer#sndNxt}. */
    private static void send(TcpPeer peer, int port, int flags) {
        peer.stackPort = port;
        peer.sendWithOptions(peer.sndNxt, flags, TcpOptions.NONE, new byte[0]);
    }

    /** A listener, and what the stack's table holds then. */
    private static TcpPeer listening() throws Exception {
        TcpPeer peer = TcpPeer.start();
        peer.stack.tcp().listen(TcpPeer.LISTEN_PORT, 8, TcpSocketOptions.DEFAULT);
        assertThat(states(peer)).containsExactly("LISTEN");
        return peer;
    }

    private static void assertDroppedUnanswered(TcpPeer peer, String counter) {
        assertThat(peer.takeFor(Duration.ofSeconds(3))).as("no answer, not even later").isEmpty();
        assertThat(counter(peer, counter)).as(counter).isEqualTo(1);
        assertThat(counter(peer, "InErrs")).isEqualTo(1);
    }

    @Test
    void aSynFinAtAListenerOpensNothing() throws Exception {
        try (TcpPeer peer = listening()) {
            send(peer, TcpPeer.LISTEN_PORT, SYN | FIN);
            assertDroppedUnanswered(peer, "DropSynFin");
            assertThat(states(peer)).as("no child in SYN-RECEIVED").containsExactly("LISTEN");
            assertThat(counter(peer, "PassiveOpens")).isZero();
        }
    }

    @Test
    void aSynRstAtAListenerOpensNothing() throws Exception {
        try (TcpPeer peer = listening()) {
            send(peer, TcpPeer.LISTEN_PORT, SYN | RST);
            assertDroppedUnanswered(peer, "DropSynRst");
            assertThat(states(peer)).containsExactly("LISTEN");
        }
    }

    @Test
    void aSynFinInAnEstablishedConnectionDrawsNoChallengeAck() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            send(peer, TcpPeer.LISTEN_PORT, SYN | FIN | ACK);
            assertDroppedUnanswered(peer, "DropSynFin");
            assertThat(counter(peer, "ChallengeAcks")).isZero();
            assertThat(s.state()).isEqualTo("ESTABLISHED");
        }
    }

    @Test
    void aFinRstInWindowResetsNothing() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            send(peer, TcpPeer.LISTEN_PORT, FIN | RST | ACK);
            assertDroppedUnanswered(peer, "DropFinRst");
            assertThat(counter(peer, "InRsts")).isZero();
            assertThat(s.state()).as("neither reset nor half-closed").isEqualTo("ESTABLISHED");
        }
    }

    /** The null scan (no flags), the FIN, PSH and URG scans, and the Xmas scan (FIN, PSH, URG). */
    @ParameterizedTest(name = "flags 0x{0}")
    @ValueSource(ints = {0, 0x01, 0x08, 0x20, 0x29})
    void noneOfSynAckRstAtAClosedPortDrawsNoReset(int flags) {
        try (TcpPeer peer = TcpPeer.start()) {
            send(peer, CLOSED_PORT, flags);
            assertDroppedUnanswered(peer, "DropNoControl");
            assertThat(counter(peer, "OutRsts")).isZero();
        }
    }

    @ParameterizedTest(name = "flags 0x{0}")
    @ValueSource(ints = {0, 0x01, 0x08, 0x20, 0x29})
    void noneOfSynAckRstAtAListenerIsDropped(int flags) throws Exception {
        try (TcpPeer peer = listening()) {
            send(peer, TcpPeer.LISTEN_PORT, flags);
            assertDroppedUnanswered(peer, "DropNoControl");
            assertThat(states(peer)).containsExactly("LISTEN");
        }
    }

    @Test
    void aFinWithoutAckInWindowDoesNotHalfClose() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            send(peer, TcpPeer.LISTEN_PORT, FIN | PSH | URG);
            assertDroppedUnanswered(peer, "DropNoControl");
            assertThat(s.state()).as("no CLOSE-WAIT").isEqualTo("ESTABLISHED");
            assertThat(counter(peer, "DropNoAck")).as("refused before the state machine").isZero();
        }
    }
}
