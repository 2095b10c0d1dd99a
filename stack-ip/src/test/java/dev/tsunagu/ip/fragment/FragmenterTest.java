package dev.tsunagu.ip.fragment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.stats.Statistics;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FragmenterTest {
    static final int SRC = 0x0A00_0001; // 10.0.0.1
    static final int DST = 0x0A00_0002; // 10.0.0.2
    static final int UDP = 17;

    // Options (RFC 791): copied ones have the high bit of the type set.
    static final byte[] LSRR = {(byte) 0x83, 7, 4, 10, 0, 0, 9};                 // copied
    static final byte[] RECORD_ROUTE = {0x07, 7, 4, 0, 0, 0, 0};                 // not copied
    static final byte[] SECURITY = {(byte) 0x82, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}; // copied
    static final byte[] TIMESTAMP = {0x44, 8, 5, 0, 0, 0, 0, 0};                 // not copied
    static final byte[] NOP = {1};

    private final BufferPool pool = new BufferPool();

    // ------------------------------------------------------------------ building datagrams

    /** Options concatenated and padded with end-of-list to a multiple of 4. */
    static byte[] options(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        while (o.size() % 4 != 0) {
            o.write(0);
        }
        return o.toByteArray();
    }

    /** A whole datagram as bytes: header (with {@code options}, checksummed), then seeded random payload. */
    static byte[] datagramBytes(int src, int id, int protocol, int flags, byte[] options, int payloadLength, long seed) {
        int hlen = 20 + options.length;
        byte[] d = new byte[hlen + payloadLength];
        d[0] = (byte) (0x40 | hlen / 4);
        d[1] = 0;
        put16(d, 2, hlen + payloadLength);
        put16(d, 4, id);
        put16(d, 6, flags);
        d[8] = 64;
        d[9] = (byte) protocol;
        put32(d, 12, src);
        put32(d, 16, DST);
        System.arraycopy(options, 0, d, 20, options.length);
        put16(d, 10, InternetChecksum.compute(d, 0, hlen));
        byte[] payload = new byte[payloadLength];
        new Random(seed).nextBytes(payload);
        System.arraycopy(payload, 0, d, hlen, payloadLength);
        return d;
    }

    static PacketBuffer datagram(int id, byte[] options, int payloadLength, long seed) {
        return PacketBuffer.copyOf(datagramBytes(SRC, id, UDP, 0, options, payloadLength, seed), BufferPool.DEFAULT_HEADROOM);
    }

    static void put16(byte[] a, int i, int v) {
        a[i] = (byte) (v >>> 8);
        a[i + 1] = (byte) v;
    }

    static void put32(byte[] a, int i, int v) {
        put16(a, i, v >>> 16);
        put16(a, i + 2, v);
    }

    /**
     * Checks what every fragment of a datagram must satisfy and returns the data bytes joined in
     * offset order. Plain checks rather than AssertJ: the round-trip test runs this on nearly a
     * million fragments.
     */
    static byte[] checkFragments(PacketBuffer original, List<PacketBuffer> fragments, int mtu, BufferPool pool, String why) {
        int offsetBase = Ipv4Header.fragmentOffset(original);
        boolean originalMf = Ipv4Header.moreFragments(original);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int expectedOffset = offsetBase;
        for (int i = 0; i < fragments.size(); i++) {
            PacketBuffer f = fragments.get(i);
            int index = i;
            java.util.function.Function<String, String> at = what -> why + ", fragment " + index + " of "
                    + fragments.size() + ": " + what + " (" + HexFormat.of().formatHex(f.toByteArray(), 0, Math.min(f.length(), 60)) + ")";
            boolean last = i == fragments.size() - 1;
            check(Ipv4Header.check(f) == Ipv4Header.Problem.OK, at, "header check " + Ipv4Header.check(f));
            check(f.length() <= mtu, at, "length " + f.length() + " beyond the MTU");
            check(f.length() == Ipv4Header.totalLength(f), at, "total length");
            check(f.headroom() >= pool.headroom(), at, "headroom " + f.headroom());
            check(!f.isReleased(), at, "released");
            int hlen = Ipv4Header.headerLength(f);
            int n = f.length() - hlen;
            check(n > 0, at, "no data");
            check(last || n % 8 == 0, at, "non-last data length " + n + " not a multiple of 8");
            check(Ipv4Header.fragmentOffset(f) == expectedOffset, at, "offset " + Ipv4Header.fragmentOffset(f) + ", expected " + expectedOffset);
            check(Ipv4Header.moreFragments(f) == (!last || originalMf), at, "MF");
            check(!Ipv4Header.dontFragment(f), at, "DF");
            check(Ipv4Header.identification(f) == Ipv4Header.identification(original), at, "identification");
            check(Ipv4Header.source(f) == Ipv4Header.source(original), at, "source");
            check(Ipv4Header.destination(f) == Ipv4Header.destination(original), at, "destination");
            check(Ipv4Header.protocol(f) == Ipv4Header.protocol(original), at, "protocol");
            check(Ipv4Header.ttl(f) == Ipv4Header.ttl(original), at, "TTL");
            check(Ipv4Header.tos(f) == Ipv4Header.tos(original), at, "TOS");
            data.write(f.array(), f.start() + hlen, n);
            expectedOffset += n;
        }
        return data.toByteArray();
    }

    private static void check(boolean ok, java.util.function.Function<String, String> at, String what) {
        if (!ok) {
            throw new AssertionError(at.apply(what));
        }
    }

    static byte[] payloadOf(PacketBuffer d) {
        int hlen = Ipv4Header.headerLength(d);
        return Arrays.copyOfRange(d.array(), d.start() + hlen, d.start() + Ipv4Header.totalLength(d));
    }

    static byte[] headerOf(PacketBuffer d) {
        return Arrays.copyOfRange(d.array(), d.start(), d.start() + Ipv4Header.headerLength(d));
    }

    // ------------------------------------------------------------------ tests

    @Test
    void refusesDontFragmentAndMtusBelow68() {
        PacketBuffer df = PacketBuffer.copyOf(datagramBytes(SRC, 1, UDP, Ipv4Header.FLAG_DF, new byte[0], 2000, 1), 160);
        assertThatThrownBy(() -> Fragmenter.fragment(df, 1500, pool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DF");
        PacketBuffer d = datagram(2, new byte[0], 2000, 2);
        assertThatThrownBy(() -> Fragmenter.fragment(d, 67, pool))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("68");
        assertThat(Fragmenter.fragment(d, 68, pool)).hasSize((2000 + 47) / 48);
    }

    @Test
    void aDatagramThatFitsComesBackAsOneCopy() {
        PacketBuffer d = datagram(3, options(LSRR, RECORD_ROUTE), 1000, 3);
        List<PacketBuffer> out = Fragmenter.fragment(d, d.length(), pool);
        assertThat(out).hasSize(1);
        assertThat(out.getFirst()).isNotSameAs(d);
        assertThat(out.getFirst().toByteArray()).isEqualTo(d.toByteArray());
        assertThat(out.getFirst().headroom()).isGreaterThanOrEqualTo(pool.headroom());
        assertThat(d.isReleased()).isFalse();
    }

    @Test
    void splitsIntoEightByteMultiplesWithinTheMtuWithValidHeaders() {
        for (int mtu : new int[] {68, 69, 75, 576, 1006, 1500, 9000}) {
            for (int size : new int[] {1, 7, 8, 47, 48, 49, 1480, 1481, 4000, 9000, 65515}) {
                PacketBuffer d = datagram(size & 0xFFFF, new byte[0], size, size * 31L + mtu);
                String why = "mtu " + mtu + ", payload " + size;
                List<PacketBuffer> fs = Fragmenter.fragment(d, mtu, pool);
                if (d.length() <= mtu) {
                    assertThat(fs).as(why).hasSize(1);
                } else {
                    int per = (mtu - 20) & ~7;
                    assertThat(fs).as(why).hasSize((size + per - 1) / per);
                    assertThat(checkFragments(d, fs, mtu, pool, why)).as(why).isEqualTo(payloadOf(d));
                }
                assertThat(d.isReleased()).as(why + ": the datagram stays the caller's").isFalse();
                fs.forEach(PacketBuffer::release);
            }
        }
    }

    @Test
    void copiedOptionsGoIntoEveryFragmentOthersOnlyIntoTheFirst() {
        byte[] opts = options(NOP, LSRR, RECORD_ROUTE, SECURITY, TIMESTAMP); // 1+7+7+11+8 = 34 -> 36
        PacketBuffer d = datagram(77, opts, 3000, 77);
        assertThat(Ipv4Header.headerLength(d)).isEqualTo(56);
        List<PacketBuffer> fs = Fragmenter.fragment(d, 576, pool);
        String why = "options " + Arrays.toString(opts);
        assertThat(checkFragments(d, fs, 576, pool, why)).isEqualTo(payloadOf(d));

        // The first fragment: the original header, options and all.
        PacketBuffer first = fs.getFirst();
        assertThat(Ipv4Header.headerLength(first)).isEqualTo(56);
        assertThat(Arrays.copyOfRange(headerOf(first), 20, 56)).isEqualTo(opts);
        assertThat(first.length() - 56).isEqualTo((576 - 56) & ~7);

        // The rest: only LSRR and security, padded to 20 bytes of options.
        byte[] copied = options(LSRR, SECURITY); // 7 + 11 = 18 -> 20
        for (PacketBuffer f : fs.subList(1, fs.size())) {
            assertThat(Ipv4Header.headerLength(f)).as(why).isEqualTo(40);
            assertThat(Arrays.copyOfRange(headerOf(f), 20, 40)).as(why).isEqualTo(copied);
            // fixed part identical apart from IHL, total length, flags/offset and checksum
            byte[] h = headerOf(f);
            byte[] o = headerOf(d);
            assertThat(h[0]).isEqualTo((byte) 0x4A);
            assertThat(Arrays.copyOfRange(h, 4, 6)).isEqualTo(Arrays.copyOfRange(o, 4, 6));
            assertThat(Arrays.copyOfRange(h, 8, 10)).isEqualTo(Arrays.copyOfRange(o, 8, 10));
            assertThat(Arrays.copyOfRange(h, 12, 20)).isEqualTo(Arrays.copyOfRange(o, 12, 20));
        }
        assertThat(fs.get(1).length() - 40).isEqualTo((576 - 40) & ~7);

        // And they reassemble into the original, byte for byte.
        Reassembler r = new Reassembler(new VirtualEventLoop(), pool, new Statistics().group("ip"),
                Reassembler.Limits.DEFAULT, null);
        PacketBuffer whole = null;
        for (PacketBuffer f : fs.reversed()) {
            whole = r.offer(null, f);
        }
        assertThat(whole).isNotNull();
        assertThat(whole.toByteArray()).isEqualTo(d.toByteArray());
    }

    @Test
    void withOnlyUncopiedOptionsLaterFragmentsHaveABareHeader() {
        PacketBuffer d = datagram(5, options(RECORD_ROUTE, TIMESTAMP, NOP), 2000, 5);
        List<PacketBuffer> fs = Fragmenter.fragment(d, 1000, pool);
        assertThat(checkFragments(d, fs, 1000, pool, "uncopied")).isEqualTo(payloadOf(d));
        assertThat(Ipv4Header.headerLength(fs.getFirst())).isEqualTo(36); // 7 + 8 + 1 = 16 option bytes
        for (PacketBuffer f : fs.subList(1, fs.size())) {
            assertThat(Ipv4Header.headerLength(f)).isEqualTo(20);
        }
    }

    @Test
    void optionsAfterEndOfListOrAMalformedOptionAreNotCopied() {
        // LSRR, end of list, then bytes that look like a security option: only LSRR is an option.
        PacketBuffer d = datagram(6, options(LSRR, new byte[] {0}, SECURITY), 2000, 6);
        List<PacketBuffer> fs = Fragmenter.fragment(d, 1000, pool);
        assertThat(Arrays.copyOfRange(headerOf(fs.get(1)), 20, Ipv4Header.headerLength(fs.get(1))))
                .isEqualTo(options(LSRR));
        // A copied option whose length runs past the header: the walk stops before it.
        byte[] broken = options(SECURITY, new byte[] {(byte) 0x83, 40, 0});
        PacketBuffer b = datagram(7, broken, 2000, 7);
        List<PacketBuffer> bs = Fragmenter.fragment(b, 1000, pool);
        assertThat(checkFragments(b, bs, 1000, pool, "broken")).isEqualTo(payloadOf(b));
        assertThat(Arrays.copyOfRange(headerOf(bs.get(1)), 20, Ipv4Header.headerLength(bs.get(1))))
                .isEqualTo(options(SECURITY));
    }

    @Test
    void refragmentingAFragmentKeepsItsOffsetBaseAndItsMoreFragmentsFlag() {
        PacketBuffer d = datagram(9, options(LSRR), 7000, 9); // 4 pieces of 1472 and one of 1112
        List<PacketBuffer> firstHop = Fragmenter.fragment(d, 1500, pool);
        assertThat(firstHop).hasSize(5);
        // A router with a smaller MTU fragments a middle piece (MF set) and the last (MF clear) again.
        PacketBuffer middle = firstHop.get(2);
        PacketBuffer last = firstHop.get(4);
        List<PacketBuffer> again = new ArrayList<>();
        for (PacketBuffer piece : List.of(middle, last)) {
            List<PacketBuffer> fs = Fragmenter.fragment(piece, 576, pool);
            String why = "refragmenting offset " + Ipv4Header.fragmentOffset(piece);
            assertThat(fs).as(why).hasSizeGreaterThan(1);
            assertThat(checkFragments(piece, fs, 576, pool, why)).as(why).isEqualTo(payloadOf(piece));
            assertThat(Ipv4Header.fragmentOffset(fs.getFirst())).isEqualTo(Ipv4Header.fragmentOffset(piece));
            assertThat(Ipv4Header.moreFragments(fs.getLast())).isEqualTo(Ipv4Header.moreFragments(piece));
            again.addAll(fs);
            piece.release();
        }
        assertThat(Ipv4Header.moreFragments(again.getLast())).isFalse();

        // The destination puts the original back together from both generations of pieces.
        List<PacketBuffer> arriving = new ArrayList<>(List.of(firstHop.get(0), firstHop.get(1), firstHop.get(3)));
        arriving.addAll(again);
        java.util.Collections.shuffle(arriving, new Random(9));
        Reassembler r = new Reassembler(new VirtualEventLoop(), pool, new Statistics().group("ip"),
                Reassembler.Limits.DEFAULT, null);
        PacketBuffer whole = null;
        for (int i = 0; i < arriving.size(); i++) {
            PacketBuffer out = r.offer(null, arriving.get(i));
            assertThat(out == null).as("piece " + i).isEqualTo(i < arriving.size() - 1);
            whole = out;
        }
        assertThat(whole.toByteArray()).isEqualTo(d.toByteArray());
    }

    @Test
    void theLargestDatagramFragmentsAtTheSmallestMtu() {
        PacketBuffer d = datagram(0xFFFF, new byte[0], 65535 - 20, 65535);
        List<PacketBuffer> fs = Fragmenter.fragment(d, 68, pool);
        assertThat(fs).hasSize((65515 + 47) / 48);
        assertThat(checkFragments(d, fs, 68, pool, "65535 at 68")).isEqualTo(payloadOf(d));
        assertThat(Ipv4Header.fragmentOffset(fs.getLast())).isEqualTo(65515 / 48 * 48);
    }

    @Test
    void theReservedFlagBitIsKept() {
        PacketBuffer d = PacketBuffer.copyOf(datagramBytes(SRC, 11, UDP, 0x8000, new byte[0], 3000, 11), 160);
        for (PacketBuffer f : Fragmenter.fragment(d, 1500, pool)) {
            assertThat(f.getU16(Ipv4Header.FLAGS_FRAGMENT) & 0x8000).isEqualTo(0x8000);
            assertThat(Ipv4Header.check(f)).isEqualTo(Ipv4Header.Problem.OK);
        }
    }
}
