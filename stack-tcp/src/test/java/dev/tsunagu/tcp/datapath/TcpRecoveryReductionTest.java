package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import dev.tsunagu.testkit.wire.TcpOptions;
import dev.tsunagu.testkit.wire.TcpRepr;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What a loss reduces the window from (RFC 5681 3.2 eq. 4, RFC 9438 4.6: FlightSize). A
 * recovery that ends on a new hole, with the data sent during it SACKed above that hole, starts
 * the next recovery at once; SND.MAX − SND.UNA then counts all that SACKed data, which the
 * window never held at once. Reducing from it raised ssthresh (0.7 of more than the window),
 * and behind CoDel, which keeps dropping while the queue stands, each loss grew the queue that
 * caused the next: CUBIC's median RTT went from 42 to 77 ms and about 40 recoveries a minute
 * ended in a timeout (docs/performance.md). The reduction is now from the window that let the
 * data out.
 */
class TcpRecoveryReductionTest {
    private static final int MSS = 1460;
    private static final int ACK = TcpRepr.ACK;

    @Test
    void aLossNeverRaisesTheWindowEvenWithDataSackedAboveTheNewHole() {
        try (TcpPeer peer = TcpPeer.start(h -> h.option(dev.tsunagu.tcp.TcpOptions.INITIAL_WINDOW, 10))) {
            CompletableFuture<TcpSocket> f = peer.stack.tcp().connectAsync(
                    new InetSocketAddress(TcpPeer.PEER_ADDRESS, peer.port), TcpSocketOptions.DEFAULT.withCongestionControl("cubic"));
            Seen syn = peer.next(Duration.ZERO);
            peer.stackPort = syn.tcp().sourcePort();
            peer.ack = syn.seq() + 1;
            peer.sendWithOptions(peer.sndNxt, TcpRepr.SYN | ACK, TcpOptions.syn(MSS, -1, true), new byte[0]);
            peer.sndNxt++;
            peer.next(Duration.ZERO); // the handshake's ACK
            TcpSocket s = f.join();
            int base = syn.seq() + 1; // segment i is [base + i·MSS, base + (i+1)·MSS)
            s.writeAsync(bytes(200 * MSS, 1), 0, 200 * MSS);
            assertThat(highest(peer, base)).as("the initial window").isEqualTo(10);

            // Segment 0 is lost; 1.. are SACKed: three of them start recovery (the first two let
            // a new segment out each, RFC 3042), whose "recover" is SND.MAX then.
            sack(peer, base, 0, 1, 2);
            sack(peer, base, 0, 1, 3);
            int recover = highest(peer, base);
            assertThat(recover).as("limited transmit").isEqualTo(12);
            sack(peer, base, 0, 1, 4);
            long first = ssthresh(peer);
            assertThat(first).as("0.7 of the initial window").isEqualTo(7L * MSS);
            // The first new segment sent during recovery is lost too (and, here, every
            // retransmission of it, which RACK finds lost each round); what follows it is SACKed
            // as it arrives, and recovery keeps sending new data as PRR lets it.
            int hole = recover;
            int top = hole;
            for (int round = 0; round < 60 && top < hole + 10; round++) {
                top = Math.max(top, highest(peer, base));
                sackTwo(peer, base, 0, 1, hole, hole + 1, top);
            }
            assertThat(top).as("recovery sent 10 segments past the new hole").isGreaterThanOrEqualTo(hole + 10);
            assertThat(ssthresh(peer)).as("still the first recovery").isEqualTo(first);

            // The retransmission of 0 arrives: recovery ends at its "recover" point, on the new hole
            // with ten segments SACKed above it, and the next recovery begins at once.
            sack(peer, base, hole, hole + 1, top);
            long second = ssthresh(peer);
            assertThat(second).as("a second loss reduces the window again, never raises it (was %d)", first)
                    .isLessThan(first).isEqualTo((long) (first * 0.7));
        }
    }

    /** The peer's ACK of everything below segment {@code cum}, SACKing segments [{@code from}, {@code to}). */
    private static void sack(TcpPeer peer, int base, int cum, int from, int to) {
        peer.ack = base + cum * MSS;
        peer.sendWithOptions(peer.sndNxt, ACK, TcpOptions.NONE.withSack(base + from * MSS, base + to * MSS), new byte[0]);
    }

    private static void sackTwo(TcpPeer peer, int base, int cum, int from, int to, int from2, int to2) {
        peer.ack = base + cum * MSS;
        peer.sendWithOptions(peer.sndNxt, ACK, TcpOptions.NONE.withSack(base + from2 * MSS, base + to2 * MSS,
                base + from * MSS, base + to * MSS), new byte[0]);
    }

    /** One past the highest segment the stack has sent so far (taking what it sent now). */
    private static int highest(TcpPeer peer, int base) {
        int top = 0;
        for (Seen x : peer.takeNow()) {
            if (x.length() > 0) {
                top = Math.max(top, (x.seq() - base + x.length()) / MSS);
            }
        }
        for (Seen x : peer.log) {
            if (x.length() > 0) {
                top = Math.max(top, (x.seq() - base + x.length()) / MSS);
            }
        }
        return top;
    }

    private static long ssthresh(TcpPeer peer) {
        return Long.parseLong(peer.stack.sockets().stream().filter(r -> r.remote() != null).findFirst().orElseThrow()
                .details().get("ssthresh"));
    }
}
