package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CONFORMANCE.md, Data path: segments are cut at the peer's MSS (and never larger than our
 * MTU allows); a peer MSS of 536 is respected; the SYN's window is never scaled.
 */
class TcpDataSegmentSizeTest {
    private static final TcpSocketOptions OPTIONS = TcpSocketOptions.DEFAULT;

    /** Payloads in order, contiguous from the stack's first data byte; returns them joined. */
    private static byte[] stream(TcpPeer peer, List<Seen> segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int expected = peer.stackData;
        for (Seen s : segments) {
            assertThat(s.seq()).as("contiguous: %s", s).isEqualTo(expected);
            out.writeBytes(s.payload());
            expected += s.length();
        }
        return out.toByteArray();
    }

    @Test
    void segmentsAreCutAtThePeersMss() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(OPTIONS, 1000, -1, 65535, Duration.ZERO);
            byte[] data = bytes(3500, 1);
            s.write(data);
            List<Seen> first = peer.takeNow();
            // Three full segments; Nagle holds the 500-byte tail while they are in flight.
            assertThat(first).extracting(Seen::length).containsExactly(1000, 1000, 1000);
            peer.sendAck(peer.stackData + 3000, 65535);
            List<Seen> rest = peer.takeNow();
            assertThat(rest).extracting(Seen::length).containsExactly(500);
            assertThat(stream(peer, concat(first, rest))).isEqualTo(data);
        }
    }

    @Test
    void aPeerMssOf536IsRespected() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(OPTIONS, 536, -1, 65535, Duration.ZERO);
            byte[] data = bytes(2000, 2);
            s.write(data);
            s.flush();
            List<Seen> sent = peer.takeNow();
            assertThat(sent).extracting(Seen::length).containsExactly(536, 536, 536, 392);
            assertThat(stream(peer, sent)).isEqualTo(data);
        }
    }

    @Test
    void aPeerWithoutAnMssOptionGets536() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            TcpSocket s = peer.stackConnects(OPTIONS, 0, -1, 65535, Duration.ZERO);
            byte[] data = bytes(1200, 3);
            s.write(data);
            s.flush();
            List<Seen> sent = peer.takeNow();
            assertThat(sent).extracting(Seen::length).containsExactly(536, 536, 128);
            assertThat(stream(peer, sent)).isEqualTo(data);
        }
    }

    @Test
    void segmentsAreNeverLargerThanOurMtuAllowsEvenIfThePeersMssIsLarger() throws Exception {
        try (TcpPeer peer = TcpPeer.start(1000, h -> h)) {
            TcpSocket s = peer.stackConnects(OPTIONS, 1460, -1, 65535, Duration.ZERO);
            assertThat(peer.lastSyn.tcp().mss()).as("our MSS is MTU - 40").isEqualTo(960);
            byte[] data = bytes(3000, 4);
            s.write(data);
            s.flush();
            List<Seen> sent = peer.takeNow();
            assertThat(sent).extracting(Seen::length).containsExactly(960, 960, 960, 120);
            assertThat(sent).allSatisfy(x -> assertThat(x.ipTotalLength()).isLessThanOrEqualTo(1000));
            assertThat(stream(peer, sent)).isEqualTo(data);
        }
    }

    @Test
    void theSynWindowIsNeverScaledEvenWithAOneMebibyteBuffer() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            peer.stackConnects(OPTIONS.withReceiveBuffer(1 << 20), 1460, 7, 65535, Duration.ZERO);
            Seen syn = peer.lastSyn;
            assertThat(syn.window()).as("SYN window = min(buffer, 65535), unscaled").isEqualTo(65535);
            assertThat(syn.tcp().windowScale()).as("the shift rides in the option").isEqualTo(5);
            // After the handshake the window is scaled: 1 MiB >> 5.
            assertThat(peer.lastHandshakeAck.window()).isEqualTo((1 << 20) >> 5);
        }
    }

    @Test
    void theSynAckWindowIsNeverScaledEither() {
        try (TcpPeer peer = TcpPeer.start()) {
            peer.peerConnects(OPTIONS.withReceiveBuffer(1 << 20), 1460, 2, 65535);
            Seen synAck = peer.lastSynAck;
            assertThat(synAck.window()).isEqualTo(65535);
            assertThat(synAck.tcp().windowScale()).isEqualTo(5);
        }
    }

    @Test
    void aSynWindowSmallerThan65535IsTheBufferItself() throws Exception {
        try (TcpPeer peer = TcpPeer.start()) {
            peer.stackConnects(OPTIONS.withReceiveBuffer(20_000), 1460, -1, 65535, Duration.ZERO);
            assertThat(peer.lastSyn.window()).isEqualTo(20_000);
            assertThat(peer.lastHandshakeAck.window()).as("the peer offered no scaling").isEqualTo(20_000);
        }
    }

    private static List<Seen> concat(List<Seen> a, List<Seen> b) {
        List<Seen> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
