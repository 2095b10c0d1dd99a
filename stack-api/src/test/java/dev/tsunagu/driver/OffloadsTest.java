package dev.tsunagu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import org.junit.jupiter.api.Test;

/** Offloads as drivers announce them, and the buffer fields through which they pass. */
class OffloadsTest {
    @Test
    void segmentationNeedsChecksumOffloadAndASize() {
        assertThatThrownBy(() -> new Offloads(false, true, false, false, 65535, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs transmit checksum");
        assertThatThrownBy(() -> new Offloads(true, true, false, false, 0, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> new Offloads(true, false, false, false, 1500, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without segmentation");
        assertThat(new Offloads(true, true, true, false, 65535, true)).hasToString("csum,tso4,tso6,lro,max=65535");
        assertThat(Offloads.NONE).hasToString("none");
    }

    @Test
    void capabilitiesWithoutOffloadsTakeNoLargeFrames() {
        DriverCapabilities plain = DriverCapabilities.ethernet(1500);
        assertThat(plain.offloads()).isEqualTo(Offloads.NONE);
        assertThat(plain.maxLargeFrameLength()).isEqualTo(1514);
        DriverCapabilities tso = plain.withOffloads(new Offloads(true, true, false, false, 65535, true));
        assertThat(tso.maxLargeFrameLength()).isEqualTo(65549);
        assertThat(tso.withMtu(9000).offloads()).isEqualTo(tso.offloads());
    }

    @Test
    void aPartialChecksumKeepsItsPlaceAsHeadersArePrependedAndIsFinishedLikeAFullOne() {
        byte[] segment = new byte[40];
        for (int i = 0; i < segment.length; i++) {
            segment[i] = (byte) (i * 7 + 3);
        }
        long pseudo = InternetChecksum.pseudoHeader(0x0a000001, 0x0a000002, 6, segment.length);
        // The full checksum, as the stack writes it without offload.
        PacketBuffer full = PacketBuffer.copyOf(segment, 64);
        full.setU16(16, 0);
        full.setU16(16, InternetChecksum.finish(InternetChecksum.add(pseudo, full.array(), full.start(), full.length())));
        // Left partial, then 20 bytes of IP header in front: the device's view moves with them.
        PacketBuffer partial = PacketBuffer.copyOf(segment, 64);
        partial.setU16(16, InternetChecksum.partial(pseudo));
        partial.setChecksumPartial(0, 16);
        partial.prepend(20);
        assertThat(partial.checksumPartial()).isTrue();
        assertThat(partial.checksumStart()).isEqualTo(20);
        assertThat(partial.checksumFieldOffset()).isEqualTo(16);
        partial.consume(20);
        InternetChecksum.finishPartial(partial);
        assertThat(partial.checksumPartial()).isFalse();
        assertThat(partial.toByteArray()).isEqualTo(full.toByteArray());
    }

    @Test
    void resetClearsEveryOffloadField() {
        PacketBuffer b = PacketBuffer.allocate(100, 10);
        b.append(40);
        b.setChecksumVerified(true);
        b.setChecksumPartial(0, 16);
        b.setSegmentSize(1448);
        b.reset(10);
        assertThat(b.checksumVerified()).isFalse();
        assertThat(b.checksumPartial()).isFalse();
        assertThat(b.segmentSize()).isZero();
        assertThatThrownBy(() -> b.setChecksumPartial(0, 16)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
