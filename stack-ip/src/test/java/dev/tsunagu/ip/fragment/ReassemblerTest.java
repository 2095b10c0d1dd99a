package dev.tsunagu.ip.fragment;

import static dev.tsunagu.ip.fragment.FragmenterTest.DST;
import static dev.tsunagu.ip.fragment.FragmenterTest.SRC;
import static dev.tsunagu.ip.fragment.FragmenterTest.UDP;
import static dev.tsunagu.ip.fragment.FragmenterTest.checkFragments;
import static dev.tsunagu.ip.fragment.FragmenterTest.datagram;
import static dev.tsunagu.ip.fragment.FragmenterTest.datagramBytes;
import static dev.tsunagu.ip.fragment.FragmenterTest.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.stats.Statistics;
import dev.tsunagu.testkit.TestHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReassemblerTest {
    private static final long TIMEOUT = Reassembler.Limits.DEFAULT.timeoutNanos();

    private VirtualEventLoop loop;
    private BufferPool pool;
    private CounterGroup counters;
    private Reassembler reassembler;
    /** What the timeout listener was given: the interface, and a copy of the first fragment. */
    private final List<NetInterface> timedOutOn = new ArrayList<>();
    private final List<byte[]> timedOut = new ArrayList<>();
    /** Every fragment buffer a test handed over, to check that each is released in the end. */
    private final List<PacketBuffer> handedOver = new ArrayList<>();

    @BeforeEach
    void setUp() {
        loop = new VirtualEventLoop();
        // A pool that keeps nothing: a released buffer is never handed out again, so isReleased()
        // stays true and the tests can check that every buffer handed over was released.
        pool = new BufferPool(BufferPool.DEFAULT_HEADROOM, new int[] {2048, 16 * 1024, 65535 + 18 + 160}, new int[] {0, 0, 0});
        counters = new Statistics().group("ip");
        reassembler = newReassembler(Reassembler.Limits.DEFAULT);
    }

    private Reassembler newReassembler(Reassembler.Limits limits) {
        return new Reassembler(loop, pool, counters, limits, (iface, first) -> {
            timedOutOn.add(iface);
            timedOut.add(first.toByteArray());
        });
    }

    private long count(String name) {
        return counters.get(name);
    }

    private PacketBuffer offer(PacketBuffer fragment) {
        handedOver.add(fragment);
        return reassembler.offer(null, fragment);
    }

    /** The data byte at {@code offset} of datagram {@code id}: any fragment of it carries the same bytes. */
    private static byte dataByte(int id, int offset) {
        return (byte) (offset * 31 + id * 7 + (offset >>> 8));
    }

    /**
     * A hand-made fragment of datagram {@code (SRC, DST, UDP, id)} from a pool buffer: {@code length}
     * data bytes at {@code offset}, header of {@code hlen} bytes (options are no-operations).
     */
    private PacketBuffer fragment(int src, int id, int offset, int length, boolean more, int hlen) {
        PacketBuffer b = pool.acquire(hlen + length);
        int at = b.append(hlen + length);
        byte[] a = b.array();
        a[at] = (byte) (0x40 | hlen / 4);
        b.setU16(Ipv4Header.TOTAL_LENGTH, hlen + length);
        b.setU16(Ipv4Header.IDENTIFICATION, id);
        b.setU16(Ipv4Header.FLAGS_FRAGMENT, (more ? Ipv4Header.FLAG_MF : 0) | offset >>> 3);
        b.setU8(Ipv4Header.TTL, 64);
        b.setU8(Ipv4Header.PROTOCOL, UDP);
        b.setI32(Ipv4Header.SOURCE, src);
        b.setI32(Ipv4Header.DESTINATION, DST);
        for (int i = 20; i < hlen; i++) {
            a[at + i] = 1;
        }
        for (int i = 0; i < length; i++) {
            a[at + hlen + i] = dataByte(id, offset + i);
        }
        Ipv4Header.updateChecksum(b);
        assertThat(Ipv4Header.check(b)).isEqualTo(Ipv4Header.Problem.OK);
        return b;
    }

    private static PacketBuffer toDestination(PacketBuffer fragment, int destination) {
        fragment.setI32(Ipv4Header.DESTINATION, destination);
        Ipv4Header.updateChecksum(fragment);
        return fragment;
    }

    private PacketBuffer fragment(int id, int offset, int length, boolean more) {
        return fragment(SRC, id, offset, length, more, 20);
    }

    /** Checks a reassembled datagram of hand-made fragments: header fields and every data byte. */
    private static void assertReassembled(PacketBuffer d, int id, int dataLength, String why) {
        assertThat(d).as(why).isNotNull();
        assertThat(Ipv4Header.check(d)).as(why).isEqualTo(Ipv4Header.Problem.OK);
        int hlen = Ipv4Header.headerLength(d);
        assertThat(d.length()).as(why).isEqualTo(hlen + dataLength).isEqualTo(Ipv4Header.totalLength(d));
        assertThat(Ipv4Header.isFragment(d)).as(why + ": MF and offset cleared").isFalse();
        assertThat(Ipv4Header.identification(d)).as(why).isEqualTo(id);
        for (int i = 0; i < dataLength; i++) {
            if (d.getU8(hlen + i) != (dataByte(id, i) & 0xFF)) {
                throw new AssertionError(why + ": data byte " + i + " differs");
            }
        }
    }

    private void assertNothingHeld(String why) {
        assertThat(reassembler.datagramsInProgress()).as(why).isZero();
        assertThat(reassembler.bytesHeld()).as(why).isZero();
        assertThat(loop.pendingTimers()).as(why + ": timers").isZero();
        assertAllReleased(why);
    }

    private void assertAllReleased(String why) {
        for (int i = 0; i < handedOver.size(); i++) {
            assertThat(handedOver.get(i).isReleased()).as(why + ": buffer " + i + " released").isTrue();
        }
    }

    /** Offers {@code fragments} in order; only the last may (and must) complete the datagram. */
    private PacketBuffer offerAll(List<PacketBuffer> fragments, String why) {
        PacketBuffer whole = null;
        for (int i = 0; i < fragments.size(); i++) {
            PacketBuffer out = offer(fragments.get(i));
            boolean last = i == fragments.size() - 1;
            assertThat(out == null).as(why + ": result of fragment " + i + " of " + fragments.size()).isEqualTo(!last);
            whole = out;
        }
        return whole;
    }

    // ------------------------------------------------------------------ round trips and orders

    @Test
    void fragmenterAndReassemblerRoundTripEverySizeTo9000AtMtus68_576_1500() {
        // Nearly a million fragments: a recycling pool, and each datagram's fragments checked as it completes.
        BufferPool pool = new BufferPool();
        reassembler = new Reassembler(loop, pool, counters, Reassembler.Limits.DEFAULT, null);
        int reassembled = 0;
        long fragments = 0;
        for (int mtu : new int[] {68, 576, 1500}) {
            for (int size = 0; size <= 9000; size++) {
                String why = "mtu " + mtu + ", payload " + size;
                PacketBuffer d = datagram(size, new byte[0], size, mtu * 100_000L + size);
                byte[] original = d.toByteArray();
                List<PacketBuffer> fs = Fragmenter.fragment(d, mtu, pool);
                if (original.length <= mtu) {
                    assertThat(fs).as(why).hasSize(1);
                    assertThat(fs.getFirst().toByteArray()).as(why).isEqualTo(original);
                    fs.getFirst().release();
                    continue;
                }
                checkFragments(d, fs, mtu, pool, why);
                PacketBuffer whole = null;
                for (int i = 0; i < fs.size(); i++) {
                    whole = reassembler.offer(null, fs.get(i));
                    if ((whole == null) != (i < fs.size() - 1)) {
                        throw new AssertionError(why + ": result of fragment " + i + " of " + fs.size() + " is " + whole);
                    }
                }
                for (PacketBuffer f : fs) {
                    if (!f.isReleased()) {
                        throw new AssertionError(why + ": a fragment was not released");
                    }
                }
                fragments += fs.size();
                assertThat(Ipv4Header.check(whole)).as(why).isEqualTo(Ipv4Header.Problem.OK);
                assertThat(Ipv4Header.isFragment(whole)).as(why).isFalse();
                assertThat(whole.toByteArray()).as(why + ": byte for byte").isEqualTo(original);
                whole.release();
                reassembled++;
            }
        }
        assertNothingHeld("round trips");
        assertThat(count("ReasmOKs")).isEqualTo(reassembled);
        assertThat(count("ReasmFails")).isZero();
        assertThat(count("ReasmReqds")).isEqualTo(fragments);
    }

    @Test
    void reassemblesInOrderAndReversed() {
        for (int mtu : new int[] {68, 576, 1500}) {
            PacketBuffer d = datagram(mtu, options(FragmenterTest.LSRR), 5000, mtu);
            String why = "mtu " + mtu;
            PacketBuffer inOrder = offerAll(Fragmenter.fragment(d, mtu, pool), why + " in order");
            assertThat(inOrder.toByteArray()).as(why).isEqualTo(d.toByteArray());
            PacketBuffer reversed = offerAll(Fragmenter.fragment(d, mtu, pool).reversed(), why + " reversed");
            assertThat(reversed.toByteArray()).as(why).isEqualTo(d.toByteArray());
        }
        assertNothingHeld("in order and reversed");
    }

    @Test
    void reassemblesShuffledAndDuplicatedFragmentsFor200Seeds() {
        int[] mtus = {68, 576, 1006, 1500, 4352, 9000};
        long duplicates = 0;
        for (long seed = 1; seed <= 200; seed++) {
            Random rnd = new Random(seed);
            int mtu = rnd.nextInt(4) == 0 ? rnd.nextInt(68, 9001) : mtus[rnd.nextInt(mtus.length)];
            int size = rnd.nextInt(mtu - 19, 30_000); // always needs fragmenting
            byte[] opts = rnd.nextBoolean() ? new byte[0] : options(FragmenterTest.SECURITY, FragmenterTest.RECORD_ROUTE);
            PacketBuffer d = datagram((int) seed, opts, size, seed);
            String why = "seed " + seed + " (mtu " + mtu + ", payload " + size + ")";
            List<PacketBuffer> fs = new ArrayList<>(Fragmenter.fragment(d, mtu, pool));
            Collections.shuffle(fs, rnd);
            // Duplicates arrive after their original but before the fragment that completes the datagram.
            PacketBuffer completing = fs.removeLast();
            int dups = fs.isEmpty() ? 0 : rnd.nextInt(fs.size() + 1);
            for (int k = 0; k < dups; k++) {
                int of = rnd.nextInt(fs.size());
                fs.add(rnd.nextInt(of + 1, fs.size() + 1), pool.copyOf(fs.get(of)));
            }
            fs.add(completing);
            duplicates += dups;
            PacketBuffer whole = offerAll(fs, why);
            assertThat(whole.toByteArray()).as(why).isEqualTo(d.toByteArray());
            assertThat(count("DropFragDuplicate")).as(why).isEqualTo(duplicates);
            assertThat(reassembler.datagramsInProgress()).as(why).isZero();
            whole.release();
        }
        assertNothingHeld("shuffled");
        assertThat(count("ReasmOKs")).isEqualTo(200);
        assertThat(count("ReasmFails")).isZero();
    }

    @Test
    void everyFragmentTwice() {
        PacketBuffer d = datagram(42, new byte[0], 4000, 42);
        List<PacketBuffer> fs = Fragmenter.fragment(d, 576, pool);
        List<PacketBuffer> twice = new ArrayList<>();
        for (PacketBuffer f : fs.subList(0, fs.size() - 1)) {
            twice.add(f);
            twice.add(pool.copyOf(f));
        }
        twice.add(fs.getLast());
        PacketBuffer whole = offerAll(twice, "twice");
        assertThat(whole.toByteArray()).isEqualTo(d.toByteArray());
        assertThat(count("DropFragDuplicate")).isEqualTo(fs.size() - 1);
        assertNothingHeld("twice");
    }

    @Test
    void aLastFragmentDuplicatingANonLastOneStillGivesTheEnd() {
        offer(fragment(1, 0, 16, true));
        offer(fragment(1, 16, 16, true));
        // The same bytes again, now saying "last": a duplicate, but it tells the end, which completes the datagram.
        assertReassembled(offer(fragment(1, 16, 16, false)), 1, 32, "end from a duplicate");
        assertThat(count("DropFragDuplicate")).isEqualTo(1);
        assertThat(count("ReasmOKs")).isEqualTo(1);
        assertNothingHeld("end from a duplicate");
    }

    @Test
    void datagramsAreKeptApartBySourceDestinationProtocolAndId() {
        // (1, DST) and (0, DST ^ 0x10000) fold to the same table key (source ^ rotl(destination, 16)):
        // the collision chain must keep them apart.
        int srcA = 1;
        int srcB = 0;
        int dstB = DST ^ 0x0001_0000;
        int id = 5;
        PacketBuffer a0 = fragment(srcA, id, 0, 8, true, 20);
        PacketBuffer b0 = toDestination(fragment(srcB, id, 0, 16, true, 20), dstB);
        PacketBuffer b1 = toDestination(fragment(srcB, id, 16, 8, false, 20), dstB);
        PacketBuffer a1 = fragment(srcA, id, 8, 8, false, 20);
        PacketBuffer otherId = fragment(srcA, id + 1, 0, 8, true, 20);
        assertThat(offer(a0)).isNull();
        assertThat(offer(otherId)).isNull();
        assertThat(offer(b0)).isNull();
        assertThat(reassembler.datagramsInProgress()).isEqualTo(3);
        PacketBuffer b = offer(b1);
        assertReassembled(b, id, 24, "b");
        assertThat(Ipv4Header.source(b)).isEqualTo(srcB);
        assertThat(Ipv4Header.destination(b)).isEqualTo(dstB);
        PacketBuffer a = offer(a1);
        assertReassembled(a, id, 16, "a");
        assertThat(Ipv4Header.source(a)).isEqualTo(srcA);
        assertThat(reassembler.datagramsInProgress()).isEqualTo(1);
        // And the same source, id and destination with another protocol is another datagram.
        PacketBuffer tcp = fragment(srcA, id + 1, 8, 8, false, 20);
        tcp.setU8(Ipv4Header.PROTOCOL, 6);
        Ipv4Header.updateChecksum(tcp);
        assertThat(offer(tcp)).isNull();
        assertThat(reassembler.datagramsInProgress()).isEqualTo(2);
        reassembler.clear();
        assertNothingHeld("keys");
    }

    @Test
    void theReassembledHeaderIsTheFirstFragmentsWithOptions() {
        // Later fragments carry a shorter header; the result has the first one's 32-byte header.
        offer(fragment(SRC, 9, 24, 8, false, 20));
        offer(fragment(SRC, 9, 8, 16, true, 24));
        PacketBuffer d = offer(fragment(SRC, 9, 0, 8, true, 32));
        assertReassembled(d, 9, 32, "options");
        assertThat(Ipv4Header.headerLength(d)).isEqualTo(32);
        for (int i = 20; i < 32; i++) {
            assertThat(d.getU8(i)).isEqualTo(1);
        }
        assertNothingHeld("options");
    }

    @Test
    void aCompletedDatagramCancelsItsTimer() {
        offer(fragment(3, 0, 8, true));
        assertThat(loop.pendingTimers()).isEqualTo(1);
        assertReassembled(offer(fragment(3, 8, 8, false)), 3, 16, "done");
        assertThat(loop.pendingTimers()).isZero();
        loop.advanceNanos(2 * TIMEOUT);
        assertThat(count("ReasmTimeout")).isZero();
        assertThat(timedOut).isEmpty();
    }

    @Test
    void aWholeDatagramIsHandedBackUntouched() {
        PacketBuffer whole = PacketBuffer.copyOf(datagramBytes(SRC, 1, UDP, 0, new byte[0], 100, 1), 160);
        assertThat(reassembler.offer(null, whole)).isSameAs(whole);
        assertThat(count("ReasmReqds")).isZero();
    }

    @Test
    void theLargestLegalDatagramReassemblesAndOneByteMoreIsAPingOfDeath() {
        PacketBuffer d = datagram(7, new byte[0], 65535 - 20, 7);
        PacketBuffer whole = offerAll(Fragmenter.fragment(d, 1500, pool).reversed(), "65535");
        assertThat(whole.toByteArray()).isEqualTo(d.toByteArray());
        whole.release();

        // offset 65512 + 3 bytes = 65515 = 65535 - 20: accepted (and waits for the rest).
        assertThat(offer(fragment(8, 65512, 3, false))).isNull();
        assertThat(reassembler.datagramsInProgress()).isEqualTo(1);
        assertThat(count("DropFragTooLong")).isZero();
        // one byte more: dropped.
        assertThat(offer(fragment(9, 65512, 4, false))).isNull();
        assertThat(count("DropFragTooLong")).isEqualTo(1);
        assertThat(reassembler.datagramsInProgress()).isEqualTo(1);
        reassembler.clear();
        assertNothingHeld("largest");
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void partialOverlapDropsTheDatagramAndFreesItsBytes() {
        record Case(String name, int[][] fragments) {} // {offset, length, more(1/0)}
        List<Case> cases = List.of(
                new Case("straddles the start of one", new int[][] {{16, 16, 1}, {8, 16, 1}}),
                new Case("straddles the end of one", new int[][] {{0, 16, 1}, {8, 16, 1}}),
                new Case("inside one", new int[][] {{0, 32, 1}, {8, 8, 1}}),
                new Case("covers one", new int[][] {{8, 8, 1}, {0, 32, 1}}),
                new Case("same offset, longer", new int[][] {{0, 8, 1}, {0, 16, 1}}),
                new Case("same offset, shorter", new int[][] {{0, 16, 1}, {0, 8, 1}}),
                new Case("reaches into the next", new int[][] {{0, 8, 1}, {32, 8, 0}, {8, 32, 1}}),
                new Case("a second, different end", new int[][] {{0, 8, 1}, {16, 8, 0}, {16, 16, 0}}),
                new Case("an earlier end", new int[][] {{0, 8, 1}, {16, 8, 0}, {8, 4, 0}}),
                new Case("data beyond the end", new int[][] {{0, 8, 1}, {16, 8, 0}, {24, 8, 1}}),
                new Case("an end before data seen", new int[][] {{0, 8, 1}, {32, 8, 1}, {16, 8, 0}}));
        int id = 100;
        for (Case c : cases) {
            id++;
            handedOver.clear();
            long overlaps = count("DropFragOverlap");
            long fails = count("ReasmFails");
            for (int i = 0; i < c.fragments().length; i++) {
                int[] f = c.fragments()[i];
                assertThat(offer(fragment(id, f[0], f[1], f[2] == 1))).as(c.name()).isNull();
                if (i < c.fragments().length - 1) {
                    assertThat(reassembler.datagramsInProgress()).as(c.name()).isEqualTo(1);
                }
            }
            assertThat(count("DropFragOverlap")).as(c.name()).isEqualTo(overlaps + 1);
            assertThat(count("ReasmFails")).as(c.name()).isEqualTo(fails + 1);
            assertNothingHeld(c.name());
        }
        assertThat(count("ReasmOKs")).isZero();
    }

    @Test
    void afterAnOverlapDropTheRestStartsAFreshDatagram() {
        offer(fragment(1, 0, 16, true));
        offer(fragment(1, 8, 16, true)); // overlap: dropped with its datagram
        assertThat(reassembler.datagramsInProgress()).isZero();
        offer(fragment(1, 0, 8, true));
        PacketBuffer d = offer(fragment(1, 8, 8, false));
        assertReassembled(d, 1, 16, "fresh");
    }

    @Test
    void aNonLastFragmentWhoseLengthIsNotAMultipleOf8IsDroppedWithItsDatagram() {
        // alone
        assertThat(offer(fragment(1, 0, 12, true))).isNull();
        assertThat(count("DropFragBadLength")).isEqualTo(1);
        assertThat(count("ReasmFails")).isZero(); // no datagram was in progress
        assertNothingHeld("alone");
        // with a datagram in progress
        PacketBuffer a = fragment(2, 0, 16, true);
        PacketBuffer b = fragment(2, 32, 5, false);
        offer(a);
        offer(b);
        assertThat(reassembler.bytesHeld()).as("buffer memory, not data bytes").isEqualTo(a.capacity() + b.capacity());
        assertThat(offer(fragment(2, 16, 15, true))).isNull();
        assertThat(count("DropFragBadLength")).isEqualTo(2);
        assertThat(count("ReasmFails")).isEqualTo(1);
        assertNothingHeld("in progress");
        // a fragment without data is no better
        offer(fragment(3, 0, 16, true));
        assertThat(offer(fragment(3, 16, 0, false))).isNull();
        assertThat(count("DropFragBadLength")).isEqualTo(3);
        assertNothingHeld("empty");
        // the last fragment may have any length
        offer(fragment(4, 0, 8, true));
        assertReassembled(offer(fragment(4, 8, 13, false)), 4, 21, "odd last");
    }

    @Test
    void pingOfDeathFragmentsAreDropped() {
        // The classic: offset 65528 with more data than the 7 bytes left.
        offer(fragment(1, 0, 1480, true));
        assertThat(offer(fragment(1, 65528, 1480, false))).isNull();
        assertThat(count("DropFragTooLong")).isEqualTo(1);
        assertThat(count("ReasmFails")).isEqualTo(1);
        assertNothingHeld("classic");
        // With a 60-byte header the data may reach only 65475.
        assertThat(offer(fragment(SRC, 2, 65472, 8, false, 60))).isNull();
        assertThat(count("DropFragTooLong")).isEqualTo(2);
        assertNothingHeld("long header");
        // Data that fit behind a 20-byte header, then a first fragment whose 60-byte header does not fit.
        offer(fragment(SRC, 3, 65480, 8, false, 20));
        assertThat(reassembler.datagramsInProgress()).isEqualTo(1);
        assertThat(offer(fragment(SRC, 3, 0, 8, true, 60))).isNull();
        assertThat(count("DropFragTooLong")).isEqualTo(3);
        assertNothingHeld("first header too long");
        // ... and the other way round: the 60-byte first header arrived first.
        offer(fragment(SRC, 4, 0, 8, true, 60));
        assertThat(offer(fragment(SRC, 4, 65480, 8, false, 20))).isNull();
        assertThat(count("DropFragTooLong")).isEqualTo(4);
        assertThat(count("ReasmFails")).isEqualTo(3);
        assertNothingHeld("first header arrived first");
    }

    // ------------------------------------------------------------------ time

    @Test
    void timesOutAtExactlyTheTimeoutAndTellsTheListenerWhenTheFirstFragmentHadArrived() {
        loop.advance(Duration.ofSeconds(7)); // the timeout runs from the first fragment's arrival
        PacketBuffer first = fragment(SRC, 1, 0, 64, true, 24);
        byte[] firstBytes = first.toByteArray();
        PacketBuffer later = fragment(1, 128, 8, false);
        int memory = first.capacity() + later.capacity();
        offer(later);
        loop.advance(Duration.ofSeconds(1));
        offer(first); // later fragments do not push the deadline back
        assertThat(reassembler.bytesHeld()).isEqualTo(memory);

        loop.advanceNanos(TIMEOUT - Duration.ofSeconds(1).toNanos() - 1);
        assertThat(reassembler.datagramsInProgress()).as("1 ns before").isEqualTo(1);
        assertThat(count("ReasmTimeout")).isZero();
        assertThat(timedOut).isEmpty();
        assertThat(first.isReleased()).isFalse();

        loop.advanceNanos(1);
        assertThat(loop.now()).isEqualTo(Duration.ofSeconds(7).toNanos() + TIMEOUT);
        assertThat(count("ReasmTimeout")).isEqualTo(1);
        assertThat(count("ReasmFails")).isEqualTo(1);
        assertThat(timedOut).hasSize(1);
        byte[] given = timedOut.getFirst();
        assertThat(given.length).isGreaterThanOrEqualTo(24 + 8);
        assertThat(java.util.Arrays.copyOf(given, 24 + 8))
                .as("the first fragment's header and 8 data bytes")
                .isEqualTo(java.util.Arrays.copyOf(firstBytes, 24 + 8));
        assertNothingHeld("timed out");
    }

    @Test
    void aTimeoutWithoutTheFirstFragmentTellsNobody() {
        offer(fragment(1, 8, 8, true));
        offer(fragment(1, 24, 8, false));
        loop.advanceNanos(TIMEOUT - 1);
        assertThat(reassembler.datagramsInProgress()).isEqualTo(1);
        loop.advanceNanos(1);
        assertThat(count("ReasmTimeout")).isEqualTo(1);
        assertThat(timedOut).isEmpty();
        assertNothingHeld("no first fragment");
    }

    @Test
    void eachDatagramHasItsOwnDeadline() {
        offer(fragment(1, 0, 8, true));
        loop.advance(Duration.ofSeconds(10));
        offer(fragment(2, 0, 8, true));
        loop.advanceNanos(TIMEOUT - Duration.ofSeconds(10).toNanos());
        assertThat(count("ReasmTimeout")).isEqualTo(1);
        assertThat(reassembler.datagramsInProgress()).isEqualTo(1);
        loop.advance(Duration.ofSeconds(10));
        assertThat(count("ReasmTimeout")).isEqualTo(2);
        assertThat(timedOut).hasSize(2);
        assertNothingHeld("two deadlines");
    }

    @Test
    void theListenerIsGivenTheInterfaceTheFirstFragmentCameIn() {
        NetworkStack stack = TestHosts.host(loop, "h", 1)
                .layers(List.of(new EthernetLayerProvider()))
                .on(new Cable("c"), "10.0.0.1/24")
                .build();
        try {
            NetInterface iface = stack.primaryInterface();
            PacketBuffer first = fragment(1, 0, 8, true);
            handedOver.add(first);
            assertThat(reassembler.offer(iface, first)).isNull();
            loop.advanceNanos(TIMEOUT);
            assertThat(timedOutOn).containsExactly(iface);
            assertNothingHeld("with an interface");
        } finally {
            stack.close();
        }
    }

    @Test
    void clearReleasesEverythingAndCancelsTimers() {
        for (int id = 0; id < 10; id++) {
            offer(fragment(id, 0, 8, true));
            offer(fragment(id, 16, 8, false));
        }
        assertThat(reassembler.datagramsInProgress()).isEqualTo(10);
        assertThat(loop.pendingTimers()).isEqualTo(10);
        reassembler.clear();
        assertNothingHeld("cleared");
        loop.advanceNanos(2 * TIMEOUT);
        assertThat(count("ReasmTimeout")).isZero();
        // and it still works afterwards
        offer(fragment(1, 0, 8, true));
        assertReassembled(offer(fragment(1, 8, 8, false)), 1, 16, "after clear");
    }

    // ------------------------------------------------------------------ bounds

    @Test
    void aFloodOfUnfinishedDatagramsStaysWithinTheLimitsAndReleasesEveryEvictedBuffer() {
        long seed = 20_240_917L;
        Random rnd = new Random(seed);
        Reassembler.Limits limits = new Reassembler.Limits(64, 32 * 1024, TIMEOUT);
        reassembler = newReassembler(limits);
        Map<PacketBuffer, Integer> dataLength = new java.util.IdentityHashMap<>();
        int started = 0;
        for (int i = 0; i < 10_000; i++) {
            String why = "seed " + seed + ", datagram " + i;
            int src = 0x0A00_0000 | (i >>> 16);
            int id = i & 0xFFFF;
            // Mostly small fragments (the count bound binds), sometimes big ones (the byte bound binds);
            // never the last fragment at offset 0, so nothing completes.
            int length = rnd.nextInt(4) == 0 ? 8 * rnd.nextInt(100, 186) : 8 * rnd.nextInt(1, 20);
            int offset = 8 * rnd.nextInt(0, 100);
            PacketBuffer f = fragment(src, id, offset, length, true, 20);
            dataLength.put(f, length);
            assertThat(offer(f)).as(why).isNull();
            started++;
            if (rnd.nextInt(3) == 0) { // a second fragment for the same datagram
                PacketBuffer g = fragment(src, id, offset + length, 8, true, 20);
                dataLength.put(g, 8);
                offer(g);
            }
            assertThat(reassembler.datagramsInProgress()).as(why).isBetween(1, limits.maxDatagrams());
            assertThat(reassembler.bytesHeld()).as(why).isBetween(1, limits.maxBytes());
            if (i % 97 == 0 || i > 9_990) {
                // What is held is exactly what has not been released.
                int unreleased = 0;
                for (PacketBuffer b : handedOver) {
                    if (!b.isReleased()) {
                        unreleased += b.capacity();
                    }
                }
                assertThat(unreleased).as(why + ": bytes held = memory of unreleased buffers").isEqualTo(reassembler.bytesHeld());
            }
        }
        long evicted = count("DropFragEvicted");
        assertThat(evicted).as("seed " + seed).isEqualTo(started - reassembler.datagramsInProgress());
        assertThat(count("ReasmFails")).isEqualTo(evicted);
        assertThat(count("ReasmOKs")).isZero();
        reassembler.clear();
        assertNothingHeld("seed " + seed + ": after clear");
    }

    @Test
    void aDatagramThatOutgrowsTheByteLimitAloneIsEvicted() {
        // The limit counts buffer memory: room for two and a half fragment buffers.
        int cap = fragment(9, 0, 8, true).capacity();
        reassembler = newReassembler(new Reassembler.Limits(4, 2 * cap + cap / 2, TIMEOUT));
        offer(fragment(1, 0, 8, true)); // the oldest, evicted first
        offer(fragment(2, 0, 1480, true));
        assertThat(reassembler.datagramsInProgress()).isEqualTo(2);
        offer(fragment(2, 1480, 1480, true)); // a third buffer does not fit: datagram 1 goes
        assertThat(count("DropFragEvicted")).isEqualTo(1);
        assertThat(reassembler.datagramsInProgress()).isEqualTo(1);
        offer(fragment(2, 2960, 1480, true)); // datagram 2 alone would need three: it goes itself
        assertThat(count("DropFragEvicted")).isEqualTo(2);
        assertNothingHeld("outgrown");
    }

    @Test
    void limitsMustBePositive() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new Reassembler.Limits(0, 1, 1));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new Reassembler.Limits(1, 0, 1));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> new Reassembler.Limits(1, 1, 0));
    }

    @Test
    void aNewDatagramBeyondTheCountEvictsTheOldest() {
        reassembler = newReassembler(new Reassembler.Limits(2, 1 << 20, TIMEOUT));
        PacketBuffer a = fragment(1, 0, 8, true);
        offer(a);
        offer(fragment(2, 0, 8, true));
        offer(fragment(1, 16, 8, false)); // a fragment for an old datagram does not make it younger
        PacketBuffer c = fragment(3, 0, 8, true);
        offer(c);
        assertThat(a.isReleased()).isTrue();
        assertThat(reassembler.datagramsInProgress()).isEqualTo(2);
        assertThat(count("DropFragEvicted")).isEqualTo(1);
        assertThat(loop.pendingTimers()).isEqualTo(2);
        // datagram 2 is still there and completes
        assertReassembled(offer(fragment(2, 8, 8, false)), 2, 16, "survivor");
    }

    // ------------------------------------------------------------------ ECN (RFC 3168 5.3)

    /** A hand-made fragment whose TOS byte carries DSCP 10 and ECN {@code ecn}. */
    private PacketBuffer fragment(int id, int offset, int length, boolean more, int ecn) {
        PacketBuffer b = fragment(id, offset, length, more);
        b.setU8(Ipv4Header.TOS, 10 << 2 | ecn);
        Ipv4Header.updateChecksum(b);
        return b;
    }

    @Test
    void aCeOnAnyEctFragmentMakesTheDatagramCe() {
        for (int marked = 0; marked < 3; marked++) {
            int id = 100 + marked;
            PacketBuffer d = null;
            for (int i = 0; i < 3; i++) {
                d = offer(fragment(id, i * 8, 8, i < 2, i == marked ? Ecn.CE : Ecn.ECT_0));
            }
            assertReassembled(d, id, 24, "CE on fragment " + marked);
            assertThat(Ipv4Header.tos(d)).as("CE on fragment %d: DSCP kept, CE set", marked).isEqualTo(10 << 2 | Ecn.CE);
            d.release();
        }
        assertThat(count("ReasmOKs")).isEqualTo(3);
        assertNothingHeld("CE");
    }

    @Test
    void fragmentsThatAgreeKeepTheirCodepoint() {
        for (int ecn : new int[] {Ecn.NOT_ECT, Ecn.ECT_0, Ecn.ECT_1}) {
            int id = 200 + ecn;
            offer(fragment(id, 0, 8, true, ecn));
            PacketBuffer d = offer(fragment(id, 8, 8, false, ecn));
            assertReassembled(d, id, 16, "ECN " + ecn);
            assertThat(Ecn.of(Ipv4Header.tos(d))).isEqualTo(ecn);
            d.release();
        }
        assertNothingHeld("agreeing fragments");
    }

    @Test
    void notEctBesideEctOrCeDropsTheDatagram() {
        int[][] cases = {{Ecn.NOT_ECT, Ecn.CE}, {Ecn.CE, Ecn.NOT_ECT}, {Ecn.ECT_0, Ecn.NOT_ECT}};
        for (int i = 0; i < cases.length; i++) {
            offer(fragment(300 + i, 0, 8, true, cases[i][0]));
            assertThat(offer(fragment(300 + i, 8, 8, false, cases[i][1]))).as("case %d", i).isNull();
        }
        assertThat(count("DropFragEcn")).isEqualTo(3);
        assertThat(count("ReasmFails")).isEqualTo(3);
        assertThat(count("ReasmOKs")).isZero();
        assertNothingHeld("contradicting fragments");
    }
}
