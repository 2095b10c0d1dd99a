package dev.tsunagu.tcp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;
import org.junit.jupiter.api.Test;

/**
 * TCP's checksum starts from the pseudo-header sum the network layer gives (RFC 9293 3.1 for
 * IPv4, RFC 8200 8.1 for IPv6), so the same code serves both families. Here an IPv6-shaped sum,
 * computed as RFC 8200 lays the pseudo-header out, stands in for the IPv6 layer to come.
 */
class TcpHeaderPseudoHeaderTest {
    private static final Ipv4Address A4 = Ipv4Address.parse("10.0.0.1");
    private static final Ipv4Address B4 = Ipv4Address.parse("10.0.0.2");
    private static final Ipv6Address A6 = Ipv6Address.parse("2001:db8::1");
    private static final Ipv6Address B6 = Ipv6Address.parse("2001:db8::2");

    @Test
    void theFamilyNeutralFormsAgreeWithTheIpv4OnesForIpv4() {
        PacketBuffer viaInts = segment();
        TcpHeader.prepend(viaInts, 1000, 80, 1, 0, TcpHeader.SYN, 65535, options(), A4.bits(), B4.bits());
        PacketBuffer viaService = segment();
        TcpHeader.prepend(viaService, 1000, 80, 1, 0, TcpHeader.SYN, 65535, options(), service(), A4, B4);
        assertThat(viaService.toByteArray()).isEqualTo(viaInts.toByteArray());
        assertThat(TcpHeader.check(viaService, info(A4, B4))).isEqualTo(TcpHeader.Problem.OK);
        assertThat(TcpHeader.check(viaService, info(B4, A4))).as("reversed addresses, same sum")
                .isEqualTo(TcpHeader.Problem.OK);
        assertThat(TcpHeader.check(viaService, info(A4, Ipv4Address.parse("10.0.0.3"))))
                .isEqualTo(TcpHeader.Problem.BAD_CHECKSUM);
    }

    @Test
    void anIpv6PseudoHeaderChecksAndFailsOnlyForItsOwnAddresses() {
        PacketBuffer b = segment();
        TcpHeader.prepend(b, 1000, 80, 1, 0, TcpHeader.SYN, 65535, options(), service(), A6, B6);
        assertThat(TcpHeader.check(b, info(A6, B6))).isEqualTo(TcpHeader.Problem.OK);
        assertThat(TcpHeader.check(b, info(A6, Ipv6Address.parse("2001:db8::3"))))
                .isEqualTo(TcpHeader.Problem.BAD_CHECKSUM);
        assertThat(TcpHeader.check(b, A4.bits(), B4.bits())).isEqualTo(TcpHeader.Problem.BAD_CHECKSUM);
    }

    private static PacketBuffer segment() {
        PacketBuffer b = PacketBuffer.allocate(100, 60);
        b.append("data".getBytes(), 0, 4);
        return b;
    }

    private static TcpHeader.Options options() {
        TcpHeader.Options o = new TcpHeader.Options();
        o.mss = 1460;
        o.windowScale = 7;
        return o;
    }

    private static IpService service() {
        return new IpService() {
            @Override
            public AddressFamily family() {
                throw new UnsupportedOperationException();
            }

            @Override
            public IpAddress sourceAddressFor(IpAddress destination) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isLocalAddress(IpAddress address) {
                throw new UnsupportedOperationException();
            }

            @Override
            public int mtuFor(IpAddress destination) {
                throw new UnsupportedOperationException();
            }

            @Override
            public int headerLength() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int length) {
                return TestPacketInfo.pseudoHeaderSum(source, destination, protocol, length);
            }

            @Override
            public int send(PacketBuffer payload, IpAddress source, IpAddress destination, int protocol, int ttl,
                            int tos, boolean dontFragment) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void sendPortUnreachable(IpPacketInfo info, PacketBuffer payload) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static IpPacketInfo info(IpAddress source, IpAddress destination) {
        return new TestPacketInfo(source, destination, null);
    }
}
