package dev.tsunagu.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketBufferTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static void assertWindow(PacketBuffer b, int start, int end) {
        assertThat(b.start()).as("start").isEqualTo(start);
        assertThat(b.end()).as("end").isEqualTo(end);
        assertThat(b.length()).as("length").isEqualTo(end - start);
        assertThat(b.headroom()).as("headroom").isEqualTo(start);
        assertThat(b.tailroom()).as("tailroom").isEqualTo(b.capacity() - end);
    }

    // ---- windows ----

    @Test
    void allocateGivesAnEmptyWindowAfterTheHeadroom() {
        PacketBuffer b = PacketBuffer.allocate(64, 16);
        assertThat(b.capacity()).isEqualTo(64);
        assertThat(b.array()).hasSize(64);
        assertWindow(b, 16, 16);
        assertThat(b.toByteArray()).isEmpty();
        assertThat(b.isReleased()).isFalse();
    }

    @Test
    void resetRejectsHeadroomOutsideTheArray() {
        PacketBuffer b = PacketBuffer.allocate(32, 0);
        assertThatThrownBy(() -> b.reset(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.reset(33)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PacketBuffer.allocate(8, 9)).isInstanceOf(IllegalArgumentException.class);
        b.reset(32);
        assertWindow(b, 32, 32);
        b.append(0); // zero bytes always fit
        assertThatThrownBy(() -> b.append(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void prependGrowsTowardsTheFrontUntilTheHeadroomIsUsedUp() {
        PacketBuffer b = PacketBuffer.allocate(64, 20);
        b.append(bytes(1, 2, 3), 0, 3);

        assertThat(b.prepend(8)).isEqualTo(12);
        assertWindow(b, 12, 23);
        assertThat(b.prepend(0)).isEqualTo(12);
        assertThat(b.prepend(12)).isEqualTo(0);
        assertWindow(b, 0, 23);
        // the appended payload is still at the end of the window
        assertThat(b.getU8(20)).isEqualTo(1);
        assertThat(b.getU8(22)).isEqualTo(3);
    }

    @Test
    void prependBeyondTheHeadroomThrowsAndLeavesTheWindowAlone() {
        PacketBuffer b = PacketBuffer.allocate(64, 10);
        assertThatThrownBy(() -> b.prepend(11))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("11");
        assertThatThrownBy(() -> b.prepend(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertWindow(b, 10, 10);
        b.prepend(10);
        assertThatThrownBy(() -> b.prepend(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertWindow(b, 0, 10);
    }

    @Test
    void consumeDropsBytesFromTheFrontWithinTheData() {
        PacketBuffer b = PacketBuffer.copyOf(bytes(10, 11, 12, 13, 14, 15), 4);
        b.consume(2);
        assertWindow(b, 6, 10);
        assertThat(b.getU8(0)).isEqualTo(12);
        assertThat(b.toByteArray()).containsExactly(bytes(12, 13, 14, 15));

        assertThatThrownBy(() -> b.consume(5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.consume(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertWindow(b, 6, 10);

        b.consume(4);
        assertWindow(b, 10, 10);
        assertThatThrownBy(() -> b.consume(1)).isInstanceOf(IndexOutOfBoundsException.class);
        // what was consumed is headroom again
        assertThat(b.prepend(10)).isEqualTo(0);
    }

    @Test
    void appendExtendsAtTheEndUntilTheTailroomIsUsedUp() {
        PacketBuffer b = PacketBuffer.allocate(16, 4);
        assertThat(b.append(5)).isEqualTo(4);
        assertWindow(b, 4, 9);
        b.append(bytes(0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x11), 1, 5);
        assertWindow(b, 4, 14);
        assertThat(b.toByteArray()).endsWith(bytes(0xBB, 0xCC, 0xDD, 0xEE, 0xFF));

        assertThatThrownBy(() -> b.append(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.append(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.append(new byte[3], 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertWindow(b, 4, 14);
        assertThat(b.append(2)).isEqualTo(14);
        assertWindow(b, 4, 16);
        assertThatThrownBy(() -> b.append(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void truncateCutsTheDataToItsFirstBytes() {
        PacketBuffer b = PacketBuffer.copyOf(bytes(1, 2, 3, 4, 5, 6, 7, 8), 2);
        b.truncate(5);
        assertWindow(b, 2, 7);
        assertThat(b.toByteArray()).containsExactly(bytes(1, 2, 3, 4, 5));

        assertThatThrownBy(() -> b.truncate(6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.truncate(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertWindow(b, 2, 7);

        b.truncate(5); // to its own length: a no-op
        assertWindow(b, 2, 7);
        b.truncate(0);
        assertWindow(b, 2, 2);
        assertThat(b.toByteArray()).isEmpty();
    }

    @Test
    void truncateIsRelativeToTheCurrentStart() {
        PacketBuffer b = PacketBuffer.copyOf(bytes(1, 2, 3, 4, 5, 6, 7, 8), 0);
        b.consume(3);
        b.truncate(2);
        assertWindow(b, 3, 5);
        assertThat(b.toByteArray()).containsExactly(bytes(4, 5));
    }

    @Test
    void setWindowAcceptsAnyWindowInsideTheArrayAndRejectsOthers() {
        PacketBuffer b = PacketBuffer.allocate(32, 8);
        for (int i = 0; i < 32; i++) {
            b.array()[i] = (byte) i;
        }
        b.setWindow(3, 7);
        assertWindow(b, 3, 7);
        assertThat(b.toByteArray()).containsExactly(bytes(3, 4, 5, 6));
        assertThat(b.getU8(0)).isEqualTo(3);

        b.setWindow(0, 32);
        assertWindow(b, 0, 32);
        b.setWindow(32, 32);
        assertWindow(b, 32, 32);
        b.setWindow(0, 0);
        assertWindow(b, 0, 0);

        assertThatThrownBy(() -> b.setWindow(-1, 4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.setWindow(5, 4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.setWindow(0, 33)).isInstanceOf(IndexOutOfBoundsException.class);
        assertWindow(b, 0, 0);
    }

    // ---- accessors ----

    @Test
    void accessorsAreBigEndianAndMatchHandComputedBytes() {
        PacketBuffer b = PacketBuffer.allocate(64, 8);
        b.append(20);
        b.setU8(0, 0x9C);
        b.setU16(1, 0xABCD);
        b.setI32(3, 0x01020304);
        b.setU48(7, 0x0A0B_0C0D_0E0FL);
        b.setI32(13, 0xFFFF_FFFE);
        b.setU16(17, 0x8001);
        b.setU8(19, 0x7F);

        assertThat(b.toByteArray()).containsExactly(bytes(
                0x9C,
                0xAB, 0xCD,
                0x01, 0x02, 0x03, 0x04,
                0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
                0xFF, 0xFF, 0xFF, 0xFE,
                0x80, 0x01,
                0x7F));
        // the accessors address the window, not the array
        assertThat(b.array()[8]).isEqualTo((byte) 0x9C);
        assertThat(b.array()[7]).isZero();

        assertThat(b.getU8(0)).isEqualTo(0x9C);
        assertThat(b.getU16(1)).isEqualTo(0xABCD);
        assertThat(b.getI32(3)).isEqualTo(0x01020304);
        assertThat(b.getU32(3)).isEqualTo(0x01020304L);
        assertThat(b.getU48(7)).isEqualTo(0x0A0B_0C0D_0E0FL);
        assertThat(b.getI32(13)).isEqualTo(-2);
        assertThat(b.getU32(13)).isEqualTo(0xFFFF_FFFEL);
        assertThat(b.getU16(17)).isEqualTo(0x8001);
        assertThat(b.getI64(1)).isEqualTo(0xABCD_0102_0304_0A0BL);
        assertThat(b.getI64(12)).isEqualTo(0x0FFF_FFFF_FE80_017FL);
    }

    @Test
    void unsignedGettersNeverGoNegativeAndSettersKeepOnlyTheLowBits() {
        PacketBuffer b = PacketBuffer.allocate(16, 0);
        b.append(16);
        b.fill(0, 16, (byte) 0xFF);
        assertThat(b.getU8(0)).isEqualTo(255);
        assertThat(b.getU16(0)).isEqualTo(65535);
        assertThat(b.getU32(0)).isEqualTo(0xFFFF_FFFFL);
        assertThat(b.getU48(0)).isEqualTo(0xFFFF_FFFF_FFFFL);
        assertThat(b.getI32(0)).isEqualTo(-1);
        assertThat(b.getI64(0)).isEqualTo(-1L);

        b.setU8(0, 0x1234);       // keeps 0x34
        b.setU16(1, 0x12345);     // keeps 0x2345
        b.setU48(3, 0xFFFF_0000_0000_0001L); // keeps the low 48 bits
        assertThat(b.getU8(0)).isEqualTo(0x34);
        assertThat(b.getU16(1)).isEqualTo(0x2345);
        assertThat(b.getU48(3)).isEqualTo(1L);
        assertThat(b.getU8(9)).as("byte after the 48-bit field untouched").isEqualTo(0xFF);
    }

    @Test
    void accessorsFollowTheWindowAfterPrependAndConsume() {
        PacketBuffer b = PacketBuffer.allocate(32, 8);
        b.append(4);
        b.setI32(0, 0xDEADBEEF);
        b.prepend(2);
        b.setU16(0, 0x0800);
        assertThat(b.getU16(0)).isEqualTo(0x0800);
        assertThat(b.getU32(2)).isEqualTo(0xDEAD_BEEFL);
        b.consume(2);
        assertThat(b.getU32(0)).isEqualTo(0xDEAD_BEEFL);
        assertThat(b.getU16(2)).isEqualTo(0xBEEF);
    }

    @Test
    void randomizedAccessorsReadWhatWasWrittenAndAgreeWithByteBuffer() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int round = 0; round < 2_000; round++) {
            int headroom = random.nextInt(32);
            PacketBuffer b = PacketBuffer.allocate(headroom + 64, headroom);
            b.append(64);
            ByteBuffer expected = ByteBuffer.wrap(b.array(), headroom, 64).slice(); // big-endian by default
            String ctx = "seed " + seed + " round " + round;

            int o8 = random.nextInt(64);
            int v8 = random.nextInt(256);
            b.setU8(o8, v8);
            assertThat(b.getU8(o8)).as(ctx).isEqualTo(v8);
            assertThat(expected.get(o8) & 0xFF).as(ctx).isEqualTo(v8);

            int o16 = random.nextInt(63);
            int v16 = random.nextInt(65536);
            b.setU16(o16, v16);
            assertThat(b.getU16(o16)).as(ctx).isEqualTo(v16);
            assertThat(expected.getShort(o16) & 0xFFFF).as(ctx).isEqualTo(v16);

            int o32 = random.nextInt(61);
            int v32 = random.nextInt();
            b.setI32(o32, v32);
            assertThat(b.getI32(o32)).as(ctx).isEqualTo(v32);
            assertThat(b.getU32(o32)).as(ctx).isEqualTo(Integer.toUnsignedLong(v32));
            assertThat(expected.getInt(o32)).as(ctx).isEqualTo(v32);

            int o48 = random.nextInt(59);
            long v48 = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            b.setU48(o48, v48);
            assertThat(b.getU48(o48)).as(ctx).isEqualTo(v48);
            assertThat(((expected.getShort(o48) & 0xFFFFL) << 32) | (expected.getInt(o48 + 2) & 0xFFFF_FFFFL))
                    .as(ctx).isEqualTo(v48);

            // there is no setI64: write the two halves and read them back as one
            int o64 = random.nextInt(57);
            long v64 = random.nextLong();
            b.setI32(o64, (int) (v64 >>> 32));
            b.setI32(o64 + 4, (int) v64);
            assertThat(b.getI64(o64)).as(ctx).isEqualTo(v64);
            assertThat(expected.getLong(o64)).as(ctx).isEqualTo(v64);
        }
    }

    @Test
    void bulkAccessorsCopyRelativeToTheWindow() {
        PacketBuffer b = PacketBuffer.allocate(32, 4);
        b.append(8);
        b.setBytes(2, bytes(9, 8, 7, 6), 1, 3);
        assertThat(b.toByteArray()).containsExactly(bytes(0, 0, 8, 7, 6, 0, 0, 0));
        byte[] out = new byte[5];
        b.getBytes(2, out, 1, 3);
        assertThat(out).containsExactly(bytes(0, 8, 7, 6, 0));
        b.fill(5, 3, (byte) 0x55);
        assertThat(b.toByteArray()).containsExactly(bytes(0, 0, 8, 7, 6, 0x55, 0x55, 0x55));
        assertThat(b.array()[3]).as("headroom untouched by fill").isZero();
    }

    // ---- copies ----

    @Test
    void copyOfHoldsAnIndependentCopyWithTheHeadroomAskedFor() {
        byte[] data = bytes(1, 2, 3, 4, 5);
        PacketBuffer b = PacketBuffer.copyOf(data, 14);
        assertThat(b.capacity()).isEqualTo(19);
        assertWindow(b, 14, 19);
        assertThat(b.toByteArray()).containsExactly(bytes(1, 2, 3, 4, 5));
        data[0] = 99;
        assertThat(b.getU8(0)).as("copy is independent of the source").isEqualTo(1);

        PacketBuffer part = PacketBuffer.copyOf(bytes(10, 20, 30, 40, 50), 1, 3, 2);
        assertWindow(part, 2, 5);
        assertThat(part.toByteArray()).containsExactly(bytes(20, 30, 40));
        assertThat(part.prepend(2)).isZero();

        assertThatThrownBy(() -> PacketBuffer.copyOf(bytes(1, 2), 1, 3, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void toByteArrayReturnsAFreshCopyOfTheWindowOnly() {
        PacketBuffer b = PacketBuffer.copyOf(bytes(1, 2, 3), 4);
        b.array()[0] = 42; // headroom junk must not show
        byte[] first = b.toByteArray();
        assertThat(first).containsExactly(bytes(1, 2, 3));
        first[0] = 77;
        assertThat(b.getU8(0)).isEqualTo(1);
        assertThat(b.toByteArray()).isNotSameAs(first).containsExactly(bytes(1, 2, 3));
    }

    // ---- segment and release ----

    @Test
    void segmentIsMadeOnceAndViewsTheWholeArray() {
        PacketBuffer b = PacketBuffer.copyOf(bytes(0x11, 0x22), 3);
        var s1 = b.segment();
        var s2 = b.segment();
        assertThat(s1).isSameAs(s2);
        assertThat(s1.byteSize()).isEqualTo(b.capacity());
        assertThat(s1.get(ValueLayout.JAVA_BYTE, 3)).isEqualTo((byte) 0x11);
        b.setU8(1, 0x33);
        assertThat(s1.get(ValueLayout.JAVA_BYTE, 4)).as("a view, not a copy").isEqualTo((byte) 0x33);
        assertThat(b.segment()).isSameAs(s1);
    }

    @Test
    void releasingTwiceThrows() {
        PacketBuffer b = PacketBuffer.allocate(16, 0);
        assertThat(b.isReleased()).isFalse();
        b.release();
        assertThat(b.isReleased()).isTrue();
        assertThatThrownBy(b::release).isInstanceOf(IllegalStateException.class);
        assertThat(b.isReleased()).isTrue();
    }

    @Test
    void releasingAPooledBufferTwiceThrowsAndDoesNotPoolItTwice() {
        BufferPool pool = new BufferPool(16, new int[] {128}, new int[] {8});
        PacketBuffer b = pool.acquire(10);
        b.release();
        assertThat(pool.pooled()).isEqualTo(1);
        assertThatThrownBy(b::release).isInstanceOf(IllegalStateException.class);
        assertThat(pool.pooled()).as("a double release must not pool the buffer twice").isEqualTo(1);
    }

    @Test
    void toStringDescribesTheWindow() {
        PacketBuffer b = PacketBuffer.copyOf(bytes(1, 2, 3), 5);
        assertThat(b.toString()).contains("3 bytes").contains("headroom 5").contains("capacity 8");
    }
}
