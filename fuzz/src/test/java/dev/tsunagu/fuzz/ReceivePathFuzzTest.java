package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.tcp.TcpPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
 *
 * <p>After every frame: no exception escaped, every frame and datagram is counted
 * ({@link StackInvariants}), the socket table and reassembly stay bounded. At the end the
 * established connections still deliver: each peer sends data, and the application reads
 * exactly that.
 */
class ReceivePathFuzzTest {
    private static final int FUZZ_IP = Craft.ip("10.0.0.50");
    private static final long FUZZ_MAC = 0x02_00_00_00_00_50L;
    private static final int STACK_IP = Craft.ip(TcpPeer.STACK_ADDRESS);

    @FuzzTest
    void frames(FuzzedDataProvider data) throws IOException {
        try (TcpPeer active = TcpPeer.start()) {
            active.established();
            TcpPeer passive = active.another("10.0.0.10");
            passive.establishedPassive();
            TcpPeer closeWait = active.another("10.0.0.11");
            closeWait.closeWait();
            TcpPeer finWait2 = active.another("10.0.0.12");
            finWait2.finWait2();
            TcpPeer synReceived = passive.another("10.0.0.13");
            synReceived.synReceived();
            TcpPeer timeWait = active.another("10.0.0.14");
            timeWait.timeWait();
            List<TcpPeer> peers = List.of(active, passive, closeWait, finWait2, synReceived, timeWait);
            RawHost fuzzer = new RawHost(active.cable, active.loop, FUZZ_MAC, "10.0.0.50").introduceTo(active.stack);
            StackInvariants invariants = new StackInvariants(active.stack, active.loop, 300);
            long hostMac = active.stack.primaryInterface().macBits();

            for (int i = 0; i < 32 && data.remainingBytes() > 0; i++) {
                switch (data.consumeInt(0, 7)) {
                    case 0 -> fuzzer.sendFrame(data.consumeBytes(data.consumeInt(0, 1600)));
                    case 1 -> fuzzer.sendFrame(Craft.ethernet(hostMac, FUZZ_MAC, 0x0806, data.consumeBytes(28)));
                    case 2 -> fuzzer.sendFrame(Craft.ethernet(hostMac, FUZZ_MAC, 0x0800,
                            notFromPeers(peers, Ipv4FuzzTest.wellFormed(data))));
                    case 3, 4 -> fuzzer.sendIp(active.stack, Craft.ipv4(FUZZ_IP, STACK_IP, 6, tcp(data, peers)));
                    case 5 -> fuzzer.sendIp(active.stack, Craft.ipv4(FUZZ_IP, STACK_IP, 1, icmpError(data, peers)));
                    case 6 -> fuzzer.sendFrame(Craft.ethernet(hostMac, FUZZ_MAC, 0x86DD, data.consumeBytes(data.consumeInt(0, 200))));
                    default -> active.loop.advance(Duration.ofMillis(data.consumeLong(0, 2_000)));
                }
                active.loop.runUntilIdle();
                fuzzer.received();
                invariants.check();
            }
            stillDelivers(active);
            stillDelivers(passive);
            invariants.check();
            fuzzer.close();
            for (TcpPeer p : peers.subList(1, peers.size())) {
                p.close();
            }
        }
    }

    /** A packet claiming a peer's address as its source gets the fuzzing host's instead. */
    private static byte[] notFromPeers(List<TcpPeer> peers, byte[] ipv4) {
        int src = ByteBuffer.wrap(ipv4, 12, 4).getInt();
        for (TcpPeer p : peers) {
            if (src == Craft.ip(p.address)) {
                byte[] fixed = ipv4.clone();
                ByteBuffer.wrap(fixed, 12, 4).putInt(FUZZ_IP);
                // Keep the header checksum right: it was right before (wellFormed), so recompute it.
                int hl = (fixed[0] & 0x0F) * 4;
                fixed[10] = 0;
                fixed[11] = 0;
                int c = dev.tsunagu.net.InternetChecksum.compute(fixed, 0, Math.min(hl, fixed.length));
                fixed[10] = (byte) (c >>> 8);
                fixed[11] = (byte) c;
                return fixed;
            }
        }
        return ipv4;
    }

    /** A TCP segment from the fuzzing host to a live connection's port, the listener or anywhere. */
    private static byte[] tcp(FuzzedDataProvider data, List<TcpPeer> peers) {
        TcpPeer target = data.pickValue(peers);
        int srcPort = data.consumeBoolean() ? target.port : data.consumeInt(0, 0xFFFF);
        int dstPort = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 0xFFFF) : target.stackPort;
        int seq = data.consumeBoolean() ? target.sndNxt + data.consumeInt(-1000, 1000) : data.consumeInt();
        int ack = data.consumeBoolean() ? target.rcvNxt + data.consumeInt(-1000, 1000) : data.consumeInt();
        byte[] options = data.consumeBytes(data.consumeInt(0, 40));
        int optLen = (options.length + 3) & ~3;
        int flags = data.pickValue(new int[] {0x02, 0x10, 0x04, 0x12, 0x11, 0x14, data.consumeInt(0, 0xFFF)});
        byte[] payload = data.consumeBytes(data.consumeInt(0, 600));
        ByteBuffer b = ByteBuffer.allocate(20 + optLen + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack);
        b.putShort((short) (((5 + optLen / 4) << 12) | flags)).putShort((short) data.consumeInt(0, 0xFFFF));
        b.putInt(0).put(options).position(20 + optLen).put(payload);
        return FuzzLan.fixTransportChecksum(6, FuzzLan.bytes(FUZZ_IP), FuzzLan.bytes(STACK_IP), b.array());
    }

    /** An ICMP error quoting a segment of a live connection (the stack's side of it), with fuzzed type, code and MTU. */
    private static byte[] icmpError(FuzzedDataProvider data, List<TcpPeer> peers) {
        TcpPeer target = data.pickValue(peers);
        ByteBuffer tcp = ByteBuffer.allocate(8);
        tcp.putShort((short) target.stackPort).putShort((short) target.port);
        tcp.putInt(data.consumeBoolean() ? target.rcvNxt + data.consumeInt(-1000, 1000) : data.consumeInt());
        byte[] quoted = Craft.ipv4(STACK_IP, Craft.ip(target.address), 6, tcp.array());
        int type = data.pickValue(new int[] {3, 11, 12, 4, 5});
        int rest = data.consumeBoolean() ? data.consumeInt(0, 1500) : data.consumeInt();
        return Craft.icmp(type, data.consumeInt(0, 15), rest, quoted);
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
