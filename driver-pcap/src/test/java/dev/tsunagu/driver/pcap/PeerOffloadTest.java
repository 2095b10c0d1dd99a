package dev.tsunagu.driver.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.testkit.Craft;
import org.junit.jupiter.api.Test;

/** The pcap driver's test for a segment a far end with checksum offload left unfinished. */
class PeerOffloadTest {
    private static final int SRC = Craft.ip("10.0.0.1");
    private static final int DST = Craft.ip("10.0.0.2");

    /** A 20-byte TCP header and 100 bytes of data, checksum finished or left partial. */
    private static byte[] tcp(boolean partial) {
        byte[] t = new byte[120];
        t[0] = (byte) 0x9c; // ports
        t[3] = 80;
        t[12] = 0x50; // data offset 5
        t[13] = 0x18; // PSH ACK
        for (int i = 20; i < t.length; i++) {
            t[i] = (byte) (i * 31);
        }
        long pseudo = InternetChecksum.pseudoHeader(SRC, DST, 6, t.length);
        int c = partial ? InternetChecksum.partial(pseudo) : InternetChecksum.finish(InternetChecksum.add(pseudo, t, 0, t.length));
        t[16] = (byte) (c >>> 8);
        t[17] = (byte) c;
        return t;
    }

    private static PacketBuffer frame(int protocol, int flagsAndOffset, byte[] payload) {
        byte[] ip = Craft.ipv4(SRC, DST, protocol, 64, 1, flagsAndOffset, new byte[0], payload);
        return PacketBuffer.copyOf(Craft.ethernet(0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L, 0x0800, ip), 0);
    }

    @Test
    void aTcpSegmentHoldingOnlyThePseudoHeaderSumIsUnfinished() {
        assertThat(PeerOffload.unfinishedTcpChecksum(frame(6, 0x4000, tcp(true)))).isTrue();
    }

    @Test
    void aFinishedChecksumIsNot() {
        assertThat(PeerOffload.unfinishedTcpChecksum(frame(6, 0x4000, tcp(false)))).isFalse();
    }

    @Test
    void otherProtocolsFragmentsAndRuntsAreLeftAlone() {
        assertThat(PeerOffload.unfinishedTcpChecksum(frame(17, 0x4000, tcp(true)))).as("UDP").isFalse();
        assertThat(PeerOffload.unfinishedTcpChecksum(frame(6, 0x2000, tcp(true)))).as("a first fragment").isFalse();
        assertThat(PeerOffload.unfinishedTcpChecksum(PacketBuffer.copyOf(new byte[30], 0))).as("a runt").isFalse();
    }
}
