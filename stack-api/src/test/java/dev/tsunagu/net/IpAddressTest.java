package dev.tsunagu.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The family-neutral address values: {@link IpAddress}, {@link Ipv6Address}, RFC 5952 text. */
class IpAddressTest {

    /** RFC 5952 section 4 (and 5 for mapped addresses): the one text of each address. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // 4.1: no leading zeros
            "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
            // 4.2.1: the longest run is shortened as far as it goes
            "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
            // 4.2.2: a single zero group is not compressed
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            // 4.2.3: the longest run wins; on a tie, the first
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            // 4.3: lower case
            "2001:DB8::ABCD, 2001:db8::abcd",
            // the edges
            "0:0:0:0:0:0:0:0, ::",
            "0:0:0:0:0:0:0:1, ::1",
            "1:0:0:0:0:0:0:0, 1::",
            "fe80:0:0:0:0:0:0:1, fe80::1",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            // 5: an IPv4-mapped address ends in the dotted quad
            "0:0:0:0:0:ffff:c000:0280, ::ffff:192.0.2.128",
    })
    void ipv6FormatsAsRfc5952Says(String text, String canonical) {
        Ipv6Address a = Ipv6Address.parse(text);
        assertThat(a.toString()).isEqualTo(canonical);
        assertThat(Ipv6Address.parse(canonical)).isEqualTo(a);
    }

    @Test
    void ipv6RoundTripsOverSeededRandomAddresses() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            // Sparse groups, so that runs of zeros of every length and position occur.
            long high = 0;
            long low = 0;
            for (int g = 0; g < 4; g++) {
                high = (high << 16) | (random.nextInt(3) == 0 ? random.nextInt(0x10000) : 0);
                low = (low << 16) | (random.nextInt(3) == 0 ? random.nextInt(0x10000) : 0);
            }
            Ipv6Address a = new Ipv6Address(high, low);
            String text = a.toString();
            assertThat(Ipv6Address.parse(text)).as("seed %d: %s", seed, text).isEqualTo(a);
            // The JDK reads our text as the same 16 bytes, and we read its form back.
            assertThat(((Inet6Address) a.toInetAddress()).getAddress()).as("seed %d", seed).isEqualTo(a.toBytes());
            assertThat(IpAddress.parse(a.toInetAddress().getHostAddress()))
                    .as("seed %d: %s", seed, text).isEqualTo(a.isIpv4Mapped() ? a.mappedIpv4() : a);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1",
            "fe80::1%eth0", "10.0.0.1"})
    void ipv6RejectsWhatIsNotAnAddress(String text) {
        assertThatThrownBy(() -> Ipv6Address.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ipv6KnowsItsKinds() {
        assertThat(Ipv6Address.parse("::").isAny()).isTrue();
        assertThat(Ipv6Address.parse("::1").isLoopback()).isTrue();
        assertThat(Ipv6Address.parse("ff02::1").isMulticast()).isTrue();
        assertThat(Ipv6Address.parse("fe80::1").isMulticast()).isFalse();
        assertThat(Ipv6Address.parse("2001:db8::1").group(1)).isEqualTo(0xdb8);
        assertThat(Ipv6Address.parse("::1").compareTo(Ipv6Address.parse("8000::"))).isNegative();
    }

    /**
     * The v4-mapped decision (see {@link IpAddress}): read as "an address", a mapped literal is
     * the IPv4 address it maps, as the JDK does; read as IPv6 explicitly, it stays IPv6, and its
     * {@code java.net} form stays an {@code Inet6Address}, so the value round-trips.
     */
    @Test
    void ipv4MappedLiteralsAreIpv4UnlessIpv6IsAskedFor() {
        assertThat(IpAddress.parse("::ffff:10.0.0.1")).isEqualTo(Ipv4Address.parse("10.0.0.1"));
        Ipv6Address mapped = Ipv6Address.parse("::ffff:10.0.0.1");
        assertThat(mapped.isIpv4Mapped()).isTrue();
        assertThat(mapped.mappedIpv4()).isEqualTo(Ipv4Address.parse("10.0.0.1"));
        assertThat(mapped).isEqualTo(Ipv6Address.mapped(Ipv4Address.parse("10.0.0.1")));
        assertThat(mapped.toInetAddress()).isInstanceOf(Inet6Address.class);
        assertThat(IpAddress.of(mapped.toInetAddress())).isEqualTo(mapped);
        assertThatThrownBy(() -> Ipv6Address.parse("::1").mappedIpv4()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void inetAddressesConvertByTheirClass() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.7");
        InetAddress v6 = InetAddress.getByName("2001:db8::7");
        assertThat(IpAddress.of(v4)).isEqualTo(Ipv4Address.parse("192.0.2.7"));
        assertThat(IpAddress.of(v6)).isEqualTo(Ipv6Address.parse("2001:db8::7"));
        assertThat(IpAddress.of(v4).toInetAddress()).isEqualTo(v4).isInstanceOf(Inet4Address.class);
        assertThat(IpAddress.of(v6).toInetAddress()).isEqualTo(v6);
        // A scoped link-local address loses its zone: the stack's values carry none.
        InetAddress scoped = Inet6Address.getByAddress(null, Ipv6Address.parse("fe80::1").toBytes(), 3);
        assertThat(IpAddress.of(scoped)).isEqualTo(Ipv6Address.parse("fe80::1"));
    }

    @Test
    void familiesSayTheirLengthsAndEtherTypes() {
        assertThat(IpAddress.parse("10.0.0.1").family()).isEqualTo(AddressFamily.IPV4);
        assertThat(IpAddress.parse("10.0.0.1").byteLength()).isEqualTo(4);
        assertThat(IpAddress.parse("::1").family()).isEqualTo(AddressFamily.IPV6);
        assertThat(IpAddress.parse("::1").byteLength()).isEqualTo(16);
        assertThat(AddressFamily.IPV4.etherType()).isEqualTo(EtherType.IPV4);
        assertThat(AddressFamily.IPV6.etherType()).isEqualTo(EtherType.IPV6);
        assertThat(IpAddress.parse("10.1.2.3").toBytes()).containsExactly(10, 1, 2, 3);
    }

    /** The checksum words of an address are the sum of its bytes as 16-bit words (RFC 1071). */
    @Test
    void addressesAddTheirWordsToAChecksum() {
        for (String text : new String[] {"10.0.0.1", "255.255.255.255", "2001:db8::1", "ffff::ffff:1", "::"}) {
            IpAddress a = IpAddress.parse(text);
            byte[] b = a.toBytes();
            long expected = InternetChecksum.add(7, b, 0, b.length);
            assertThat(fold(a.addToChecksum(7))).as(text).isEqualTo(fold(expected));
        }
    }

    @Test
    void parseRejectsNonsense() {
        assertThatThrownBy(() -> IpAddress.parse("example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpAddress.parse("1:2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefixesOfEitherFamilyParseAndContain() {
        IpPrefix v4 = IpPrefix.parse("10.0.0.2/24");
        assertThat(v4).isEqualTo(Ipv4Prefix.parse("10.0.0.2/24"));
        assertThat(v4.family()).isEqualTo(AddressFamily.IPV4);
        assertThat(v4.contains(IpAddress.parse("10.0.0.77"))).isTrue();
        assertThat(v4.contains(IpAddress.parse("10.0.1.1"))).isFalse();
        assertThat(v4.contains(Ipv6Address.mapped(Ipv4Address.parse("10.0.0.77")))).as("other family").isFalse();

        Ipv6Prefix v6 = (Ipv6Prefix) IpPrefix.parse("2001:DB8:0:1::2/64");
        assertThat(v6.toString()).isEqualTo("2001:db8:0:1::2/64");
        assertThat(v6.network()).isEqualTo(Ipv6Address.parse("2001:db8:0:1::"));
        assertThat(v6.contains(IpAddress.parse("2001:db8:0:1:ffff::1"))).isTrue();
        assertThat(v6.contains(IpAddress.parse("2001:db8:0:2::1"))).isFalse();
        assertThat(v6.contains(IpAddress.parse("10.0.0.1"))).isFalse();
        assertThat(Ipv6Prefix.parse("2001:db8::/33").contains(IpAddress.parse("2001:db8:7fff::1"))).isTrue();
        assertThat(Ipv6Prefix.parse("2001:db8::/33").contains(IpAddress.parse("2001:db8:8000::1"))).isFalse();
        assertThat(Ipv6Prefix.parse("::/0").contains(IpAddress.parse("ff02::1"))).isTrue();
        assertThat(Ipv6Prefix.parse("fe80::1").length()).isEqualTo(128);
        assertThat(Ipv6Prefix.parse("fe80::1/127").contains(IpAddress.parse("fe80::"))).isTrue();
        assertThatThrownBy(() -> Ipv6Prefix.parse("fe80::1/129")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpPrefix.parse("fe80::1/x")).isInstanceOf(IllegalArgumentException.class);
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
