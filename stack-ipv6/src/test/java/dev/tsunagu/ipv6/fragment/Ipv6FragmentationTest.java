package dev.tsunagu.ipv6.fragment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ipv6.V6;
import dev.tsunagu.ipv6.wire.ExtensionHeaders;
import dev.tsunagu.ipv6.wire.FragmentHeader;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.stats.Statistics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Source fragmentation and bounded reassembly (RFC 8200 4.5), with RFC 5722's overlap rule. */
class Ipv6FragmentationTest {
    static final Ipv6Address SRC = Ipv6Address.parse("fd00::9");
    static final Ipv6Address DST = Ipv6Address.parse("fd00::2");
    private static final long TIMEOUT = Duration.ofSeconds(60).toNanos();

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final BufferPool pool = new BufferPool();
    private final Statistics stats = new Statistics();
    private final CounterGroup counters = stats.group("ipv6");
    private final List<Integer> problems = new ArrayList<>();
    private final List<byte[]> timedOut = new ArrayList<>();
    private Ipv6Reassembler reassembler;

    @BeforeEach
    void setUp() {
        reassembler = reassembler(64, 4 << 20);
    }

    private Ipv6Reassembler reassembler(int packets, int bytes) {
        return new Ipv6Reassembler(loop, pool, counters, packets, bytes, TIMEOUT, new Ipv6Reassembler.ErrorListener() {
            @Override
            public void parameterProblem(NetInterface iface, PacketBuffer fragment, int pointer) {
                problems.add(pointer);
            }

            @Override
            public void timedOut(NetInterface iface, PacketBuffer firstFragment) {
                timedOut.add(firstFragment.toByteArray());
            }
        });
    }

    private long count(String name) {
        return stats.snapshot().get("ipv6", name);
    }

    private static byte[] data(int n, int seed) {
        byte[] d = new byte[n];
        new Random(seed).nextBytes(d);
        return d;
    }

    /** A fragment of packet {@code id}: data bytes [offset, offset+len) of {@code all}. */
    private static byte[] fragment(int id, byte[] all, int offset, int len, boolean more) {
        return V6.packet(SRC, DST, 44, 64,
                V6.fragmentHeader(17, offset, more, id, Arrays.copyOfRange(all, offset, offset + len)));
    }

    private PacketBuffer offer(byte[] fragment) {
        return reassembler.offer(null, PacketBuffer.copyOf(fragment, 64), 40, 6);
    }

    @Test
    void fragmentsInAnyOrderMakeThePacketWithTheFragmentHeaderGone() {
        byte[] all = data(3000, 1);
        List<byte[]> frags = new ArrayList<>(List.of(fragment(5, all, 0, 1232, true),
                fragment(5, all, 1232, 1232, true), fragment(5, all, 2464, 536, false)));
        Collections.reverse(frags);
        assertThat(offer(frags.get(0))).isNull();
        assertThat(offer(frags.get(1))).isNull();
        PacketBuffer whole = offer(frags.get(2));
        assertThat(whole).isNotNull();
        assertThat(whole.toByteArray()).isEqualTo(V6.packet(SRC, DST, 17, 64, all));
        assertThat(count("ReasmOKs")).isEqualTo(1);
        assertThat(reassembler.packetsInProgress()).isZero();
        assertThat(reassembler.bytesHeld()).isZero();
    }

    @Test
    void theFragmenterAndTheReassemblerRoundTrip() {
        byte[] all = data(5000, 2);
        PacketBuffer p = PacketBuffer.copyOf(V6.packet(SRC, DST, 17, 64, all), 64);
        List<PacketBuffer> frags = Ipv6Fragmenter.fragment(p, 1280, 0xCAFE, pool);
        assertThat(frags).hasSize(5);
        PacketBuffer whole = null;
        for (PacketBuffer f : frags) {
            assertThat(f.length()).isLessThanOrEqualTo(1280);
            assertThat(Ipv6Header.nextHeader(f)).isEqualTo(ExtensionHeaders.FRAGMENT);
            assertThat(FragmentHeader.identification(f, 40)).isEqualTo(0xCAFE);
            assertThat(FragmentHeader.offset(f, 40) % 8).isZero();
            whole = reassembler.offer(null, f, 40, 6);
        }
        assertThat(whole.toByteArray()).isEqualTo(p.toByteArray());
    }

    @Test
    void rfc5722_anOverlapAbandonsThePacketAndItsLaterFragmentsToo() {
        byte[] all = data(3000, 3);
        assertThat(offer(fragment(9, all, 0, 1232, true))).isNull();
        assertThat(offer(fragment(9, all, 1224, 800, true))).isNull(); // overlaps the first by 8 bytes
        assertThat(count("DropFragOverlap")).isEqualTo(1);
        assertThat(count("ReasmFails")).isEqualTo(1);
        assertThat(reassembler.bytesHeld()).isZero();
        // The rest of the packet arrives: it is dropped as well, never delivered.
        assertThat(offer(fragment(9, all, 1232, 1232, true))).isNull();
        assertThat(offer(fragment(9, all, 2464, 536, false))).isNull();
        assertThat(count("DropFragOverlap")).isEqualTo(3);
        assertThat(count("ReasmOKs")).isZero();
        loop.advance(Duration.ofSeconds(61));
        assertThat(reassembler.packetsInProgress()).isZero();
        assertThat(timedOut).isEmpty(); // a tombstone times out quietly
    }

    @Test
    void anExactDuplicateIsIgnoredAndThePacketStillCompletes() {
        byte[] all = data(2000, 4);
        offer(fragment(3, all, 0, 1232, true));
        offer(fragment(3, all, 0, 1232, true));
        assertThat(count("DropFragDuplicate")).isEqualTo(1);
        assertThat(offer(fragment(3, all, 1232, 768, false))).isNotNull();
    }

    @Test
    void aNonLastFragmentNotAMultipleOf8IsAParameterProblemAtThePayloadLength() {
        offer(fragment(4, data(100, 5), 0, 100, true));
        assertThat(problems).containsExactly(Ipv6Header.PAYLOAD_LENGTH);
        assertThat(count("DropFragBadLength")).isEqualTo(1);
        assertThat(reassembler.packetsInProgress()).isZero();
    }

    @Test
    void dataBeyond65535IsAParameterProblemAtTheFragmentOffset() {
        offer(fragment(4, data(65600, 6), 65528, 16, false));
        assertThat(problems).containsExactly(40 + FragmentHeader.OFFSET_FLAGS);
        assertThat(count("DropFragTooLong")).isEqualTo(1);
    }

    @Test
    void rfc8200_4_5_aTimeoutAfterTheFirstFragmentReportsTimeExceededAndOtherwiseNot() {
        byte[] all = data(3000, 7);
        offer(fragment(1, all, 0, 1232, true));
        offer(fragment(2, all, 1232, 1232, true));
        loop.advance(Duration.ofSeconds(59));
        assertThat(count("ReasmTimeout")).isZero();
        loop.advance(Duration.ofSeconds(2));
        assertThat(count("ReasmTimeout")).isEqualTo(2);
        assertThat(timedOut).hasSize(1);
        assertThat(timedOut.get(0)).isEqualTo(fragment(1, all, 0, 1232, true));
        assertThat(reassembler.bytesHeld()).isZero();
    }

    @Test
    void theLimitsEvictTheOldestPackets() {
        reassembler = reassembler(2, 1 << 20);
        byte[] all = data(3000, 8);
        for (int id = 0; id < 5; id++) {
            offer(fragment(id, all, 0, 1232, true));
        }
        assertThat(reassembler.packetsInProgress()).isEqualTo(2);
        assertThat(count("DropFragEvicted")).isEqualTo(3);
        // The newest two can still complete.
        assertThat(offer(fragment(4, all, 1232, 16, false))).isNotNull();
    }

    @Test
    void randomFragmentsNeverThrowAndNothingLeaks() {
        Random r = new Random(11);
        byte[] all = data(70_000, 9);
        for (int i = 0; i < 5000; i++) {
            int offset = r.nextInt(64) * 8 * (r.nextBoolean() ? 1 : 100);
            int len = 1 + r.nextInt(300);
            if (offset + len > all.length) {
                continue;
            }
            PacketBuffer whole = offer(fragment(r.nextInt(8), all, offset, len, r.nextInt(4) != 0));
            if (whole != null) {
                assertThat(Ipv6Header.check(whole)).isEqualTo(Ipv6Header.Problem.OK);
                whole.release();
            }
        }
        loop.advance(Duration.ofSeconds(61));
        assertThat(reassembler.packetsInProgress()).isZero();
        assertThat(reassembler.bytesHeld()).isZero();
    }

    /** {@code fragment} with traffic class DSCP 10 and ECN {@code ecn}. */
    private static byte[] withEcn(byte[] fragment, int ecn) {
        PacketBuffer b = PacketBuffer.copyOf(fragment, 0);
        Ipv6Header.setTrafficClass(b, 10 << 2 | ecn);
        byte[] out = b.toByteArray();
        b.release();
        return out;
    }

    @Test
    void rfc3168_aCeFragmentMakesThePacketCeAndNotEctBesideEctDropsIt() {
        byte[] all = data(2000, 7);
        assertThat(offer(withEcn(fragment(11, all, 0, 1232, true), Ecn.ECT_0))).isNull();
        PacketBuffer whole = offer(withEcn(fragment(11, all, 1232, 768, false), Ecn.CE));
        assertThat(whole).isNotNull();
        assertThat(Ipv6Header.trafficClass(whole)).as("DSCP kept, CE set").isEqualTo(10 << 2 | Ecn.CE);
        assertThat(Ipv6Header.version(whole)).isEqualTo(6);

        assertThat(offer(withEcn(fragment(12, all, 0, 1232, true), Ecn.ECT_0))).isNull();
        PacketBuffer same = offer(withEcn(fragment(12, all, 1232, 768, false), Ecn.ECT_0));
        assertThat(Ipv6Header.trafficClass(same)).as("agreeing fragments keep theirs").isEqualTo(10 << 2 | Ecn.ECT_0);

        assertThat(offer(withEcn(fragment(13, all, 0, 1232, true), Ecn.NOT_ECT))).isNull();
        assertThat(offer(withEcn(fragment(13, all, 1232, 768, false), Ecn.CE))).as("Not-ECT beside CE").isNull();
        assertThat(count("DropFragEcn")).isEqualTo(1);
        assertThat(count("ReasmFails")).isEqualTo(1);
        assertThat(reassembler.packetsInProgress()).isZero();
        assertThat(reassembler.bytesHeld()).isZero();
    }
}
