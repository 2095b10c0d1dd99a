package dev.tsunagu.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Internet checksum (RFC 1071) against the RFC's worked example, a naive word-at-a-time
 * reference over every offset and length, the incremental update of RFC 1624, and the
 * pseudo-header of RFC 768.
 */
class InternetChecksumTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7. */
    private static final byte[] RFC1071_EXAMPLE = HEX.parseHex("0001f203f4f5f6f7");

    /**
     * A UDP datagram from 10.0.0.1:40000 to 10.0.0.2:53 carrying "hello\n", as Linux 6.18
     * sent it (captured on a veth with transmit checksum offload off, so the kernel filled in
     * the checksum 0x0b7e itself).
     */
    private static final byte[] KERNEL_UDP = HEX.parseHex("9c400035000e0b7e" + "68656c6c6f0a");
    private static final int IP_10_0_0_1 = 0x0A00_0001;
    private static final int IP_10_0_0_2 = 0x0A00_0002;

    /**
     * The definition, one 16-bit word at a time with an end-around carry after each addition
     * (RFC 1071 section 4.1 without the deferred carries); a final odd byte is the high half of
     * a word.
     */
    private static int naiveOnesComplementSum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xFF;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    private static int naiveChecksum(byte[] data, int offset, int length) {
        return ~naiveOnesComplementSum(data, offset, length) & 0xFFFF;
    }

    /** Folds a running sum to 16 bits without complementing it. */
    private static int fold(long sum) {
        return ~InternetChecksum.finish(sum) & 0xFFFF;
    }

    @Test
    void rfc1071WorkedExampleSumsToDdf2AndChecksumsTo220d() {
        long sum = InternetChecksum.add(0, RFC1071_EXAMPLE, 0, RFC1071_EXAMPLE.length);
        assertThat(fold(sum)).isEqualTo(0xDDF2);
        assertThat(InternetChecksum.compute(RFC1071_EXAMPLE, 0, RFC1071_EXAMPLE.length)).isEqualTo(0x220D);
        // The same sum word by word, as the RFC adds it: 0001 + f203 + f4f5 + f6f7 = 2ddf0 -> ddf2.
        long byWords = 0;
        for (int w : new int[] {0x0001, 0xF203, 0xF4F5, 0xF6F7}) {
            byWords = InternetChecksum.add16(byWords, w);
        }
        assertThat(byWords).isEqualTo(0x2DDF0);
        assertThat(fold(byWords)).isEqualTo(0xDDF2);
    }

    @Test
    void rfc1071ExampleWithItsChecksumAppendedVerifies() {
        byte[] withChecksum = HEX.parseHex("0001f203f4f5f6f7" + "220d");
        assertThat(InternetChecksum.verify(withChecksum, 0, withChecksum.length)).isTrue();
        withChecksum[9] ^= 1;
        assertThat(InternetChecksum.verify(withChecksum, 0, withChecksum.length)).isFalse();
    }

    @Test
    void theSumIsIndependentOfByteOrder() {
        // RFC 1071 section 2(B): summing byte-swapped words gives the byte-swapped sum
        // (the example's swapped sum is f2dd).
        byte[] swapped = HEX.parseHex("0100 03f2 f5f4 f7f6".replace(" ", ""));
        assertThat(fold(InternetChecksum.add(0, swapped, 0, swapped.length))).isEqualTo(0xF2DD);

        Random random = new Random(1071);
        for (int n = 0; n < 2000; n++) {
            byte[] data = new byte[2 * random.nextInt(40)];
            random.nextBytes(data);
            byte[] swap = data.clone();
            for (int i = 0; i < swap.length; i += 2) {
                byte t = swap[i];
                swap[i] = swap[i + 1];
                swap[i + 1] = t;
            }
            int c = InternetChecksum.compute(data, 0, data.length);
            assertThat(InternetChecksum.compute(swap, 0, swap.length)).isEqualTo(Integer.reverseBytes(c) >>> 16);
        }
    }

    @Test
    void anOddFinalByteIsPaddedWithZeroOnTheRight() {
        assertThat(InternetChecksum.compute(new byte[] {(byte) 0xAB}, 0, 1)).isEqualTo(0x54FF);
        // 0102 + 0300 = 0402 -> fbfd
        assertThat(InternetChecksum.compute(new byte[] {1, 2, 3}, 0, 3)).isEqualTo(0xFBFD);
        // Odd lengths past the eight-byte fast path: nine bytes 01..09.
        byte[] nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        // 0102 + 0304 + 0506 + 0708 + 0900 = 1914 -> e6eb
        assertThat(InternetChecksum.compute(nine, 0, 9)).isEqualTo(0xE6EB);
        // The same bytes with an explicit zero pad give the same checksum.
        byte[] padded = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
        assertThat(InternetChecksum.compute(padded, 0, 10)).isEqualTo(0xE6EB);
    }

    @Test
    void emptyDataChecksumsToAllOnes() {
        assertThat(InternetChecksum.compute(new byte[0], 0, 0)).isEqualTo(0xFFFF);
        assertThat(InternetChecksum.compute(new byte[8], 5, 0)).isEqualTo(0xFFFF);
    }

    @Test
    void everyOffsetAndLengthUpTo64MatchesTheNaiveReference() {
        Random random = new Random(0x1071);
        byte[] data = new byte[64 + 64];
        for (int round = 0; round < 4; round++) {
            random.nextBytes(data);
            if (round == 1) {
                java.util.Arrays.fill(data, (byte) 0xFF); // every word at its maximum: most carries
            } else if (round == 2) {
                java.util.Arrays.fill(data, (byte) 0);
            }
            for (int offset = 0; offset <= 64; offset++) {
                for (int length = 0; length <= 64; length++) {
                    int expected = naiveChecksum(data, offset, length);
                    assertThat(InternetChecksum.compute(data, offset, length))
                            .as("round %d offset %d length %d", round, offset, length)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void longBuffersMatchTheNaiveReference() {
        Random random = new Random(65535);
        for (int length : new int[] {65535, 65534, 9000, 1500, 1499}) {
            byte[] data = new byte[length + 3];
            random.nextBytes(data);
            assertThat(InternetChecksum.compute(data, 3, length)).isEqualTo(naiveChecksum(data, 3, length));
            byte[] ones = new byte[length];
            java.util.Arrays.fill(ones, (byte) 0xFF);
            assertThat(InternetChecksum.compute(ones, 0, length)).isEqualTo(naiveChecksum(ones, 0, length));
        }
    }

    @Test
    void sumsCanBeChainedAcrossEvenSplits() {
        Random random = new Random(7);
        byte[] data = new byte[200];
        for (int n = 0; n < 500; n++) {
            random.nextBytes(data);
            int length = random.nextInt(data.length + 1);
            int split = 2 * random.nextInt(length / 2 + 1);
            long chained = InternetChecksum.add(InternetChecksum.add(0, data, 0, split), data, split, length - split);
            assertThat(InternetChecksum.finish(chained)).isEqualTo(naiveChecksum(data, 0, length));
        }
    }

    @Test
    void add16AndAdd32AddWords() {
        assertThat(InternetChecksum.add16(0, 0x1_2345)).isEqualTo(0x2345);
        assertThat(InternetChecksum.add16(5, -1)).isEqualTo(5 + 0xFFFF);
        assertThat(InternetChecksum.add32(0, 0xC0A8_0001)).isEqualTo(0xC0A8 + 0x0001);
        assertThat(InternetChecksum.add32(0, 0xFFFF_FFFF)).isEqualTo(0x1FFFE);
    }

    @Test
    void finishFoldsRepeatedly() {
        // 0x1FFFF folds to 0x10000, which folds again to 0x0001: ~1 = 0xFFFE.
        assertThat(InternetChecksum.finish(0x1FFFFL)).isEqualTo(0xFFFE);
        assertThat(InternetChecksum.finish(0xFFFFL)).isEqualTo(0);
        assertThat(InternetChecksum.finish(0)).isEqualTo(0xFFFF);
        assertThat(InternetChecksum.finish(0xFFFF_FFFF_FFFFL)).isEqualTo(0);
    }

    @Test
    void rfc1624Section4ExampleGivesPositiveZero() {
        // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285. Eqn. 3 gives 0x0000
        // (eqn. 2 would give the wrong 0xFFFF).
        assertThat(InternetChecksum.update(0xDD2F, 0x5555, 0x3285)).isEqualTo(0x0000);
    }

    @Test
    void incrementalUpdateEqualsRecomputationForTenThousandRandomHeaderEdits() {
        Random random = new Random(1624);
        byte[] header = new byte[20];
        for (int n = 0; n < 10_000; n++) {
            random.nextBytes(header);
            header[0] = 0x45;
            header[10] = 0;
            header[11] = 0;
            int checksum = InternetChecksum.compute(header, 0, 20);
            header[10] = (byte) (checksum >>> 8);
            header[11] = (byte) checksum;

            int word = random.nextInt(9);
            if (word >= 5) {
                word++; // any word but the checksum itself (word 5)
            }
            int old = ((header[2 * word] & 0xFF) << 8) | (header[2 * word + 1] & 0xFF);
            int now = switch (n % 4) {
                case 0 -> old - 0x100 & 0xFFFF;  // a TTL decrement
                case 1 -> old + 1 & 0xFFFF;
                case 2 -> 0;
                default -> random.nextInt(0x10000);
            };
            header[2 * word] = (byte) (now >>> 8);
            header[2 * word + 1] = (byte) now;
            int updated = InternetChecksum.update(checksum, old, now);

            header[10] = 0;
            header[11] = 0;
            int recomputed = InternetChecksum.compute(header, 0, 20);
            assertThat(updated).as("edit %d: word %d %04x -> %04x", n, word, old, now).isEqualTo(recomputed);
            header[10] = (byte) (updated >>> 8);
            header[11] = (byte) updated;
            assertThat(InternetChecksum.verify(header, 0, 20)).isTrue();
        }
    }

    @Test
    void pseudoHeaderEqualsTheSumOfItsBytes() {
        // RFC 768: source, destination, zero, protocol, UDP length.
        byte[] pseudo = HEX.parseHex("0a000001" + "0a000002" + "00" + "11" + "000e");
        long sum = InternetChecksum.pseudoHeader(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.UDP, 14);
        assertThat(fold(sum)).isEqualTo(naiveOnesComplementSum(pseudo, 0, pseudo.length));

        Random random = new Random(768);
        byte[] bytes = new byte[12];
        for (int n = 0; n < 1000; n++) {
            int src = random.nextInt();
            int dst = random.nextInt();
            int protocol = random.nextInt(256);
            int length = random.nextInt(0x10000);
            java.nio.ByteBuffer.wrap(bytes).putInt(src).putInt(dst).put((byte) 0).put((byte) protocol)
                    .putShort((short) length);
            assertThat(fold(InternetChecksum.pseudoHeader(src, dst, protocol, length)))
                    .isEqualTo(naiveOnesComplementSum(bytes, 0, 12));
        }
    }

    @Test
    void aKernelUdpDatagramVerifiesWithItsPseudoHeader() {
        long sum = InternetChecksum.pseudoHeader(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.UDP, KERNEL_UDP.length);
        assertThat(InternetChecksum.finish(InternetChecksum.add(sum, KERNEL_UDP, 0, KERNEL_UDP.length))).isZero();
        // With the checksum field zeroed, the computation gives the kernel's value.
        byte[] zeroed = KERNEL_UDP.clone();
        zeroed[6] = 0;
        zeroed[7] = 0;
        assertThat(InternetChecksum.finish(InternetChecksum.add(sum, zeroed, 0, zeroed.length))).isEqualTo(0x0B7E);
        // Another destination address: it no longer verifies.
        long wrong = InternetChecksum.pseudoHeader(IP_10_0_0_1, 0x0A00_0003, IpProtocol.UDP, KERNEL_UDP.length);
        assertThat(InternetChecksum.finish(InternetChecksum.add(wrong, KERNEL_UDP, 0, KERNEL_UDP.length))).isNotZero();
    }
}
