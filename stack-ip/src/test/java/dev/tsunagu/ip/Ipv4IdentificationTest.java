package dev.tsunagu.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.RawLan;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * RFC 6864 / RFC 7739: the IPv4 Identification of our datagrams comes from a counter per
 * (source, destination, protocol) at a secret offset ({@link Ipv4IdGenerator}), not from one
 * counter that every datagram to anyone would reveal.
 */
class Ipv4IdentificationTest {
    @AutoClose
    private final RawLan net = RawLan.start("ip-id", 11);
    private final NetworkStack host = net.host;
    @AutoClose
    private final RawHost other = new RawHost(net.lan, net.loop, 0x02_00_00_00_00_08L, "10.0.0.8").introduceTo(net.host);

    private static int id(byte[] ip) {
        return ByteBuffer.wrap(ip).getShort(4) & 0xFFFF;
    }

    @Test
    void sipHashMatchesThePapersVector() {
        // Aumasson and Bernstein, appendix / reference vectors: key 00..0f, message 00..0f (16 bytes).
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        assertThat(Ipv4IdGenerator.sipHash24(k0, k1, k0, k1)).isEqualTo(0x3f2acc7f57c29bdbL);
    }

    @Test
    void eachDestinationSeesItsOwnCounterNotTheStacksTraffic() {
        for (int i = 0; i < 20; i++) {
            net.raw.sendIp(host, Craft.ipv4(RawLan.RAW, RawLan.HOST, 1, Craft.echoRequest(7, i, new byte[8])));
            // Traffic to someone else in between: a global counter would show it as a gap.
            for (int j = 0; j < 3; j++) {
                other.sendIp(host, Craft.ipv4(other.ip, RawLan.HOST, 1, Craft.echoRequest(8, 3 * i + j, new byte[8])));
            }
        }
        net.loop.runUntilIdle();
        List<Integer> toRaw = net.raw.receivedIp().stream().filter(p -> p[9] == 1).map(Ipv4IdentificationTest::id).toList();
        List<Integer> toOther = other.receivedIp().stream().filter(p -> p[9] == 1).map(Ipv4IdentificationTest::id).toList();
        assertThat(toRaw).hasSize(20);
        assertThat(toOther).hasSize(60);
        for (int i = 1; i < toRaw.size(); i++) {
            assertThat((toRaw.get(i) - toRaw.get(i - 1)) & 0xFFFF).as("a step of one per datagram to the same host").isEqualTo(1);
        }
        for (int i = 1; i < toOther.size(); i++) {
            assertThat((toOther.get(i) - toOther.get(i - 1)) & 0xFFFF).isEqualTo(1);
        }
        assertThat(toOther).doesNotContainAnyElementsOf(toRaw); // secret offsets apart (true for this seed)
    }

    @Test
    void flowsToDifferentDestinationsStartAtUnrelatedOffsets() {
        Ipv4IdGenerator g = new Ipv4IdGenerator(42);
        int a = Craft.ip("10.0.0.2");
        int first = g.next(a, Craft.ip("192.0.2.1"), 17);
        assertThat(g.next(a, Craft.ip("192.0.2.1"), 17)).isEqualTo((first + 1) & 0xFFFF);
        int[] starts = new int[50];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = g.next(a, Craft.ip("192.0.2.1") + 1 + i, 17);
        }
        assertThat(starts).as("no visible sequence across destinations").doesNotHaveDuplicates();
        for (int i = 1; i < starts.length; i++) {
            assertThat(Math.abs(starts[i] - starts[i - 1])).isGreaterThan(1);
        }
        // The protocol is part of the flow too.
        assertThat(g.next(a, Craft.ip("192.0.2.1"), 6)).isNotEqualTo((first + 2) & 0xFFFF);
    }
}
