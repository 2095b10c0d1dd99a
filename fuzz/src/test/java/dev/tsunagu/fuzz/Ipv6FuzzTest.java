package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.net.Ipv6Address;
import java.io.ByteArrayOutputStream;
import java.time.Duration;

/**
 * IPv6 (RFC 8200): packets of any bytes, and packets with a right fixed header whose
 * extension-header chain the fuzzer builds: Hop-by-Hop and Destination Options with any
 * options (Pad1, PadN, unknown ones with each action of their top bits), Routing headers of
 * any type and segments left, Fragment headers whose offsets, M flags and identifications make
 * overlapping (RFC 5722), atomic, oversized and never-completed fragments, No Next Header, and
 * chains too long or cut short; addressed to us, to groups we are in or not, with ordinary or
 * impossible sources. Time passes between them; afterwards reassembly must hold nothing.
 */
class Ipv6FuzzTest {
    static final Ipv6Address[] DESTINATIONS = {FuzzLan.HOST6, Ipv6Address.parse("ff02::1"),
            Ipv6Address.parse("ff02::1:ff00:2"), Ipv6Address.parse("ff02::2"), Ipv6Address.parse("fd00::7"),
            Ipv6Address.parse("fe80::2"), Ipv6Address.LOOPBACK};
    static final Ipv6Address[] SOURCES = {FuzzLan.RAW6, Ipv6Address.parse("fe80::9"), Ipv6Address.ANY,
            Ipv6Address.parse("ff02::1"), FuzzLan.HOST6, Ipv6Address.LOOPBACK};
    private static final int[] HEADERS = {0, 43, 44, 60, 59, 58, 17, 6, 50, 135, 253};

    @FuzzTest
    void packets(FuzzedDataProvider data) {
        try (FuzzLan lan = new FuzzLan()) {
            for (int i = 0; i < 32 && data.remainingBytes() > 0; i++) {
                switch (data.consumeInt(0, 3)) {
                    case 0 -> lan.sendIpv6(data.consumeBytes(data.consumeInt(0, 1600)));
                    case 1, 2 -> lan.sendIpv6(wellFormed(data));
                    default -> lan.advance(Duration.ofMillis(data.consumeLong(0, 70_000)));
                }
            }
            lan.advance(Duration.ofMinutes(2));
            lan.checkQuiescent();
        }
    }

    private static byte[] wellFormed(FuzzedDataProvider data) {
        Ipv6Address src = data.consumeInt(0, 5) == 0 ? data.pickValue(SOURCES) : FuzzLan.RAW6;
        Ipv6Address dst = data.consumeBoolean() ? FuzzLan.HOST6 : data.pickValue(DESTINATIONS);
        int first = data.pickValue(HEADERS);
        ByteArrayOutputStream chain = new ByteArrayOutputStream();
        int next = first;
        int headers = data.consumeInt(0, 4);
        for (int h = 0; h < headers && (next == 0 || next == 43 || next == 44 || next == 60); h++) {
            int following = data.pickValue(HEADERS);
            if (next == 44) {
                // Fragment: next header, reserved, offset (13 bits) + M, identification.
                int offset = data.consumeBoolean() ? data.consumeInt(0, 200) : data.consumeInt(0, 0x1FFF);
                int m = data.consumeBoolean() ? 1 : 0;
                int id = data.consumeInt(0, 3);
                chain.write(following);
                chain.write(data.consumeBoolean() ? 0 : data.consumeInt(0, 255));
                int word = (offset << 3) | (data.consumeInt(0, 3) << 1) | m;
                chain.write(word >>> 8);
                chain.write(word);
                chain.writeBytes(new byte[] {0, 0, 0, (byte) id});
            } else {
                int units = data.consumeInt(0, 3); // (units + 1) * 8 bytes
                byte[] body = new byte[6 + units * 8];
                byte[] fuzzed = data.consumeBytes(body.length);
                System.arraycopy(fuzzed, 0, body, 0, fuzzed.length);
                chain.write(following);
                chain.write(data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 255) : units);
                chain.writeBytes(body);
            }
            next = following;
        }
        chain.writeBytes(data.consumeBytes(data.consumeInt(0, 1400)));
        byte[] packet = FuzzLan.ipv6(src, dst, first, data.consumeBoolean() ? 64 : data.consumeInt(0, 255), chain.toByteArray());
        return packet;
    }
}
