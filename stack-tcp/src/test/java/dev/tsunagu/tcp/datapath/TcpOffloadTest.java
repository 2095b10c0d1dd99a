package dev.tsunagu.tcp.datapath;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.tcp.TcpOptions;
import dev.tsunagu.tcp.wire.TcpHeader;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checksum and segmentation offload (issue #15), on a cable whose ports offer them as a
 * virtio NIC does: the window leaves as one segment of whole MSS that the device cuts, with the
 * checksum left partial; a segment the device coalesced is acknowledged as the full-sized
 * segments it stands for; a checksum the device did not vouch for is still verified.
 */
class TcpOffloadTest {
    private static final int MSS = 1000;

    private static TcpPeer offloading() {
        return TcpPeer.start(1500, true, h -> h.option(TcpOptions.QUICK_ACKS, 0));
    }

    @Test
    void theWindowLeavesAsOneSegmentOfWholeMssForTheDeviceToCut() throws Exception {
        try (TcpPeer peer = offloading()) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT.withNoDelay(false), MSS, -1, 65535, Duration.ZERO);
            byte[] data = bytes(30_500, 7);
            s.write(data);
            List<Seen> first = peer.takeNow();
            assertThat(first).as("the initial window in one segment").hasSize(1);
            int iw = first.getFirst().length();
            assertThat(iw).as("whole MSS, more than one").isGreaterThan(MSS).matches(n -> n % MSS == 0);
            // The ACK of it opens more: the next segments are again whole MSS, and the 500-byte
            // tail waits (Nagle) while data is in flight, as it would without offload.
            peer.sendAck(peer.stackData + iw, 65535);
            List<Seen> more = peer.takeNow();
            assertThat(more).isNotEmpty().allSatisfy(seg -> assertThat(seg.length() % MSS).isZero());
            int sent = iw + more.stream().mapToInt(Seen::length).sum();
            while (sent < 30_000) {
                peer.sendAck(peer.stackData + sent, 65535);
                List<Seen> next = peer.takeNow();
                assertThat(next).isNotEmpty();
                sent += next.stream().mapToInt(Seen::length).sum();
            }
            assertThat(sent).isEqualTo(30_000);
            peer.sendAck(peer.stackData + sent, 65535);
            assertThat(peer.takeNow()).extracting(Seen::length).containsExactly(500);
            assertThat(stream(peer, peer.log)).isEqualTo(data);
        }
    }

    @Test
    void theChecksumIsLeftPartialWithThePseudoHeaderSumOfTheWholeSegment() {
        IpAddress src = IpAddress.parse("10.0.0.2");
        IpAddress dst = IpAddress.parse("10.0.0.9");
        long pseudo = InternetChecksum.pseudoHeader(Craft.ip("10.0.0.2"), Craft.ip("10.0.0.9"), 6, 20 + 3000);
        IpService ip = new PseudoHeaderOnly(pseudo);
        byte[] payload = bytes(3000, 1);
        PacketBuffer partial = PacketBuffer.copyOf(payload, 100);
        TcpHeader.prependPartial(partial, 40000, 80, 1, 2, TcpHeader.ACK, 65535, new TcpHeader.Options(), ip, src, dst);
        assertThat(partial.checksumPartial()).isTrue();
        assertThat(partial.checksumStart()).isZero();
        assertThat(partial.checksumFieldOffset()).isEqualTo(TcpHeader.CHECKSUM);
        assertThat(partial.getU16(TcpHeader.CHECKSUM)).as("the folded pseudo-header sum, for the device to add the rest to")
                .isEqualTo(InternetChecksum.partial(pseudo));
        // Finished as the device would, it is the checksum the stack writes without offload.
        PacketBuffer full = PacketBuffer.copyOf(payload, 100);
        TcpHeader.prepend(full, 40000, 80, 1, 2, TcpHeader.ACK, 65535, new TcpHeader.Options(), ip, src, dst);
        InternetChecksum.finishPartial(partial);
        assertThat(partial.toByteArray()).isEqualTo(full.toByteArray());
    }

    /** An IPv4 layer for the checksum only: the pseudo-header sum it was made with. */
    private record PseudoHeaderOnly(long sum) implements IpService {
        @Override
        public dev.tsunagu.net.AddressFamily family() {
            return dev.tsunagu.net.AddressFamily.IPV4;
        }

        @Override
        public IpAddress sourceAddressFor(IpAddress destination) {
            return null;
        }

        @Override
        public boolean isLocalAddress(IpAddress address) {
            return false;
        }

        @Override
        public int mtuFor(IpAddress destination) {
            return 1500;
        }

        @Override
        public int headerLength() {
            return 20;
        }

        @Override
        public long pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int length) {
            return sum;
        }

        @Override
        public int send(PacketBuffer payload, IpAddress source, IpAddress destination, int protocol, int ttl, int tos,
                        boolean dontFragment) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendPortUnreachable(IpPacketInfo info, PacketBuffer payload) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void withoutOffloadSegmentsStayAtTheMssWithFullChecksums() throws Exception {
        try (TcpPeer peer = TcpPeer.start(1500, false, h -> h.option(TcpOptions.QUICK_ACKS, 0))) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT, MSS, -1, 65535, Duration.ZERO);
            s.write(bytes(3000, 1));
            List<Seen> sent = peer.takeNow();
            assertThat(sent).extracting(Seen::length).containsOnly(MSS);
            byte[] tcp = sent.getFirst().segment();
            long pseudo = InternetChecksum.pseudoHeader(peer.raw.ip, Craft.ip(TcpPeer.STACK_ADDRESS), 6, tcp.length);
            assertThat(InternetChecksum.finish(InternetChecksum.add(pseudo, tcp, 0, tcp.length))).isZero();
        }
    }

    @Test
    void aCoalescedSegmentIsAcknowledgedAtOnceAsTheFullSegmentsItStandsFor() {
        try (TcpPeer peer = offloading()) {
            peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            long t0 = peer.loop.now();
            peer.sendData(bytes(1460, 1));
            assertThat(peer.takeFor(Duration.ofMillis(5))).as("one full segment: delayed").isEmpty();
            peer.sendAck(peer.ack, 65535); // (nothing to acknowledge: just a moment later)
            // Three MSS in one segment, as a device that coalesced them hands it over.
            peer.sendData(bytes(3 * 1460, 2));
            List<Seen> now = peer.takeNow();
            assertThat(now).as("acknowledged at once, as three full segments would be").hasSize(1);
            assertThat(now.getFirst().ack()).isEqualTo(peer.sndNxt);
            assertThat(now.getFirst().at() - t0).isEqualTo(Duration.ofMillis(5).toNanos());
            // Alone, a coalesced segment of two MSS also counts as two: ACKed at once.
            peer.sendData(bytes(2 * 1460, 3));
            assertThat(peer.takeNow()).hasSize(1);
        }
    }

    @Test
    void aSegmentTheDeviceDidNotVouchForIsStillVerified() throws Exception {
        try (TcpPeer peer = offloading()) {
            peer.peerConnects(TcpSocketOptions.DEFAULT, 1460, -1, 65535);
            long before = peer.stack.statistics().get("tcp", "InCsumErrors");
            peer.sendWithBadChecksum(peer.seg().data(bytes(100, 1)));
            assertThat(peer.stack.statistics().get("tcp", "InCsumErrors")).isEqualTo(before + 1);
        }
    }

    @Test
    void theWindowGrowsPerRoundTripWithOffloadAsWithout() {
        // The peer acknowledges each segment as it comes, as the kernel acknowledges each
        // coalesced segment: with offload one ACK covers a whole window's segment of many MSS,
        // and slow start must count it as the MSS-sized segments it stands for (it grew the
        // window by 8 MSS per such ACK, HyStart++'s L, before the sender told the controller).
        List<Integer> without = flights(false);
        assertThat(without).as("slow start doubles the flight each round trip")
                .containsExactly(4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000);
        assertThat(flights(true)).isEqualTo(without);
    }

    /** The bytes the stack sends in each of 7 round trips of 1 ms, each segment acknowledged on its own. */
    private static List<Integer> flights(boolean offload) {
        try (TcpPeer peer = TcpPeer.start(1500, offload, h -> h)) {
            TcpSocket s = peer.stackConnects(TcpSocketOptions.DEFAULT.withSendBuffer(1 << 20), MSS, 7, 65535,
                    Duration.ZERO);
            s.writeAsync(bytes(1 << 20, 5), 0, 1 << 20);
            List<Integer> flights = new ArrayList<>();
            List<Seen> flight = peer.takeNow();
            for (int round = 0; round < 7; round++) {
                flights.add(flight.stream().mapToInt(Seen::length).sum());
                assertThat(flight).allSatisfy(seg -> assertThat(seg.length()).isLessThanOrEqualTo(offload ? 65_000 : MSS));
                List<Seen> next = new ArrayList<>(peer.takeFor(Duration.ofMillis(1)));
                for (Seen seg : flight) {
                    peer.sendAck(seg.seq() + seg.length(), 65535);
                    next.addAll(peer.takeNow());
                }
                flight = next;
            }
            return flights;
        }
    }

    /** Payloads of the data segments in order from the stack's first data byte, joined. */
    private static byte[] stream(TcpPeer peer, List<Seen> segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int expected = peer.stackData;
        for (Seen s : segments) {
            if (s.length() == 0) {
                continue;
            }
            assertThat(s.seq()).as("contiguous: %s", s).isEqualTo(expected);
            out.writeBytes(s.payload());
            expected += s.length();
        }
        return out.toByteArray();
    }
}
