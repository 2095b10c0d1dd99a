package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Literals and ADDR[:PORT] as the commands read and print them, IPv6 included. */
class AddressesTest {
    @Test
    void formatsIpv4PlainlyAndIpv6InBrackets() throws Exception {
        assertThat(Addresses.format(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 49152)))
                .isEqualTo("10.0.0.1:49152");
        assertThat(Addresses.format(new InetSocketAddress(InetAddress.getByName("fd00::1"), 80)))
                .isEqualTo("[fd00::1]:80");
        assertThat(Addresses.format(null)).isEqualTo("*:*");
    }

    @Test
    void literalsOfBothFamiliesAreRecognisedAndNamesAreNot() {
        assertThat(Addresses.literal("10.0.0.1")).isEqualTo(InetAddress.ofLiteral("10.0.0.1"));
        assertThat(Addresses.literal("fd00::1")).isEqualTo(InetAddress.ofLiteral("fd00::1"));
        assertThat(Addresses.literal("[fd00::1]")).isEqualTo(InetAddress.ofLiteral("fd00::1"));
        assertThat(Addresses.literal("www.example.test")).isNull();
        assertThat(Addresses.literal("10.0.0.256")).isNull();
    }

    @Test
    void anIpv4LiteralIsTakenAndAnIpv6OneRefusedWithTheReason() {
        assertThat(Addresses.ipv4("192.168.1.9").getHostAddress()).isEqualTo("192.168.1.9");
        assertThatThrownBy(() -> Addresses.ipv4("fd00::1")).hasMessage("fd00::1 is an IPv6 address; want an IPv4 one here");
        assertThatThrownBy(() -> Addresses.ipv4("10.0.0.256")).hasMessage("not an IPv4 address (want a.b.c.d): 10.0.0.256");
    }

    @Test
    void addressAndPortOfEitherFamilyWithTheDefaultPortWhenNoneIsGiven() throws Exception {
        assertThat(Addresses.addressAndPort("10.0.0.1", 53)).isEqualTo(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 53));
        assertThat(Addresses.addressAndPort("10.0.0.1:5353", 53)).isEqualTo(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 5353));
        assertThat(Addresses.addressAndPort("[fd00::1]:80", 53)).isEqualTo(new InetSocketAddress(InetAddress.getByName("fd00::1"), 80));
        assertThat(Addresses.addressAndPort("fd00::1", 53)).isEqualTo(new InetSocketAddress(InetAddress.getByName("fd00::1"), 53));
        assertThatThrownBy(() -> Addresses.addressAndPort("10.0.0.1:99999", 53)).hasMessageContaining("want ADDR[:PORT]");
        assertThatThrownBy(() -> Addresses.addressAndPort("10.0.0.1:0", 53)).hasMessageContaining("port 0 out of range");
        assertThatThrownBy(() -> Addresses.addressAndPort("10.0.0.1:x", 53)).hasMessageContaining("want ADDR[:PORT]");
        assertThatThrownBy(() -> Addresses.addressAndPort("dns.example.test", 53)).hasMessageContaining("not an IP address");
    }
}
