package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.tcp.TcpPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * TCP (RFC 9293 3.1 header, 3.2 options; RFC 7323, RFC 2018, RFC 5961): segments with fuzzed
 * ports, sequence and acknowledgment numbers near the ones a connection expects or anywhere,
 * any flags, data offset, window, urgent pointer, options of any bytes (MSS, window scale,
 * SACK-permitted, SACK blocks, timestamps, malformed lengths) and data, sent to an established
 * connection, to a listener and to closed ports, with a right checksum (mostly) and time
 * passing between them. Afterwards the application closes everything, and once every timer ran
 * out the socket table must be empty: no connection is left behind by any input.
 */
class TcpSegmentFuzzTest {
    private static final int LISTEN_PORT = 8080;

    @FuzzTest
    void segments(FuzzedDataProvider data) {
        try (TcpPeer peer = TcpPeer.start()) {
            peer.established();
            var listener = peer.stack.tcp().listen(LISTEN_PORT);
            StackInvariants invariants = new StackInvariants(peer.stack, peer.loop);
            int peerIp = Craft.ip(peer.address);
            int stackIp = Craft.ip(TcpPeer.STACK_ADDRESS);
            for (int i = 0; i < 24 && data.remainingBytes() > 0; i++) {
                if (data.consumeInt(0, 5) == 0) {
                    peer.loop.advance(Duration.ofMillis(data.consumeLong(0, 5_000)));
                } else {
                    byte[] tcp = segment(peer, data);
                    if (data.consumeInt(0, 7) != 0) {
                        tcp = FuzzLan.fixTransportChecksum(6, FuzzLan.bytes(peerIp), FuzzLan.bytes(stackIp), tcp);
                    }
                    peer.raw.sendIp(peer.stack, Craft.ipv4(peerIp, stackIp, 6, tcp));
                    peer.loop.runUntilIdle();
                }
                peer.raw.received();
                invariants.check();
            }
            peer.socket.close();
            listener.close();
            peer.loop.advance(Duration.ofMinutes(30));
            peer.raw.received();
            invariants.check();
            if (!peer.stack.sockets().isEmpty()) {
                throw new AssertionError("sockets left after every timer ran out: " + peer.stack.sockets());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP header and data with fuzzed fields, mostly aimed at the connection or the listener. */
    private static byte[] segment(TcpPeer peer, FuzzedDataProvider data) {
        int srcPort = data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 0xFFFF) : peer.port;
        int dstPort = switch (data.consumeInt(0, 3)) {
            case 0, 1 -> peer.stackPort;
            case 2 -> LISTEN_PORT;
            default -> data.consumeInt(0, 0xFFFF);
        };
        int seq = data.consumeBoolean() ? peer.sndNxt + data.consumeInt(-70_000, 70_000) : data.consumeInt();
        int ack = data.consumeBoolean() ? peer.rcvNxt + data.consumeInt(-70_000, 70_000) : data.consumeInt();
        byte[] options = data.consumeBytes(data.consumeInt(0, 40));
        int optLen = (options.length + 3) & ~3;
        int offset = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 15) : 5 + optLen / 4;
        int flags = data.pickValue(new int[] {0x10, 0x18, 0x11, 0x02, 0x12, 0x04, 0x14, data.consumeInt(0, 0xFFF)});
        int window = data.consumeInt(0, 0xFFFF);
        int urgent = data.consumeBoolean() ? 0 : data.consumeInt(0, 0xFFFF);
        byte[] payload = data.consumeBytes(data.consumeInt(0, 1460));
        ByteBuffer b = ByteBuffer.allocate(20 + optLen + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack);
        b.putShort((short) ((offset << 12) | (flags & 0xFFF))).putShort((short) window);
        b.putShort((short) 0).putShort((short) urgent);
        b.put(options).position(20 + optLen).put(payload);
        return b.array();
    }
}
