package dev.tsunagu.tcp.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.Ipv4Service;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Path MTU discovery as TCP does it (RFC 1191 6.4 with RFC 5927's checks): every segment has DF;
 * a "fragmentation needed" that quotes a segment in flight lowers the path MTU (for the whole
 * host: the IP layer's cache) and the connection's MSS, and what was in flight goes again at
 * once at the new size; one quoting anything else, or reporting no lower MTU, changes nothing;
 * a report below the plausible floor is taken as the floor.
 */
class TcpPathMtuTest {
    private final TcpPeer peer = TcpPeer.start();
    private final int stackIp = Craft.ip(TcpPeer.STACK_ADDRESS);
    private final int peerIp = Craft.ip(TcpPeer.PEER_ADDRESS);

    @AfterEach
    void tearDown() {
        peer.close();
    }

    /** A router's "fragmentation needed" (type 3 code 4) reporting {@code mtu}, quoting our segment at {@code seq}. */
    private void fragmentationNeeded(int mtu, int seq) {
        byte[] tcpStart = ByteBuffer.allocate(8).putShort((short) peer.stackPort).putShort((short) peer.port)
                .putInt(seq).array();
        byte[] quoted = Craft.ipv4(stackIp, peerIp, 6, 64, 1, 0x4000, new byte[0], tcpStart);
        byte[] icmp = Craft.icmp(3, 4, mtu & 0xFFFF, quoted);
        peer.raw.sendIp(peer.stack, Craft.ipv4(Craft.ip("10.0.0.1"), stackIp, 1, icmp));
        peer.loop.runUntilIdle();
    }

    private TcpSocket establishedWithDataInFlight(int bytes) {
        TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT); // MSS 1460 both ways, no timestamps
        s.writeAsync(TcpPeer.bytes(bytes, 5), 0, bytes);
        return s;
    }

    private String mss() {
        return peer.stack.sockets().stream().filter(r -> r.state().equals("ESTABLISHED")).findFirst().orElseThrow()
                .details().get("mss");
    }

    private int pathMtu() {
        Ipv4Service ip = peer.stack.service(Ipv4Service.class).orElseThrow();
        return peer.loop.call(() -> ip.mtuFor(peerIp));
    }

    @Test
    void everySegmentCarriesDontFragment() {
        establishedWithDataInFlight(3000);
        List<Seen> sent = peer.takeNow();
        assertThat(sent).isNotEmpty();
        assertThat(peer.log).allSatisfy(seen -> assertThat(seen.ipDontFragment()).as("DF on %s", seen).isTrue());
    }

    @Test
    void aCheckedFragmentationNeededLowersTheMssAndResendsTheFlightAtOnce() {
        establishedWithDataInFlight(6000);
        List<Seen> first = peer.takeNow();
        int una = first.get(0).seq();
        assertThat(first.get(0).length()).isEqualTo(1460);
        assertThat(mss()).isEqualTo("1460");

        fragmentationNeeded(1280, una); // the router dropped our first segment
        assertThat(peer.counter("PmtuReductions")).isEqualTo(1);
        assertThat(mss()).isEqualTo(Integer.toString(1280 - 40));
        assertThat(pathMtu()).as("the IP layer learnt it for every connection to the peer").isEqualTo(1280);
        List<Seen> again = peer.takeNow();
        assertThat(again).as("resent now, not after a timeout").isNotEmpty();
        assertThat(again.get(0).seq()).isEqualTo(una);
        assertThat(again).allSatisfy(seen -> assertThat(seen.ipTotalLength()).isLessThanOrEqualTo(1280));
        assertThat(peer.counter("Timeouts")).isZero();
    }

    @Test
    void anErrorQuotingNoSegmentInFlightIsIgnored() {
        establishedWithDataInFlight(3000);
        int una = peer.takeNow().get(0).seq();
        fragmentationNeeded(1280, una + 100_000); // blind: not a sequence number we sent
        fragmentationNeeded(1280, una - 1);       // acknowledged already
        assertThat(peer.counter("PmtuIgnored")).isEqualTo(2);
        assertThat(peer.counter("PmtuReductions")).isZero();
        assertThat(mss()).isEqualTo("1460");
        assertThat(pathMtu()).isEqualTo(1500);
        assertThat(peer.takeNow()).isEmpty();
    }

    @Test
    void anErrorThatWouldNotLowerTheMtuIsIgnored() {
        establishedWithDataInFlight(3000);
        int una = peer.takeNow().get(0).seq();
        fragmentationNeeded(9000, una);
        assertThat(peer.counter("PmtuIgnored")).isEqualTo(1);
        assertThat(mss()).isEqualTo("1460");
        assertThat(pathMtu()).isEqualTo(1500);
    }

    @Test
    void aReportBelowThePlausibleFloorIsTakenAsTheFloor() {
        establishedWithDataInFlight(3000);
        int una = peer.takeNow().get(0).seq();
        fragmentationNeeded(200, una); // RFC 5927 7.2: a tiny MTU would make the connection crawl
        assertThat(pathMtu()).isEqualTo(552);
        assertThat(mss()).isEqualTo(Integer.toString(552 - 40));
    }

    @Test
    void anOldRouterThatReportsNoMtuMovesToTheNextPlateau() {
        establishedWithDataInFlight(3000);
        int una = peer.takeNow().get(0).seq();
        fragmentationNeeded(0, una); // RFC 1191 5: the field is zero
        assertThat(pathMtu()).as("RFC 1191 table 7-1: the plateau below 1500").isEqualTo(1492);
    }

    @Test
    void theLearntPathMtuExpires() {
        establishedWithDataInFlight(3000);
        int una = peer.takeNow().get(0).seq();
        fragmentationNeeded(1280, una);
        assertThat(pathMtu()).isEqualTo(1280);
        peer.advance(Duration.ofMinutes(10));
        assertThat(pathMtu()).as("RFC 1191 6.3: tried again after 10 minutes").isEqualTo(1500);
        // New connections then offer the first hop's MSS again.
        TcpPeer other = peer.another("10.0.0.7");
        TcpSocket s = other.stackConnects(TcpSocketOptions.DEFAULT);
        assertThat(s).isNotNull();
        assertThat(other.lastSyn.tcp().mss()).isEqualTo(1460);
    }

    /**
     * Acknowledges everything in {@code sent}, and whatever the stack sends over the next two
     * seconds (Nagle's held tail, a retransmission): what it sent, all of it.
     */
    private List<Seen> ackAll(List<Seen> sent) {
        List<Seen> all = new java.util.ArrayList<>();
        List<Seen> data = sent.stream().filter(seen -> seen.length() > 0).toList();
        for (int round = 0; round < 20; round++) {
            all.addAll(data);
            if (!data.isEmpty()) {
                int top = data.get(0).seq();
                for (Seen seen : data) {
                    if (seen.seq() + seen.length() - top > 0) {
                        top = seen.seq() + seen.length();
                    }
                }
                peer.sendAck(top, 65_535);
            }
            data = peer.takeFor(Duration.ofMillis(100)).stream().filter(seen -> seen.length() > 0).toList();
        }
        return all;
    }

    @Test
    void aLoweredMssRisesAgainOnTheLiveConnectionWhenTheLearntPathMtuExpires() {
        TcpSocket s = establishedWithDataInFlight(3000);
        int una = peer.takeNow().get(0).seq();
        fragmentationNeeded(1280, una);
        assertThat(mss()).isEqualTo("1240");
        ackAll(peer.takeNow()); // the flight again at the new size: the peer takes it all
        peer.advance(Duration.ofMinutes(9));
        s.writeAsync(TcpPeer.bytes(3000, 6), 0, 3000);
        List<Seen> later = ackAll(peer.takeNow());
        assertThat(later).as("nine minutes on, the path MTU learnt still stands").isNotEmpty()
                .allSatisfy(seen -> assertThat(seen.ipTotalLength()).isLessThanOrEqualTo(1280));
        peer.advance(Duration.ofMinutes(1));
        s.writeAsync(TcpPeer.bytes(3000, 7), 0, 3000);
        List<Seen> after = peer.takeNow().stream().filter(seen -> seen.length() > 0).toList();
        assertThat(after).as("data sent").isNotEmpty();
        assertThat(after.get(0).length()).as("RFC 1191 6.3: after 10 minutes the larger size is tried again").isEqualTo(1460);
        assertThat(mss()).isEqualTo("1460");
        assertThat(peer.counter("PmtuRaises")).isEqualTo(1);
        // The router still cannot take it: it says so again, and the MSS comes down again.
        fragmentationNeeded(1280, after.get(0).seq());
        assertThat(mss()).isEqualTo("1240");
        assertThat(peer.counter("PmtuReductions")).isEqualTo(2);
    }
}
