package dev.tsunagu.tcp.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The options this stack writes (RFC 2018 SACK, RFC 7323 Timestamps) in Linux's layout, and their parsing. */
class TcpHeaderOptionsTest {
    private final BufferPool pool = new BufferPool();

    private PacketBuffer emit(TcpHeader.Options o, int flags) {
        PacketBuffer b = pool.acquire(0);
        TcpHeader.prepend(b, 40000, 80, 1, 2, flags, 1000, o, 0x0A000001, 0x0A000002);
        return b;
    }

    private static String options(PacketBuffer b) {
        byte[] all = b.toByteArray();
        return HexFormat.of().formatHex(all, 20, TcpHeader.headerLength(b));
    }

    @Test
    void aSynWithEveryOptionIsLaidOutAsLinuxLaysItOut() {
        TcpHeader.Options o = new TcpHeader.Options();
        o.mss = 1460;
        o.sackPermitted = true;
        o.timestamps = true;
        o.tsValue = 0x01020304;
        o.windowScale = 7;
        PacketBuffer b = emit(o, TcpHeader.SYN);
        // mss 1460; sackOK, TS val ecr; nop, wscale 7: the 20 bytes of a Linux SYN.
        assertThat(options(b)).isEqualTo("020405b4" + "0402080a0102030400000000" + "01030307");
        TcpHeader.Options in = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(b, in)).isTrue();
        assertThat(in.mss).isEqualTo(1460);
        assertThat(in.sackPermitted).isTrue();
        assertThat(in.timestamps).isTrue();
        assertThat(in.tsValue).isEqualTo(0x01020304);
        assertThat(in.windowScale).isEqualTo(7);
        assertThat(TcpHeader.describe(b)).contains("sackOK,TS val 16909060 ecr 0,nop,wscale 7");
    }

    @Test
    void anAckCarriesTimestampsThenSackBlocks() {
        TcpHeader.Options o = new TcpHeader.Options();
        o.timestamps = true;
        o.tsValue = 5;
        o.tsEcho = 6;
        o.sackBlocks[0] = 100;
        o.sackBlocks[1] = 200;
        o.sackBlocks[2] = -10;
        o.sackBlocks[3] = 50;
        o.sackCount = 2;
        PacketBuffer b = emit(o, TcpHeader.ACK);
        assertThat(TcpHeader.headerLength(b)).isEqualTo(20 + 12 + 4 + 16);
        assertThat(options(b)).startsWith("0101080a0000000500000006" + "01010512");
        TcpHeader.Options in = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(b, in)).isTrue();
        assertThat(in.tsEcho).isEqualTo(6);
        assertThat(in.sackCount).isEqualTo(2);
        assertThat(in.sackBlocks).startsWith(100, 200, -10, 50);
        assertThat(TcpHeader.check(b, 0x0A000001, 0x0A000002)).isEqualTo(TcpHeader.Problem.OK);
    }

    @Test
    void fourSackBlocksFitOnlyWithoutTimestamps() {
        TcpHeader.Options o = new TcpHeader.Options();
        o.sackCount = 4;
        assertThat(emit(o, TcpHeader.ACK).length()).isEqualTo(20 + 36);
        o.timestamps = true;
        assertThatThrownBy(() -> emit(o, TcpHeader.ACK)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SACK blocks");
    }

    @Test
    void aSackOptionOfAnImpossibleLengthIsMalformed() {
        PacketBuffer b = pool.acquire(0);
        b.append(new byte[] {1, 1, 5, 7, 0, 0, 0, 1, 0, 0, 0}, 0, 11);
        b.append(new byte[] {0}, 0, 1);
        // header by hand: data offset 8 words (32 bytes) with the 12 option bytes above
        PacketBuffer seg = pool.acquire(0);
        seg.append(new byte[20], 0, 20);
        byte[] opts = b.toByteArray();
        seg.append(opts, 0, opts.length);
        seg.setU8(TcpHeader.DATA_OFFSET, 8 << 4);
        assertThat(TcpHeader.parseOptions(seg, new TcpHeader.Options())).isFalse();
    }
}
