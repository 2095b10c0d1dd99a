package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;

/**
 * IPv4 (RFC 791): headers of any bytes, and headers that pass the checks but carry fuzzed
 * options, addresses (ours, broadcast, multicast, martian), protocols and fragment fields, so
 * that reassembly (RFC 815, RFC 5722's overlap rule) sees overlapping, duplicate, oversized
 * and never-completed fragments; time passes between them so that reassembly times out.
 * Afterwards reassembly must hold nothing.
 */
class Ipv4FuzzTest {
    private static final int[] DESTINATIONS = {FuzzLan.HOST, 0x0A00_00FF, -1, 0xE000_0001, 0x0A00_0003, 0x7F00_0001};
    private static final int[] PROTOCOLS = {17, 6, 1, 0, 2, 50, 255};

    @FuzzTest
    void datagrams(FuzzedDataProvider data) {
        try (FuzzLan lan = new FuzzLan()) {
            for (int i = 0; i < 48 && data.remainingBytes() > 0; i++) {
                switch (data.consumeInt(0, 3)) {
                    case 0 -> lan.sendIpv4(data.consumeBytes(data.consumeInt(0, 1600)));
                    case 1, 2 -> lan.sendIpv4(wellFormed(data));
                    default -> lan.advance(Duration.ofMillis(data.consumeLong(0, 40_000)));
                }
            }
            lan.advance(Duration.ofMinutes(2));
            lan.checkQuiescent();
        }
    }

    /** A header that passes the checks, with fuzzed fields; fragments of a few datagrams. */
    static byte[] wellFormed(FuzzedDataProvider data) {
        int src = data.consumeInt(0, 7) == 0 ? data.consumeInt() : FuzzLan.RAW;
        int dst = data.consumeBoolean() ? FuzzLan.HOST : data.pickValue(DESTINATIONS);
        int protocol = data.pickValue(PROTOCOLS);
        int id = data.consumeInt(0, 3);
        // Flags (reserved, DF, MF) and an offset in 8-byte units: mostly small, sometimes any.
        int flags = data.consumeInt(0, 7) << 13;
        int offset = data.consumeBoolean() ? data.consumeInt(0, 400) : data.consumeInt(0, 0x1FFF);
        byte[] options = data.consumeBytes(data.consumeInt(0, 40));
        byte[] payload = data.consumeBytes(data.consumeInt(0, 1480));
        return FuzzLan.ipv4(src, dst, protocol, id, flags | offset, options, payload);
    }
}
