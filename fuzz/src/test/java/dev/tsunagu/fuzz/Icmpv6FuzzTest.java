package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.testkit.Craft;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861): messages with a right checksum over the
 * pseudo-header and fuzzed type, code, hop limit and body: solicitations and advertisements for
 * our address or others, router advertisements with prefix, MTU and link-layer options of any
 * length (zero-length ones included), redirects, echo requests to us and to groups, and errors
 * (unreachable, packet too big, time exceeded, parameter problem) quoting a packet that may be
 * one of ours. The neighbour cache stays bounded, and time passes so that entries age.
 */
class Icmpv6FuzzTest {
    private static final int[] TYPES = {135, 136, 134, 133, 137, 128, 129, 1, 2, 3, 4, 130, 143, 200};

    @FuzzTest
    void messages(FuzzedDataProvider data) {
        try (FuzzLan lan = new FuzzLan()) {
            for (int i = 0; i < 24 && data.remainingBytes() > 0; i++) {
                if (data.consumeInt(0, 7) == 0) {
                    lan.advance(Duration.ofMillis(data.consumeLong(0, 60_000)));
                    continue;
                }
                Ipv6Address src = data.consumeInt(0, 3) == 0 ? data.pickValue(Ipv6FuzzTest.SOURCES) : FuzzLan.RAW6;
                Ipv6Address dst = data.consumeBoolean() ? FuzzLan.HOST6 : data.pickValue(Ipv6FuzzTest.DESTINATIONS);
                int type = data.pickValue(TYPES);
                ByteBuffer head = ByteBuffer.allocate(8);
                head.put((byte) type).put((byte) (data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 255) : 0));
                head.putShort((short) 0).putInt(data.consumeInt());
                byte[] body = switch (type) {
                    case 135, 136, 137 -> Craft.concat(bytesOf(data.consumeBoolean() ? FuzzLan.HOST6 : data.pickValue(Ipv6FuzzTest.DESTINATIONS)),
                            options(data));
                    case 134 -> Craft.concat(data.consumeBytes(8), options(data));
                    case 133 -> options(data);
                    case 1, 2, 3, 4 -> quote(data);
                    default -> data.consumeBytes(data.consumeInt(0, 200));
                };
                byte[] icmp = Craft.concat(head.array(), body);
                if (data.consumeInt(0, 7) != 0) {
                    icmp = FuzzLan.fixTransportChecksum(58, FuzzLan.bytes(src), FuzzLan.bytes(dst), icmp);
                }
                int hopLimit = data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 255) : 255;
                lan.sendIpv6(FuzzLan.ipv6(src, dst, 58, hopLimit, icmp));
            }
            lan.advance(Duration.ofMinutes(2));
            lan.checkQuiescent();
        }
    }

    /** ND options: type, length in 8-byte units (sometimes wrong), content. */
    private static byte[] options(FuzzedDataProvider data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            int type = data.pickValue(new int[] {1, 2, 3, 5, 4, 25, data.consumeInt(0, 255)});
            int units = data.consumeInt(0, 4);
            out.write(type);
            out.write(data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 255) : units);
            byte[] content = new byte[Math.max(0, units * 8 - 2)];
            byte[] fuzzed = data.consumeBytes(content.length);
            System.arraycopy(fuzzed, 0, content, 0, fuzzed.length);
            out.writeBytes(content);
        }
        return out.toByteArray();
    }

    /** An error's quote: an IPv6 header from us (mostly) and what followed it. */
    private static byte[] quote(FuzzedDataProvider data) {
        Ipv6Address src = data.consumeBoolean() ? FuzzLan.HOST6 : data.pickValue(Ipv6FuzzTest.SOURCES);
        Ipv6Address dst = data.consumeBoolean() ? FuzzLan.RAW6 : data.pickValue(Ipv6FuzzTest.DESTINATIONS);
        byte[] inner = FuzzLan.ipv6(src, dst, data.pickValue(new int[] {17, 6, 58, 44, 0}), 64,
                data.consumeBytes(data.consumeInt(0, 64)));
        return java.util.Arrays.copyOf(inner, data.consumeBoolean() ? inner.length : data.consumeInt(0, inner.length));
    }

    private static byte[] bytesOf(Ipv6Address a) {
        return FuzzLan.bytes(a);
    }
}
