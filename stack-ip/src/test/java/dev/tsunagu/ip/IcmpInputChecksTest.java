package dev.tsunagu.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.IcmpHeader;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawLan;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.stack.NetworkStack;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checks ICMP input makes before it acts on a message, each with its counter: what the
 * value parser ({@code IcmpRepr.parse}) refuses, production refuses too.
 */
class IcmpInputChecksTest {
    private static final int B = Ipv4Address.parse("10.0.0.2").bits();

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("icmp-checks");
    private final NetworkStack a = host("a", 1, "10.0.0.1/24");
    private final NetworkStack b = host("b", 2, "10.0.0.2/24");

    private NetworkStack host(String name, long seed, String address) {
        return TestHosts.host(loop, name, seed).layers(List.of(new EthernetLayerProvider(), new Ipv4LayerProvider()))
                .on(lan, address).build();
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    /** RFC 792: an echo request has code 0; with another it is not answered, and it is counted. */
    @Test
    void anEchoRequestWithANonZeroCodeIsDroppedAndCounted() {
        sendIcmp(IcmpHeader.TYPE_ECHO_REQUEST, 1);
        assertThat(b.statistics().get("icmp", "DropBadEchoCode")).isEqualTo(1);
        assertThat(b.statistics().get("icmp", "InErrors")).isEqualTo(1);
        assertThat(b.statistics().get("icmp", "InEchos")).isZero();
        assertThat(b.statistics().get("icmp", "OutEchoReps")).isZero();
        assertThat(a.statistics().get("icmp", "InMsgs")).as("nothing came back").isZero();
    }

    @Test
    void anEchoRequestWithCodeZeroIsAnswered() {
        sendIcmp(IcmpHeader.TYPE_ECHO_REQUEST, 0);
        assertThat(b.statistics().get("icmp", "OutEchoReps")).isEqualTo(1);
        assertThat(b.statistics().get("icmp", "DropBadEchoCode")).isZero();
        assertThat(a.statistics().get("icmp", "InEchoReps")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 255})
    void anEchoReplyWithANonZeroCodeIsDroppedAndCounted(int code) {
        sendIcmp(IcmpHeader.TYPE_ECHO_REPLY, code);
        assertThat(b.statistics().get("icmp", "DropBadEchoCode")).isEqualTo(1);
        assertThat(b.statistics().get("icmp", "InEchoReps")).isZero();
    }

    /** An echo message of {@code type} and {@code code}, checksum right, from a to b; runs the loop. */
    private void sendIcmp(int type, int code) {
        a.run(() -> {
            PacketBuffer p = a.buffers().acquire(IcmpHeader.HEADER_LENGTH + 4);
            p.append(IcmpHeader.HEADER_LENGTH + 4);
            p.setU8(IcmpHeader.TYPE, type);
            p.setU8(IcmpHeader.CODE, code);
            p.setU16(IcmpHeader.CHECKSUM, 0);
            p.setU16(IcmpHeader.IDENTIFIER, 0x1234);
            p.setU16(IcmpHeader.SEQUENCE, 1);
            p.setI32(IcmpHeader.HEADER_LENGTH, 0x7473756e);
            p.setU16(IcmpHeader.CHECKSUM, InternetChecksum.compute(p.array(), p.start(), p.length()));
            a.service(Ipv4Service.class).orElseThrow().send(p, 0, B, IpProtocol.ICMP, 0, 0, false);
        });
        loop.runUntilIdle();
    }

    /**
     * RFC 3168 5: the reply mirrors the request's DSCP but not its ECN field. ICMP is not an
     * ECN-capable transport, and a CE the request met is the path's news, not the reply's.
     */
    @Test
    void anEchoReplyKeepsTheRequestsDscpButNotItsEcnField() {
        try (RawLan net = RawLan.start("icmp-ecn", 3)) {
            byte[] request = Craft.ipv4(RawLan.RAW, RawLan.HOST, 1, Craft.echoRequest(7, 1, new byte[8]));
            request[1] = (byte) (46 << 2 | Ecn.CE); // DSCP EF, congestion experienced
            request[10] = request[11] = 0;
            int c = InternetChecksum.compute(request, 0, 20);
            request[10] = (byte) (c >>> 8);
            request[11] = (byte) c;
            net.raw.sendIp(net.host, request);
            List<byte[]> replies = net.icmpReceived();
            assertThat(replies).hasSize(1);
            assertThat(replies.get(0)[1] & 0xFF).isEqualTo(46 << 2 | Ecn.NOT_ECT);
        }
    }
}
