package dev.tsunagu.fuzz;

import static dev.tsunagu.fuzz.LiveConnections.FUZZ_IP;
import static dev.tsunagu.fuzz.LiveConnections.FUZZ_MAC;
import static dev.tsunagu.fuzz.LiveConnections.STACK_IP;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.tcp.TcpPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The whole receive path of a stack that holds live connections: an active and a passive
 * ESTABLISHED connection, CLOSE-WAIT, FIN-WAIT-2, SYN-RECEIVED, TIME-WAIT and a listener, each
 * with its own peer ({@link TcpPeer}) on one cable and one virtual clock. A third host sends
 * what the fuzzer makes: frames of any bytes, ARP, IPv4 with any protocol and fragments, TCP
 * segments to the live connections' ports and the listener, ICMP errors quoting the live
 * connections, IPv6; any IPv4 source but the peers' own (a segment in a connection's window
 * from its own peer is that connection's data, not an attack). Time passes between frames.
 * {@link LiveConnections} sets it up; {@link OffloadReceiveFuzzTest} feeds the same stack as a
 * TAP with offloads would.
 *
 * <p>After every frame: no exception escaped, every frame and datagram is counted
 * ({@link StackInvariants}), the socket table and reassembly stay bounded. At the end the
 * established connections still deliver: each peer sends data, and the application reads
 * exactly that.
 */
class ReceivePathFuzzTest {
    @FuzzTest
    void frames(FuzzedDataProvider data) throws IOException {
        try (LiveConnections live = new LiveConnections(false)) {
            TcpPeer active = live.active;
            RawHost fuzzer = live.fuzzer;
            List<TcpPeer> peers = live.peers;
            long hostMac = live.hostMac;
            for (int i = 0; i < 32 && data.remainingBytes() > 0; i++) {
                switch (data.consumeInt(0, 7)) {
                    case 0 -> fuzzer.sendFrame(data.consumeBytes(data.consumeInt(0, 1600)));
                    case 1 -> fuzzer.sendFrame(Craft.ethernet(hostMac, FUZZ_MAC, 0x0806, data.consumeBytes(28)));
                    case 2 -> fuzzer.sendFrame(Craft.ethernet(hostMac, FUZZ_MAC, 0x0800,
                            live.notFromPeers(Ipv4FuzzTest.wellFormed(data))));
                    case 3, 4 -> fuzzer.sendIp(active.stack,
                            Craft.ipv4(FUZZ_IP, STACK_IP, 6, LiveConnections.tcp(data, peers, 600, true)));
                    case 5 -> fuzzer.sendIp(active.stack,
                            Craft.ipv4(FUZZ_IP, STACK_IP, 1, LiveConnections.icmpError(data, peers)));
                    case 6 -> fuzzer.sendFrame(Craft.ethernet(hostMac, FUZZ_MAC, 0x86DD, data.consumeBytes(data.consumeInt(0, 200))));
                    default -> active.loop.advance(Duration.ofMillis(data.consumeLong(0, 2_000)));
                }
                active.loop.runUntilIdle();
                fuzzer.received();
                live.invariants.check();
            }
            stillDelivers(active);
            stillDelivers(live.passive);
            live.invariants.check();
        }
    }

    /** The peer sends data on its connection; unless the connection was closed or reset, the application reads exactly it. */
    private static void stillDelivers(TcpPeer peer) {
        if (!peer.socket.state().equals("ESTABLISHED")) {
            return; // closed by what came in (a reset from the peer's own 4-tuple is not sent, but ICMP or time may end it)
        }
        byte[] sent = TcpPeer.bytes(1000, 7);
        peer.ack = peer.rcvNxt;
        peer.sendData(sent);
        byte[] got = new byte[sent.length];
        int n = 0;
        try {
            while (n < got.length) {
                int r = peer.socket.read(got, n, got.length - n, Duration.ofSeconds(10));
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("an established connection did not deliver after the fuzzed frames", e);
        }
        if (n != sent.length || !Arrays.equals(sent, got)) {
            throw new AssertionError("an established connection delivered " + n + " bytes of " + sent.length
                    + (n == sent.length ? ", not the ones sent" : ""));
        }
    }
}
