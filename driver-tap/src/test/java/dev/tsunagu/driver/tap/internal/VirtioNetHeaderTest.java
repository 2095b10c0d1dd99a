package dev.tsunagu.driver.tap.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The virtio-net header view and value: the kernel's layout, the round trip, and every malformed header refused. */
class VirtioNetHeaderTest {
    private static final int ETH = 14;

    /** A header and a 1514-byte frame behind it, the header's bytes as given. */
    private static MemorySegment frame(int... header) {
        MemorySegment buf = Arena.ofAuto().allocate(VirtioNetHeader.LENGTH + 1514);
        for (int i = 0; i < header.length; i++) {
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) header[i]);
        }
        return buf;
    }

    @Test
    void readsTheKernelsLittleEndianLayout() {
        // What the kernel writes before its own TSO segment over IPv4: NEEDS_CSUM, TCPV4,
        // hdr_len 66 (14 + 20 + 32), gso_size 1448, csum_start 34, csum_offset 16.
        MemorySegment buf = frame(0x01, 0x01, 66, 0, 0xa8, 0x05, 34, 0, 16, 0);
        VirtioNetHeader.Problem[] why = new VirtioNetHeader.Problem[1];
        VirtioNetRepr r = VirtioNetRepr.parse(buf, buf.byteSize(), ETH, why);
        assertThat(why[0]).isEqualTo(VirtioNetHeader.Problem.OK);
        assertThat(r).isEqualTo(new VirtioNetRepr(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 66, 1448,
                34, 16));
        assertThat(VirtioNetHeader.checksumTrusted(buf)).isTrue();
    }

    @Test
    void dataValidIsTrustedAndAPlainHeaderIsNot() {
        assertThat(VirtioNetHeader.checksumTrusted(frame(0x02))).isTrue();
        assertThat(VirtioNetHeader.checksumTrusted(frame(0x00))).isFalse();
        assertThat(VirtioNetHeader.check(frame(0x02), 60, ETH)).isEqualTo(VirtioNetHeader.Problem.OK);
    }

    @Test
    void roundTripsThroughEmitAndParse() {
        VirtioNetRepr r = new VirtioNetRepr(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6 | VirtioNetHeader.GSO_ECN,
                86, 1428, 54, 16);
        MemorySegment buf = frame();
        r.emit(buf);
        assertThat(VirtioNetRepr.parse(buf, buf.byteSize(), ETH, null)).isEqualTo(r);
        VirtioNetHeader.writeNone(buf);
        assertThat(VirtioNetRepr.parse(buf, buf.byteSize(), ETH, null)).isEqualTo(VirtioNetRepr.NONE);
    }

    @Test
    void refusesATruncatedRead() {
        assertThat(VirtioNetHeader.check(frame(), VirtioNetHeader.LENGTH + ETH - 1, ETH))
                .isEqualTo(VirtioNetHeader.Problem.TRUNCATED);
        assertThat(VirtioNetRepr.parse(frame(), 3, ETH, null)).isNull();
    }

    @Test
    void refusesUnknownFlags() {
        assertThat(VirtioNetHeader.check(frame(0x08), 100, ETH)).isEqualTo(VirtioNetHeader.Problem.BAD_FLAGS);
        assertThat(VirtioNetHeader.check(frame(0x04), 100, ETH)).isEqualTo(VirtioNetHeader.Problem.OK); // RSC_INFO
    }

    @Test
    void refusesUnknownSegmentationOrASizeOfZero() {
        assertThat(VirtioNetHeader.check(frame(0, 2, 0, 0, 0xa8, 5), 100, ETH)).isEqualTo(VirtioNetHeader.Problem.BAD_GSO);
        assertThat(VirtioNetHeader.check(frame(0, 0x7f, 0, 0, 0xa8, 5), 100, ETH)).isEqualTo(VirtioNetHeader.Problem.BAD_GSO);
        assertThat(VirtioNetHeader.check(frame(0, 1, 66, 0, 0, 0), 100, ETH)).isEqualTo(VirtioNetHeader.Problem.BAD_GSO);
        assertThat(VirtioNetHeader.check(frame(0, 0x81, 66, 0, 0xa8, 5), 100, ETH)).isEqualTo(VirtioNetHeader.Problem.OK);
    }

    @Test
    void refusesAChecksumFieldOutsideTheFrame() {
        // 60 bytes of frame: a field at 34 + 16 ends at 52, inside; at 34 + 25 it would end at 61.
        long total = VirtioNetHeader.LENGTH + 60;
        assertThat(VirtioNetHeader.check(frame(1, 0, 0, 0, 0, 0, 34, 0, 16, 0), total, ETH))
                .isEqualTo(VirtioNetHeader.Problem.OK);
        assertThat(VirtioNetHeader.check(frame(1, 0, 0, 0, 0, 0, 34, 0, 25, 0), total, ETH))
                .isEqualTo(VirtioNetHeader.Problem.BAD_CHECKSUM_POSITION);
        assertThat(VirtioNetHeader.check(frame(1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), total, ETH))
                .isEqualTo(VirtioNetHeader.Problem.BAD_CHECKSUM_POSITION);
        // Without NEEDS_CSUM the position means nothing and is not checked.
        assertThat(VirtioNetHeader.check(frame(2, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), total, ETH))
                .isEqualTo(VirtioNetHeader.Problem.OK);
    }

    /** A received frame of 60 bytes. */
    private static PacketBuffer buffer60() {
        PacketBuffer b = PacketBuffer.allocate(1514, 0);
        b.append(60);
        return b;
    }

    @Test
    void marksTheReceivedFrameAsTheHeaderSays() {
        PacketBuffer plain = buffer60();
        VirtioNetHeader.markReceived(frame(0x00), plain);
        assertThat(plain.checksumVerified()).isFalse();
        assertThat(plain.checksumPartial()).isFalse();

        PacketBuffer valid = buffer60();
        VirtioNetHeader.markReceived(frame(0x02, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), valid);
        assertThat(valid.checksumVerified()).isTrue();
        assertThat(valid.checksumPartial()).as("DATA_VALID's position means nothing").isFalse();

        // NEEDS_CSUM: trusted, and still partial where the header says, counted from the Ethernet header.
        PacketBuffer partial = buffer60();
        VirtioNetHeader.markReceived(frame(0x01, 0, 0, 0, 0, 0, 34, 0, 16, 0), partial);
        assertThat(partial.checksumVerified()).isTrue();
        assertThat(partial.checksumPartial()).isTrue();
        assertThat(partial.checksumStart()).isEqualTo(34);
        assertThat(partial.checksumFieldOffset()).isEqualTo(16);
    }

    @Test
    void theValueRefusesFieldsThatDoNotFit() {
        assertThatThrownBy(() -> new VirtioNetRepr(0x100, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VirtioNetRepr(0, 0, 0, 0x10000, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
