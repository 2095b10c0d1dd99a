package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.udp.dns.DnsFormatException;
import dev.tsunagu.udp.dns.DnsMessage;

/**
 * DNS messages (RFC 1035 4.1, compression pointers 4.1.4, EDNS OPT): any bytes either parse or
 * fail with {@link DnsFormatException}, never anything else; a message that parses encodes,
 * and its encoding parses back to the same message.
 */
class DnsMessageFuzzTest {
    @FuzzTest
    void messages(byte[] bytes) {
        DnsMessage m;
        try {
            m = DnsMessage.parse(bytes);
        } catch (DnsFormatException e) {
            return;
        }
        m.toString();
        byte[] again;
        try {
            again = m.encode();
        } catch (IllegalArgumentException e) {
            // A name or record the encoder refuses (checked on the way out) is not a parser finding.
            return;
        }
        DnsMessage reparsed;
        try {
            reparsed = DnsMessage.parse(again);
        } catch (DnsFormatException e) {
            throw new AssertionError("the encoding of a parsed message does not parse: " + e.getMessage() + " " + m, e);
        }
        if (!reparsed.equals(m)) {
            throw new AssertionError("parse(encode(m)) != m:\n" + m + "\n" + reparsed);
        }
    }
}
