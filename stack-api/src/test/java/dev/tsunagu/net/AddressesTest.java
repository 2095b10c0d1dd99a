package dev.tsunagu.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    // ---- Ipv4Address ----

    @Test
    void ipv4ParsesToBigEndianBits() {
        assertThat(Ipv4Address.parse("10.0.0.1").bits()).isEqualTo(0x0A00_0001);
        assertThat(Ipv4Address.parse("192.168.1.254").bits()).isEqualTo(0xC0A8_01FE);
        assertThat(Ipv4Address.parse("0.0.0.0")).isEqualTo(Ipv4Address.ANY);
        assertThat(Ipv4Address.parse("255.255.255.255")).isEqualTo(Ipv4Address.BROADCAST);
        assertThat(Ipv4Address.parse("127.0.0.1")).isEqualTo(Ipv4Address.LOOPBACK);
        assertThat(Ipv4Address.of(192, 168, 1, 254)).isEqualTo(Ipv4Address.parse("192.168.1.254"));
    }

    @Test
    void ipv4FormatsUnsignedOctets() {
        assertThat(new Ipv4Address(0xC0A8_01FE).toString()).isEqualTo("192.168.1.254");
        assertThat(new Ipv4Address(0xFFFF_FFFF).toString()).isEqualTo("255.255.255.255");
        assertThat(new Ipv4Address(0x8000_0000).toString()).isEqualTo("128.0.0.0");
        assertThat(Ipv4Address.format(0)).isEqualTo("0.0.0.0");
    }

    @Test
    void ipv4RoundTripsOverSeededRandomAddresses() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            int bits = random.nextInt();
            String text = Ipv4Address.format(bits);
            assertThat(Ipv4Address.parse(text).bits()).as("seed %d: %s", seed, text).isEqualTo(bits);
            assertThat(Ipv4Address.parse(text).toString()).as("seed %d", seed).isEqualTo(text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1.2.3", "256.1.1.1", "1.2.3.256", "a.b.c.d", "1.2.3.4.5", "", "...", "1..2.3", "1.2.3.4.",
        ".1.2.3", "1.2.3.-4", "+1.2.3.4", "1.2.3.0x4", "1000.2.3.4", "0001.2.3.4", "1.2.3.4/24", "1.2. 3.4",
        "\u0661.2.3.4",             // ARABIC-INDIC DIGIT ONE
        "\uFF11.\uFF12.\uFF13.\uFF14", // FULLWIDTH DIGITS
    })
    void ipv4RejectsMalformedText(String text) {
        assertThatThrownBy(() -> Ipv4Address.parse(text))
                .as("parse(\"%s\")", text)
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ipv4WhatTheParserAccepts() {
        // surrounding white space is trimmed
        assertThat(Ipv4Address.parse(" 1.2.3.4\t")).isEqualTo(Ipv4Address.of(1, 2, 3, 4));
        // leading zeros are read as decimal (not octal as inet_aton would)
        assertThat(Ipv4Address.parse(" 01.2.3.4")).isEqualTo(Ipv4Address.of(1, 2, 3, 4));
        assertThat(Ipv4Address.parse("010.020.030.040")).isEqualTo(Ipv4Address.of(10, 20, 30, 40));
        assertThat(Ipv4Address.parse("000.000.000.000")).isEqualTo(Ipv4Address.ANY);
    }

    @Test
    void ipv4Classification() {
        assertThat(Ipv4Address.parse("224.0.0.1").isMulticast()).isTrue();
        assertThat(Ipv4Address.parse("239.255.255.255").isMulticast()).isTrue();
        assertThat(Ipv4Address.parse("223.255.255.255").isMulticast()).isFalse();
        assertThat(Ipv4Address.parse("240.0.0.0").isMulticast()).isFalse();
        assertThat(Ipv4Address.BROADCAST.isBroadcast()).isTrue();
        assertThat(Ipv4Address.BROADCAST.isMulticast()).isFalse();
        assertThat(Ipv4Address.parse("10.255.255.255").isBroadcast()).isFalse();
        assertThat(Ipv4Address.parse("127.8.9.10").isLoopback()).isTrue();
        assertThat(Ipv4Address.parse("128.0.0.1").isLoopback()).isFalse();
        assertThat(Ipv4Address.ANY.isAny()).isTrue();
        assertThat(Ipv4Address.parse("0.0.0.1").isAny()).isFalse();
    }

    @Test
    void ipv4ComparesUnsigned() {
        assertThat(Ipv4Address.parse("128.0.0.0")).isGreaterThan(Ipv4Address.parse("127.255.255.255"));
        assertThat(Ipv4Address.parse("255.255.255.255")).isGreaterThan(Ipv4Address.parse("0.0.0.1"));
        assertThat(Ipv4Address.parse("10.0.0.1").compareTo(Ipv4Address.of(10, 0, 0, 1))).isZero();
    }

    @Test
    void ipv4ConvertsToAndFromInetAddress() throws Exception {
        Ipv4Address a = Ipv4Address.parse("200.100.50.25");
        InetAddress inet = a.toInetAddress();
        assertThat(inet.getAddress()).containsExactly((byte) 200, (byte) 100, (byte) 50, (byte) 25);
        assertThat(Ipv4Address.of(inet)).isEqualTo(a);
        assertThatThrownBy(() -> Ipv4Address.of(InetAddress.getByName("::1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- Ipv4Prefix ----

    @Test
    void prefixSlash0ContainsEverything() {
        Ipv4Prefix p = Ipv4Prefix.parse("0.0.0.0/0");
        assertThat(p.mask()).isZero();
        assertThat(p.network()).isEqualTo(Ipv4Address.ANY);
        assertThat(p.broadcast()).isEqualTo(Ipv4Address.BROADCAST);
        assertThat(p.contains(Ipv4Address.parse("1.2.3.4"))).isTrue();
        assertThat(p.contains(Ipv4Address.BROADCAST)).isTrue();
        assertThat(p.contains(0)).isTrue();
        // host bits in the address do not matter for /0
        assertThat(Ipv4Prefix.parse("10.1.2.3/0").contains(Ipv4Address.parse("200.0.0.1"))).isTrue();
    }

    @Test
    void prefixSlash8() {
        Ipv4Prefix p = Ipv4Prefix.parse("10.20.30.40/8");
        assertThat(p.mask()).isEqualTo(0xFF00_0000);
        assertThat(p.network()).isEqualTo(Ipv4Address.parse("10.0.0.0"));
        assertThat(p.broadcast()).isEqualTo(Ipv4Address.parse("10.255.255.255"));
        assertThat(p.contains(Ipv4Address.parse("10.255.0.1"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("10.0.0.0"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("11.0.0.0"))).isFalse();
        assertThat(p.contains(Ipv4Address.parse("9.255.255.255"))).isFalse();
        assertThat(p.toString()).isEqualTo("10.20.30.40/8");
    }

    @Test
    void prefixSlash24() {
        Ipv4Prefix p = Ipv4Prefix.parse("192.168.7.77/24");
        assertThat(p.mask()).isEqualTo(0xFFFF_FF00);
        assertThat(p.network()).isEqualTo(Ipv4Address.parse("192.168.7.0"));
        assertThat(p.broadcast()).isEqualTo(Ipv4Address.parse("192.168.7.255"));
        assertThat(p.contains(Ipv4Address.parse("192.168.7.1"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("192.168.7.255"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("192.168.8.1"))).isFalse();
        assertThat(p.contains(Ipv4Address.parse("192.168.6.255"))).isFalse();
        assertThat(Ipv4Prefix.parse("192.168.7.77 / 24")).as("spaces around the length are trimmed")
                .isEqualTo(new Ipv4Prefix(Ipv4Address.parse("192.168.7.77"), 24));
    }

    @Test
    void prefixSlash31() {
        Ipv4Prefix p = Ipv4Prefix.parse("10.0.0.7/31");
        assertThat(p.mask()).isEqualTo(0xFFFF_FFFE);
        assertThat(p.network()).isEqualTo(Ipv4Address.parse("10.0.0.6"));
        // the code computes a "broadcast" for /31 too (RFC 3021 links have none): the odd address
        assertThat(p.broadcast()).isEqualTo(Ipv4Address.parse("10.0.0.7"));
        assertThat(p.contains(Ipv4Address.parse("10.0.0.6"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("10.0.0.7"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("10.0.0.5"))).isFalse();
        assertThat(p.contains(Ipv4Address.parse("10.0.0.8"))).isFalse();
    }

    @Test
    void prefixSlash32AndBareAddress() {
        Ipv4Prefix p = Ipv4Prefix.parse("172.16.5.4/32");
        assertThat(p.mask()).isEqualTo(0xFFFF_FFFF);
        assertThat(p.network()).isEqualTo(Ipv4Address.parse("172.16.5.4"));
        assertThat(p.broadcast()).isEqualTo(Ipv4Address.parse("172.16.5.4"));
        assertThat(p.contains(Ipv4Address.parse("172.16.5.4"))).isTrue();
        assertThat(p.contains(Ipv4Address.parse("172.16.5.5"))).isFalse();
        assertThat(Ipv4Prefix.parse("172.16.5.4")).isEqualTo(p);
    }

    @Test
    void prefixMaskForEveryLength() {
        for (int len = 0; len <= 32; len++) {
            long expected = len == 0 ? 0 : (0xFFFF_FFFFL << (32 - len)) & 0xFFFF_FFFFL;
            assertThat(Ipv4Prefix.mask(len) & 0xFFFF_FFFFL).as("/%d", len).isEqualTo(expected);
            assertThat(Integer.bitCount(Ipv4Prefix.mask(len))).isEqualTo(len);
        }
    }

    @Test
    void prefixRejectsBadLengths() {
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.0/-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0.0/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Prefix.parse("10.0.0/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ipv4Prefix(Ipv4Address.ANY, 33)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- MacAddress ----

    @Test
    void macParsesAndFormats() {
        MacAddress m = MacAddress.parse("02:1a:2B:3c:4D:ff");
        assertThat(m.bits()).isEqualTo(0x021A_2B3C_4DFFL);
        assertThat(m.toString()).isEqualTo("02:1a:2b:3c:4d:ff");
        assertThat(MacAddress.parse("02-1a-2b-3c-4d-ff")).isEqualTo(m);
        assertThat(MacAddress.parse("  02:1a:2b:3c:4d:ff ")).isEqualTo(m);
        assertThat(MacAddress.parse("2:1a:2b:3c:4d:ff")).as("one-digit octets").isEqualTo(m);
        assertThat(MacAddress.ZERO.toString()).isEqualTo("00:00:00:00:00:00");
        assertThat(MacAddress.BROADCAST.toString()).isEqualTo("ff:ff:ff:ff:ff:ff");
        assertThat(MacAddress.format(0x0000_0000_0001L)).isEqualTo("00:00:00:00:00:01");
    }

    @Test
    void macRoundTripsOverSeededRandomAddresses() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            long bits = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            MacAddress m = new MacAddress(bits);
            assertThat(MacAddress.parse(m.toString())).as("seed %d: %s", seed, m).isEqualTo(m);
            assertThat(MacAddress.of(m.toBytes())).as("seed %d", seed).isEqualTo(m);
        }
    }

    @Test
    void macBytesAreNetworkOrder() {
        MacAddress m = MacAddress.parse("01:23:45:67:89:ab");
        assertThat(m.toBytes()).containsExactly(0x01, 0x23, 0x45, 0x67, 0x89, 0xAB);
        byte[] frame = new byte[10];
        MacAddress.writeBits(m.bits(), frame, 2);
        assertThat(frame).containsExactly(0, 0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0, 0);
        assertThat(MacAddress.readBits(frame, 2)).isEqualTo(m.bits());
    }

    @Test
    void macRejectsMoreThan48Bits() {
        assertThatThrownBy(() -> new MacAddress(1L << 48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MacAddress(-1L)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aa:bb:cc:dd:ee:gg", "aaa:bb:cc:dd:ee:ff",
        "aa::cc:dd:ee:ff", "aa.bb.cc.dd.ee.ff", "aabbccddeeff",
        "aa:bb:cc:dd:ee:ff:",   // trailing separator
        "aa:bb:cc:dd:ee:ff::",  // two trailing separators
        "+a:bb:cc:dd:ee:ff",    // a sign is not a hex digit
    })
    void macRejectsMalformedText(String text) {
        assertThatThrownBy(() -> MacAddress.parse(text))
                .as("parse(\"%s\")", text)
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomLocalIsLocallyAdministeredUnicast() {
        long seed = 0x5EED_1234L;
        Random random = new Random(seed);
        boolean sawDifferent = false;
        MacAddress first = null;
        for (int i = 0; i < 1_000; i++) {
            MacAddress m = MacAddress.randomLocal(random);
            int firstOctet = (int) (m.bits() >>> 40);
            assertThat(firstOctet & 0x02).as("seed %d draw %d: U/L bit of %s", seed, i, m).isEqualTo(0x02);
            assertThat(firstOctet & 0x01).as("seed %d draw %d: I/G bit of %s", seed, i, m).isZero();
            assertThat(m.isMulticast()).as("seed %d draw %d", seed, i).isFalse();
            assertThat(m.isBroadcast()).isFalse();
            assertThat(m.bits() >>> 48).isZero();
            if (first == null) {
                first = m;
            } else if (!m.equals(first)) {
                sawDifferent = true;
            }
        }
        assertThat(sawDifferent).as("draws vary, seed %d", seed).isTrue();
        // the same seed gives the same sequence
        assertThat(MacAddress.randomLocal(new Random(seed))).isEqualTo(MacAddress.randomLocal(new Random(seed)));
    }

    @Test
    void macClassification() {
        assertThat(MacAddress.BROADCAST.isBroadcast()).isTrue();
        assertThat(MacAddress.BROADCAST.isMulticast()).as("broadcast is a group address").isTrue();
        MacAddress ipv4Multicast = MacAddress.parse("01:00:5e:00:00:01");
        assertThat(ipv4Multicast.isMulticast()).isTrue();
        assertThat(ipv4Multicast.isBroadcast()).isFalse();
        MacAddress unicast = MacAddress.parse("02:00:5e:00:00:01");
        assertThat(unicast.isMulticast()).isFalse();
        assertThat(unicast.isBroadcast()).isFalse();
        assertThat(MacAddress.ZERO.isMulticast()).isFalse();
        assertThat(MacAddress.ZERO.isBroadcast()).isFalse();
        assertThat(MacAddress.isMulticast(0x3300_0000_0001L)).as("IPv6 multicast MAC").isTrue();
        assertThat(MacAddress.parse("ff:ff:ff:ff:ff:fe").isBroadcast()).isFalse();
    }
}
