package dev.tsunagu.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.RawLan;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The "ICMP and IP" lines of CONFORMANCE.md that IP keeps alone, on a host with Ethernet and
 * IPv4 only: protocol unreachable for an unknown protocol, Time Exceeded after a reassembly
 * timeout. The rules about datagrams: stack-udp's {@code IcmpErrorRulesTest}.
 */
class IcmpErrorRulesTest {
    private static final int RAW = RawLan.RAW;
    private static final int HOST = RawLan.HOST;

    @AutoClose
    private final RawLan net = RawLan.start("icmp-rules-ip", 5);
    private final VirtualEventLoop loop = net.loop;
    private final NetworkStack host = net.host;
    private final RawHost raw = net.raw;

    private List<byte[]> icmpReceived() {
        return net.icmpReceived();
    }

    @Test
    void anUnknownProtocolGetsProtocolUnreachable() {
        raw.sendIp(host, Craft.ipv4(RAW, HOST, 253, new byte[16]));
        List<byte[]> icmp = icmpReceived();
        assertThat(icmp).hasSize(1);
        assertThat(icmp.get(0)[20]).isEqualTo((byte) 3);
        assertThat(icmp.get(0)[21]).isEqualTo((byte) 2);
        assertThat(host.statistics().get("ip", "InUnknownProtos")).isEqualTo(1);
    }

    @Test
    void reassemblyTimeoutAnswersTimeExceededOnlyIfTheFirstFragmentArrived() {
        byte[] udp = Craft.udp(RAW, HOST, 5555, 9999, new byte[64]);
        byte[] first = Craft.ipv4(RAW, HOST, 17, 64, 77, 0x2000, new byte[0], Arrays.copyOf(udp, 40));
        byte[] second = Craft.ipv4(RAW, HOST, 17, 64, 78, 5, new byte[0], Arrays.copyOfRange(udp, 40, 72));
        raw.sendIp(host, first);   // id 77: only its first fragment
        raw.sendIp(host, second);  // id 78: only a later fragment
        loop.runUntilIdle();
        loop.advance(IpOptions.REASSEMBLY_TIMEOUT.defaultValue());
        List<byte[]> icmp = icmpReceived();
        assertThat(icmp).hasSize(1);
        byte[] te = icmp.get(0);
        assertThat(te[20]).isEqualTo((byte) 11);
        assertThat(te[21]).isEqualTo((byte) 1);
        assertThat(ByteBuffer.wrap(te).getShort(28 + 4)).as("it quotes datagram 77").isEqualTo((short) 77);
        assertThat(host.statistics().get("ip", "ReasmTimeout")).isEqualTo(2);
    }
}
