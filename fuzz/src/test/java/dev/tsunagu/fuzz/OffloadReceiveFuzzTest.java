package dev.tsunagu.fuzz;

import static dev.tsunagu.fuzz.LiveConnections.FUZZ_IP;
import static dev.tsunagu.fuzz.LiveConnections.FUZZ_MAC;
import static dev.tsunagu.fuzz.LiveConnections.STACK_IP;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.tap.internal.VirtioNetHeader;
import dev.tsunagu.driver.tap.internal.VirtioNetRepr;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.tcp.TcpPeer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The receive path as a TAP with offloads feeds it (issue #15): each frame comes behind a
 * {@code virtio_net_hdr}, which {@link VirtioNetHeader#check} judges and
 * {@link VirtioNetHeader#markReceived} turns into the frame's marks, as {@code TapDriver} does;
 * a frame flagged {@code DATA_VALID} or {@code NEEDS_CSUM} reaches TCP and UDP with its checksum
 * trusted, not summed, and a frame may be as long as 64 KiB: a coalesced TCP segment of several
 * MSS. The stack is {@link LiveConnections}' on a cable with offloads, which carries such frames
 * whole and keeps their marks.
 *
 * <p>What the fuzzer makes: headers and frames of any bytes; TCP segments (to the live
 * connections' ports, the listener, anywhere) and UDP datagrams of up to 64 KiB whose checksum
 * is whatever it wrote but trusted; ICMP errors quoting the connections; and, from the peers of
 * the two ESTABLISHED connections, data in their windows as one coalesced segment, trusted
 * (with a checksum that would not verify) or plain, or segments of any kind (after which that
 * connection only has to survive). Time passes, the application reads.
 *
 * <p>What must hold: the header check never throws, and a header it passes keeps the checksum
 * field inside the frame (the buffer's own bound check agrees); a header it refuses drops the
 * frame, counted, before the stack sees it. After every frame {@link StackInvariants}: no
 * exception escaped, every frame counted, memory bounded. The ESTABLISHED connections deliver
 * exactly their peers' bytes, in order, whatever else came in (the fuzzer never speaks as a
 * peer: {@link LiveConnections#frameNotFromPeers}).
 */
class OffloadReceiveFuzzTest {
    /** The largest frame a TAP hands over: a 64 KiB IP packet in an Ethernet header. */
    private static final int MAX_FRAME = 0xFFFF + 14;
    private static final int TCP_AT = 14 + 20;

    @FuzzTest
    void frames(FuzzedDataProvider data) throws IOException {
        try (LiveConnections live = new LiveConnections(true)) {
            Tap tap = new Tap(live);
            App[] apps = {new App(live.active), new App(live.passive)};
            for (int i = 0; i < 32 && data.remainingBytes() > 0; i++) {
                switch (data.consumeInt(0, 8)) {
                    case 0 -> tap.deliver(live.fuzzer, data.consumeBytes(data.consumeBoolean()
                            ? data.consumeInt(0, 1600) : data.consumeInt(0, VirtioNetHeader.LENGTH + MAX_FRAME)));
                    case 1 -> {
                        byte[] tcp = LiveConnections.tcp(data, live.peers, 0xFFFF - 20 - 60, false);
                        tap.trusted(live.fuzzer, ethernet(live, Craft.ipv4(FUZZ_IP, STACK_IP, 6, tcp)), 16, data);
                    }
                    case 2 -> tap.trusted(live.fuzzer, ethernet(live, Craft.ipv4(FUZZ_IP, STACK_IP, 17, udp(data))), 6, data);
                    case 3 -> tap.trusted(live.fuzzer, ethernet(live, live.notFromPeers(Ipv4FuzzTest.wellFormed(data))),
                            data.consumeInt(0, 20), data);
                    case 4 -> live.fuzzer.sendIp(live.active.stack,
                            Craft.ipv4(FUZZ_IP, STACK_IP, 1, LiveConnections.icmpError(data, live.peers)));
                    case 5 -> data.pickValue(apps).peerSends(tap, data);
                    case 6 -> data.pickValue(apps).peerFuzzes(tap, data);
                    case 7 -> live.active.loop.advance(Duration.ofMillis(data.consumeLong(0, 2_000)));
                    default -> data.pickValue(apps).read();
                }
                live.active.loop.runUntilIdle();
                live.fuzzer.received();
                live.invariants.check();
                for (App a : apps) {
                    a.read();
                }
            }
            for (App a : apps) {
                a.stillDelivers(tap);
            }
            live.invariants.check();
        }
    }

    private static byte[] ethernet(LiveConnections live, byte[] ipv4) {
        return Craft.ethernet(live.hostMac, FUZZ_MAC, 0x0800, ipv4);
    }

    /** A UDP datagram from the fuzzing host of up to 64 KiB, its length field right or not, its checksum anything. */
    private static byte[] udp(FuzzedDataProvider data) {
        int length = data.consumeInt(0, 0xFFFF - 20 - 8);
        ByteBuffer b = ByteBuffer.allocate(8 + length);
        b.putShort((short) data.consumeInt(0, 0xFFFF)).putShort((short) data.pickValue(new int[] {53, 7, 9, data.consumeInt(0, 0xFFFF)}));
        b.putShort((short) (data.consumeBoolean() ? 8 + length : data.consumeInt(0, 0xFFFF)));
        b.putShort((short) data.consumeInt(0, 0xFFFF));
        b.put(data.consumeBytes(length)); // zeros after the input's end: a long datagram even from a short input
        return b.array();
    }

    /**
     * The driver's receive path: a header and a frame, judged and marked as {@code TapDriver}
     * does, then handed to the stack (through a cable with offloads, which keeps the marks).
     */
    private static final class Tap {
        private final LiveConnections live;

        Tap(LiveConnections live) {
            this.live = live;
        }

        /** {@code bytes}: a virtio-net header and a frame, as a {@code read} on the device returns them. */
        void deliver(RawHost from, byte[] bytes) {
            MemorySegment read = MemorySegment.ofArray(bytes);
            VirtioNetHeader.Problem p = VirtioNetHeader.check(read, bytes.length, 14);
            VirtioNetHeader.Problem[] parsed = new VirtioNetHeader.Problem[1];
            VirtioNetRepr repr = VirtioNetRepr.parse(read, bytes.length, 14, parsed);
            if (parsed[0] != p || (repr == null) != (p != VirtioNetHeader.Problem.OK)) {
                throw new AssertionError("the header's parse (" + parsed[0] + ") disagrees with its check (" + p + ")");
            }
            if (p != VirtioNetHeader.Problem.OK) {
                return; // TapDriver counts it (VnetMalformed) and reads on: the stack never sees it
            }
            int frameLength = bytes.length - VirtioNetHeader.LENGTH;
            if (frameLength > MAX_FRAME) {
                return; // longer than a read on the device returns
            }
            if ((repr.flags() & VirtioNetHeader.F_NEEDS_CSUM) != 0
                    && repr.checksumStart() + repr.checksumOffset() + 2 > frameLength) {
                throw new AssertionError("a header that passed puts the checksum field outside the frame: " + repr
                        + ", frame of " + frameLength);
            }
            MemorySegment emitted = MemorySegment.ofArray(new byte[VirtioNetHeader.LENGTH]);
            repr.emit(emitted);
            if (!emitted.asByteBuffer().equals(read.asSlice(0, VirtioNetHeader.LENGTH).asByteBuffer())) {
                throw new AssertionError("the header does not emit as it was read: " + repr);
            }
            byte[] frame = Arrays.copyOfRange(bytes, VirtioNetHeader.LENGTH, bytes.length);
            if (from == live.fuzzer) {
                frame = live.frameNotFromPeers(frame);
            }
            PacketBuffer b = from.buffer(frame);
            VirtioNetHeader.markReceived(read, b);
            from.send(b);
        }

        /**
         * {@code frame}, an IPv4 packet with no options, behind a header that trusts its
         * transport checksum: {@code DATA_VALID}, or {@code NEEDS_CSUM} with the field
         * {@code fieldOffset} bytes into the transport header (then holding the pseudo-header
         * sum, as the kernel leaves it), or now and then a fuzzed header.
         */
        void trusted(RawHost from, byte[] frame, int fieldOffset, FuzzedDataProvider data) {
            VirtioNetRepr header = switch (data.consumeInt(0, 3)) {
                case 0 -> new VirtioNetRepr(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0);
                case 1 -> new VirtioNetRepr(data.consumeInt(0, 0xFF), data.consumeInt(0, 0xFF), data.consumeInt(0, 0xFFFF),
                        data.consumeInt(0, 0xFFFF), data.consumeInt(0, 0xFFFF), data.consumeInt(0, 0xFFFF));
                default -> {
                    if (frame.length >= TCP_AT + fieldOffset + 2 && (frame[14] & 0x0F) == 5) {
                        int ipLength = frame.length - 14;
                        ByteBuffer ip = ByteBuffer.wrap(frame, 14, 20);
                        long pseudo = InternetChecksum.pseudoHeader(ip.getInt(14 + 12), ip.getInt(14 + 16),
                                frame[14 + 9] & 0xFF, ipLength - 20);
                        int partial = InternetChecksum.partial(pseudo);
                        frame[TCP_AT + fieldOffset] = (byte) (partial >>> 8);
                        frame[TCP_AT + fieldOffset + 1] = (byte) partial;
                    }
                    yield new VirtioNetRepr(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, TCP_AT, fieldOffset);
                }
            };
            deliver(from, withHeader(header, frame));
        }

        static byte[] withHeader(VirtioNetRepr header, byte[] frame) {
            byte[] bytes = new byte[VirtioNetHeader.LENGTH + frame.length];
            header.emit(MemorySegment.ofArray(bytes));
            System.arraycopy(frame, 0, bytes, VirtioNetHeader.LENGTH, frame.length);
            return bytes;
        }
    }

    /**
     * The application on one ESTABLISHED connection, reading all it can, and its peer, which
     * sends data in the stack's window as one coalesced segment; what the peer sent is what the
     * application must read.
     */
    private static final class App {
        private final TcpPeer peer;
        private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        private final ByteArrayOutputStream got = new ByteArrayOutputStream();
        private final byte[] buffer = new byte[64 * 1024];
        private CompletableFuture<Integer> pending;
        private boolean ended;

        App(TcpPeer peer) {
            this.peer = peer;
        }

        boolean established() {
            return !ended && peer.socket.state().equals("ESTABLISHED");
        }

        /**
         * A segment of any kind from the peer's own address, as long as 64 KiB, its checksum
         * trusted: into the live connection, which from now on need not deliver what its peer
         * sent (the fuzzer may have written into its stream), only survive.
         */
        void peerFuzzes(Tap tap, FuzzedDataProvider data) {
            byte[] tcp = LiveConnections.tcp(data, java.util.List.of(peer), 0xFFFF - 20 - 60, false);
            byte[] frame = Craft.ethernet(peer.stack.primaryInterface().macBits(), peer.raw.mac, 0x0800,
                    Craft.ipv4(Craft.ip(peer.address), STACK_IP, 6, tcp));
            ended = true;
            tap.trusted(peer.raw, frame, 16, data);
            peer.loop.runUntilIdle();
            peer.takeNow();
        }

        /** Up to a window of data from the peer at its next sequence number, trusted or not. */
        void peerSends(Tap tap, FuzzedDataProvider data) {
            int room = peer.stackWindowEnd - peer.sndNxt;
            int length = Math.min(room, data.consumeInt(1, 0xFFFF - 40));
            if (!established() || length <= 0) {
                return;
            }
            byte[] payload = TcpPeer.bytes(length, data.consumeInt(0, 255));
            peer.ack = peer.rcvNxt;
            byte[] tcp = peer.bytes(peer.segment(peer.sndNxt, payload));
            byte[] frame = Craft.ethernet(peer.stack.primaryInterface().macBits(), peer.raw.mac, 0x0800,
                    Craft.ipv4(Craft.ip(peer.address), STACK_IP, 6, tcp));
            if (data.consumeBoolean()) {
                peer.raw.sendFrame(frame); // checksum right, summed by the stack
            } else {
                frame[TCP_AT + 16] ^= 0x5A; // trusted: the stack must not sum it
                VirtioNetRepr header = data.consumeBoolean()
                        ? new VirtioNetRepr(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0)
                        : new VirtioNetRepr(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, TCP_AT, 16);
                long pseudo = InternetChecksum.pseudoHeader(Craft.ip(peer.address), STACK_IP, 6, tcp.length);
                if (header.flags() == VirtioNetHeader.F_NEEDS_CSUM) {
                    int partial = InternetChecksum.partial(pseudo);
                    frame[TCP_AT + 16] = (byte) (partial >>> 8);
                    frame[TCP_AT + 17] = (byte) partial;
                }
                tap.deliver(peer.raw, Tap.withHeader(header, frame));
            }
            peer.sndNxt += length;
            sent.writeBytes(payload);
            peer.loop.runUntilIdle();
            peer.takeNow();
        }

        /** Reads what the connection has; what came so far must be the start of what the peer sent. */
        void read() {
            peer.loop.runUntilIdle();
            while (!ended) {
                if (pending == null) {
                    pending = peer.socket.readAsync(buffer, 0, buffer.length);
                    peer.loop.runUntilIdle();
                }
                if (!pending.isDone()) {
                    break;
                }
                int n;
                try {
                    n = pending.join();
                } catch (CompletionException e) {
                    ended = true; // reset or aborted by what came in: nothing more to check
                    break;
                }
                pending = null;
                if (n < 0) {
                    ended = true;
                    break;
                }
                got.write(buffer, 0, n);
            }
            byte[] g = got.toByteArray();
            byte[] s = sent.toByteArray();
            if (g.length > s.length || !Arrays.equals(g, 0, g.length, s, 0, g.length)) {
                throw new AssertionError("the application read " + g.length + " bytes that are not the first of the "
                        + s.length + " its peer sent (first difference at " + Arrays.mismatch(g, s) + ")");
            }
        }

        /** The peer sends once more; unless the connection ended, the application reads all the peer sent, exactly. */
        void stillDelivers(Tap tap) {
            read();
            if (!established()) {
                return;
            }
            peer.ack = peer.rcvNxt;
            int length = Math.min(1000, peer.stackWindowEnd - peer.sndNxt);
            if (length > 0) {
                byte[] payload = TcpPeer.bytes(length, 7);
                peer.sendData(payload);
                sent.writeBytes(payload);
            }
            for (int i = 0; i < 8 && got.size() < sent.size() && !ended; i++) {
                peer.loop.advance(Duration.ofMillis(500)); // delayed ACKs, window updates
                read();
            }
            if (!ended && got.size() != sent.size()) {
                throw new AssertionError("an established connection delivered " + got.size() + " of the " + sent.size()
                        + " bytes its peer sent");
            }
        }
    }
}
