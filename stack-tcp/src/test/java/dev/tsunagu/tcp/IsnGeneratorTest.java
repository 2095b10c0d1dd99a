package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * RFC 6528 initial sequence numbers: Guava's SipHash-2-4 against the reference vectors (the key
 * and byte-order conventions F relies on), then
 * {@code ISN = M + F(4-tuple, secret)} with M ticking every 4 µs.
 */
class IsnGeneratorTest {
    /** The reference key 00 01 02 … 0f, read little-endian as the reference code does. */
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    private static final int LOCAL = 0x0A00_0001;
    private static final int REMOTE = 0x0A00_0002;

    /**
     * SipHash-2-4 of the messages 00, 00 01, …, 00 01 … 3e (lengths 0 to 63) under the
     * reference key: {@code vectors.h} of the reference implementation (github.com/veorq/SipHash).
     */
    private static final long[] VECTORS = {
        0x726fdb47dd0e0e31L, 0x74f839c593dc67fdL, 0x0d6c8009d9a94f5aL, 0x85676696d7fb7e2dL,
        0xcf2794e0277187b7L, 0x18765564cd99a68dL, 0xcbc9466e58fee3ceL, 0xab0200f58b01d137L,
        0x93f5f5799a932462L, 0x9e0082df0ba9e4b0L, 0x7a5dbbc594ddb9f3L, 0xf4b32f46226bada7L,
        0x751e8fbc860ee5fbL, 0x14ea5627c0843d90L, 0xf723ca908e7af2eeL, 0xa129ca6149be45e5L,
        0x3f2acc7f57c29bdbL, 0x699ae9f52cbe4794L, 0x4bc1b3f0968dd39cL, 0xbb6dc91da77961bdL,
        0xbed65cf21aa2ee98L, 0xd0f2cbb02e3b67c7L, 0x93536795e3a33e88L, 0xa80c038ccd5ccec8L,
        0xb8ad50c6f649af94L, 0xbce192de8a85b8eaL, 0x17d835b85bbb15f3L, 0x2f2e6163076bcfadL,
        0xde4daaaca71dc9a5L, 0xa6a2506687956571L, 0xad87a3535c49ef28L, 0x32d892fad841c342L,
        0x7127512f72f27cceL, 0xa7f32346f95978e3L, 0x12e0b01abb051238L, 0x15e034d40fa197aeL,
        0x314dffbe0815a3b4L, 0x027990f029623981L, 0xcadcd4e59ef40c4dL, 0x9abfd8766a33735cL,
        0x0e3ea96b5304a7d0L, 0xad0c42d6fc585992L, 0x187306c89bc215a9L, 0xd4a60abcf3792b95L,
        0xf935451de4f21df2L, 0xa9538f0419755787L, 0xdb9acddff56ca510L, 0xd06c98cd5c0975ebL,
        0xe612a3cb9ecba951L, 0xc766e62cfcadaf96L, 0xee64435a9752fe72L, 0xa192d576b245165aL,
        0x0a8787bf8ecb74b2L, 0x81b3e73d20b49b6fL, 0x7fa8220ba3b2eceaL, 0x245731c13ca42499L,
        0xb78dbfaf3a8d83bdL, 0xea1ad565322a1a0bL, 0x60e61c23a3795013L, 0x6606d7e446282b93L,
        0x6ca4ecb15c5f91e1L, 0x9f626da15c9625f3L, 0xe51b38608ef25f57L, 0x958a324ceb064572L,
    };

    /** A key source that hands out the given longs in turn and counts the draws. */
    private static final class FixedKeys implements RandomGenerator {
        private final long[] values;
        int draws;

        FixedKeys(long... values) {
            this.values = values;
        }

        @Override
        public long nextLong() {
            return values[draws++];
        }
    }

    private static byte[] tupleBytes(int localIp, int localPort, int remoteIp, int remotePort) {
        return ByteBuffer.allocate(12).putInt(localIp).putShort((short) localPort).putInt(remoteIp)
                .putShort((short) remotePort).array();
    }

    // ---- F: SipHash-2-4 (Guava's), keyed and laid out as the reference code does ----

    private static final HashFunction REFERENCE = Hashing.sipHash24(K0, K1);

    private static long sipHash24(long k0, long k1, byte[] message) {
        return Hashing.sipHash24(k0, k1).hashBytes(message).asLong();
    }

    @Test
    void sipHashMatchesThePapersExample() {
        // Aumasson and Bernstein, "SipHash: a fast short-input PRF", appendix A: 15 bytes 00..0e.
        byte[] message = new byte[15];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
        assertThat(sipHash24(K0, K1, message)).isEqualTo(0xa129ca6149be45e5L);
    }

    /** Pins the conventions F relies on: the key halves' order and the result read as a little-endian long. */
    @Test
    void sipHashMatchesTheReferenceVectorsForLengthsZeroTo63() {
        byte[] message = new byte[64];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
        for (int length = 0; length < 64; length++) {
            assertThat(REFERENCE.hashBytes(message, 0, length).asLong()).as("length %d", length)
                    .isEqualTo(VECTORS[length]);
        }
    }

    @Test
    void theTupleHashIsSipHashOfTheTwelveBytesInNetworkOrder() {
        Random random = new Random(6528);
        for (int i = 0; i < 10_000; i++) {
            long k0 = random.nextLong();
            long k1 = random.nextLong();
            int lip = random.nextInt();
            int lport = random.nextInt(0x10000);
            int rip = random.nextInt();
            int rport = random.nextInt(0x10000);
            assertThat(IsnGenerator.hashTuple(Hashing.sipHash24(k0, k1), lip, lport, rip, rport))
                    .isEqualTo(sipHash24(k0, k1, tupleBytes(lip, lport, rip, rport)));
        }
    }

    /**
     * Known answers computed by the hand-written SipHash this class used before Guava's: the ISNs
     * and timestamp offsets a seeded stack makes (and so the tour's output) did not change.
     */
    @Test
    void theIsnAndTimestampOffsetAreThoseOfTheReferenceKeyedHash() {
        IsnGenerator isn = new IsnGenerator(new FixedKeys(K0, K1));
        assertThat(IsnGenerator.hashTuple(REFERENCE, LOCAL, 40000, REMOTE, 8080)).isEqualTo(0xe63a897b9b537ecaL);
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, 0)).isEqualTo(0x9b537eca);
        assertThat(isn.timestampOffset(LOCAL, 40000, REMOTE, 8080)).as("the key's halves swapped")
                .isEqualTo((int) 0x46376dac476322e3L);
    }

    // ---- ISN = M + F ----

    @Test
    void theIsnIsTheFourMicrosecondClockPlusTheTruncatedHash() {
        FixedKeys keys = new FixedKeys(K0, K1);
        IsnGenerator isn = new IsnGenerator(keys);
        assertThat(keys.draws).as("a 128-bit secret: two longs, once").isEqualTo(2);
        long f = sipHash24(K0, K1, tupleBytes(LOCAL, 40000, REMOTE, 8080));
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, 0)).isEqualTo((int) f);
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, 3_999)).isEqualTo((int) f);
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, 4_000)).isEqualTo((int) f + 1);
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, 1_000_000_000)).isEqualTo((int) f + 250_000);
        assertThat(keys.draws).as("no draws per ISN").isEqualTo(2);
    }

    @Test
    void forOneTupleTheIsnAdvancesByElapsedNanosOver4000() {
        IsnGenerator isn = new IsnGenerator(new SplittableRandom(1));
        long t0 = 123_456_789_000L;
        int base = isn.isn(LOCAL, 40000, REMOTE, 8080, t0);
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, t0 + 4_000) - base).isEqualTo(1);
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, t0 + 1_000_000) - base).as("250 per millisecond").isEqualTo(250);
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, t0 + 1_000_000_000) - base).isEqualTo(250_000);
        Random random = new Random(2);
        for (int i = 0; i < 1000; i++) {
            long delta = random.nextLong(0, 3_600_000_000_000L);
            assertThat(isn.isn(LOCAL, 40000, REMOTE, 8080, t0 + delta) - base)
                    .isEqualTo((int) ((t0 + delta) / 4000 - t0 / 4000));
        }
    }

    @Test
    void theClockWrapsAfter2To32TicksAboutFourAndAHalfHours() {
        IsnGenerator isn = new IsnGenerator(new SplittableRandom(3));
        long wrap = (1L << 32) * IsnGenerator.TICK_NANOS;
        assertThat(wrap).isEqualTo(17_179_869_184_000L);
        assertThat(isn.isn(LOCAL, 1, REMOTE, 2, 5_000 + wrap)).isEqualTo(isn.isn(LOCAL, 1, REMOTE, 2, 5_000));
    }

    @Test
    void theClockNeverStepsBackAcrossZero() {
        IsnGenerator isn = new IsnGenerator(new SplittableRandom(4));
        int previous = isn.isn(LOCAL, 1, REMOTE, 2, -20_000);
        for (long t = -19_000; t <= 20_000; t += 1_000) {
            int now = isn.isn(LOCAL, 1, REMOTE, 2, t);
            assertThat(now - previous).as("at %d ns", t).isBetween(0, 1);
            previous = now;
        }
        assertThat(isn.isn(LOCAL, 1, REMOTE, 2, -1) - isn.isn(LOCAL, 1, REMOTE, 2, 0)).isEqualTo(-1);
    }

    @Test
    void eachPartOfTheTupleChangesTheIsn() {
        IsnGenerator isn = new IsnGenerator(new SplittableRandom(5));
        long now = 42_000_000;
        int base = isn.isn(LOCAL, 40000, REMOTE, 8080, now);
        assertThat(isn.isn(LOCAL + 1, 40000, REMOTE, 8080, now)).isNotEqualTo(base);
        assertThat(isn.isn(LOCAL, 40001, REMOTE, 8080, now)).isNotEqualTo(base);
        assertThat(isn.isn(LOCAL, 40000, REMOTE + 1, 8080, now)).isNotEqualTo(base);
        assertThat(isn.isn(LOCAL, 40000, REMOTE, 8081, now)).isNotEqualTo(base);
        assertThat(isn.isn(REMOTE, 8080, LOCAL, 40000, now)).as("the other end's view").isNotEqualTo(base);
        // Consecutive local ports, as an ephemeral port allocator hands them out, look unrelated.
        Set<Integer> seen = new HashSet<>();
        for (int port = 32768; port < 32768 + 10_000; port++) {
            seen.add(isn.isn(LOCAL, port, REMOTE, 80, now));
        }
        assertThat(seen).hasSizeGreaterThan(9_990);
    }

    @Test
    void twoSecretsGiveUnrelatedIsnsAndOneSeedTheSame() {
        IsnGenerator a = new IsnGenerator(new SplittableRandom(6));
        IsnGenerator b = new IsnGenerator(new SplittableRandom(7));
        IsnGenerator again = new IsnGenerator(new SplittableRandom(6));
        int differ = 0;
        for (int port = 1; port <= 100; port++) {
            int isnA = a.isn(LOCAL, port, REMOTE, 80, 1_000);
            if (isnA != b.isn(LOCAL, port, REMOTE, 80, 1_000)) {
                differ++;
            }
            assertThat(again.isn(LOCAL, port, REMOTE, 80, 1_000)).isEqualTo(isnA);
        }
        assertThat(differ).isEqualTo(100);
    }

    @Test
    void theKeySourceIsRequired() {
        assertThatThrownBy(() -> new IsnGenerator(null)).isInstanceOf(NullPointerException.class);
    }

    /**
     * The family-neutral form: for IPv4 the very value of the int form (so ISNs and timestamp
     * offsets did not change with the addresses' type), for IPv6 the keyed hash over the 36
     * bytes of the 4-tuple, different per address.
     */
    @Test
    void addressesOfEitherFamilyHashTheirWholeTuple() {
        IsnGenerator isn = new IsnGenerator(new SplittableRandom(8));
        dev.tsunagu.net.Ipv4Address a4 = dev.tsunagu.net.Ipv4Address.parse("10.0.0.1");
        dev.tsunagu.net.Ipv4Address b4 = dev.tsunagu.net.Ipv4Address.parse("10.0.0.2");
        assertThat(isn.isn(a4, 1000, b4, 80, 123_456_789L)).isEqualTo(isn.isn(a4.bits(), 1000, b4.bits(), 80, 123_456_789L));
        assertThat(isn.timestampOffset(a4, 1000, b4, 80)).isEqualTo(isn.timestampOffset(a4.bits(), 1000, b4.bits(), 80));
        dev.tsunagu.net.Ipv6Address a6 = dev.tsunagu.net.Ipv6Address.parse("2001:db8::1");
        dev.tsunagu.net.Ipv6Address b6 = dev.tsunagu.net.Ipv6Address.parse("2001:db8::2");
        dev.tsunagu.net.Ipv6Address c6 = dev.tsunagu.net.Ipv6Address.parse("2001:db8:1::2");
        assertThat(isn.isn(a6, 1000, b6, 80, 0)).isNotEqualTo(isn.isn(a6, 1000, c6, 80, 0));
        assertThat(isn.isn(a6, 1000, b6, 80, 0)).isEqualTo(isn.isn(a6, 1000, b6, 80, 0));
        assertThat(isn.timestampOffset(a6, 1000, b6, 80)).isNotEqualTo(isn.timestampOffset(b6, 80, a6, 1000));
    }
}
