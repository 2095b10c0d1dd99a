package dev.tsunagu.ipv6;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import org.junit.jupiter.api.Test;

/** The address mappings of RFC 4291, RFC 4862 and RFC 2464, and the routing table's longest-prefix match. */
class Ipv6AddressingTest {
    @Test
    void rfc4291_appendixA_theLinkLocalAddressCarriesTheModifiedEui64OfTheMac() {
        long mac = MacAddress.parse("52:54:00:12:34:56").bits();
        assertThat(Ipv6Addresses.linkLocal(mac)).isEqualTo(Ipv6Address.parse("fe80::5054:ff:fe12:3456"));
        assertThat(Ipv6Addresses.withInterfaceIdentifier(Ipv6Address.parse("2001:db8:1:2::"), mac))
                .isEqualTo(Ipv6Address.parse("2001:db8:1:2:5054:ff:fe12:3456"));
        // A locally administered MAC has the U/L bit set, so the identifier has it clear.
        assertThat(Ipv6Addresses.interfaceIdentifier(MacAddress.parse("02:00:00:00:00:01").bits()))
                .isEqualTo(0x0000_00FF_FE00_0001L);
    }

    @Test
    void rfc4291_2_7_1_theSolicitedNodeGroupKeepsTheLow24Bits() {
        Ipv6Address a = Ipv6Address.parse("fd00::abcd:1234:5678");
        assertThat(Ipv6Addresses.solicitedNode(a)).isEqualTo(Ipv6Address.parse("ff02::1:ff34:5678"));
        assertThat(Ipv6Addresses.isSolicitedNode(Ipv6Addresses.solicitedNode(a))).isTrue();
        assertThat(Ipv6Addresses.isSolicitedNode(Ipv6Addresses.ALL_NODES)).isFalse();
    }

    @Test
    void rfc2464_7_aGroupMapsTo3333AndItsLow32Bits() {
        assertThat(MacAddress.format(Ipv6Addresses.multicastMac(Ipv6Address.parse("ff02::1:ff34:5678"))))
                .isEqualTo("33:33:ff:34:56:78");
        assertThat(MacAddress.format(Ipv6Addresses.multicastMac(Ipv6Addresses.ALL_NODES))).isEqualTo("33:33:00:00:00:01");
    }

    @Test
    void scopesAreToldApart() {
        assertThat(Ipv6Addresses.isLinkLocal(Ipv6Address.parse("fe80::1"))).isTrue();
        assertThat(Ipv6Addresses.isLinkLocal(Ipv6Address.parse("febf::1"))).isTrue();
        assertThat(Ipv6Addresses.isLinkLocal(Ipv6Address.parse("fec0::1"))).isFalse();
        assertThat(Ipv6Addresses.isLinkScopeMulticast(Ipv6Address.parse("ff02::1"))).isTrue();
        assertThat(Ipv6Addresses.isLinkScopeMulticast(Ipv6Address.parse("ff05::1"))).isFalse();
    }

    @Test
    void theRoutingTablePicksTheLongestPrefixThenTheLowestMetric() {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable lan = new Cable("rt");
        try (NetworkStack s = TestHosts.host(loop, "rt", 1).on(lan, "10.0.0.1/24").build()) {
            NetInterface eth = s.primaryInterface();
            Ipv6RoutingTable t = new Ipv6RoutingTable();
            Ipv6Route wide = new Ipv6Route(Ipv6Prefix.parse("fd00::/16"), eth, null);
            Ipv6Route narrow = new Ipv6Route(Ipv6Prefix.parse("fd00:1::/32"), eth, null);
            Ipv6Route viaOne = new Ipv6Route(Ipv6Prefix.parse("::/0"), Ipv6Address.parse("fe80::1"), eth, 10, null, Long.MAX_VALUE);
            Ipv6Route viaTwo = new Ipv6Route(Ipv6Prefix.parse("::/0"), Ipv6Address.parse("fe80::2"), eth, 5, null, Long.MAX_VALUE);
            t.add(wide);
            t.add(viaOne);
            t.add(narrow);
            t.add(viaTwo);
            assertThat(t.lookup(Ipv6Address.parse("fd00:1::5"))).isEqualTo(narrow);
            assertThat(t.lookup(Ipv6Address.parse("fd00:2::5"))).isEqualTo(wide);
            assertThat(t.lookup(Ipv6Address.parse("2001:db8::1"))).isEqualTo(viaTwo);
            assertThat(t.lookup(Ipv6Address.parse("2001:db8::1")).nextHop(Ipv6Address.parse("2001:db8::1")))
                    .isEqualTo(Ipv6Address.parse("fe80::2"));
            assertThat(narrow.nextHop(Ipv6Address.parse("fd00:1::5"))).isEqualTo(Ipv6Address.parse("fd00:1::5"));
            assertThat(t.onLinkRouteTo(Ipv6Address.parse("fd00::7"))).isEqualTo(wide);
            t.removeIf(r -> r == viaTwo);
            assertThat(t.lookup(Ipv6Address.parse("2001:db8::1"))).isEqualTo(viaOne);
            assertThat(t.routes()).hasSize(3);
        }
    }
}
