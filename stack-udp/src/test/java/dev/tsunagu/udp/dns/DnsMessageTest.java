package dev.tsunagu.udp.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DnsMessageTest {

    /** Hex with spaces and line breaks allowed. */
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    static Inet4Address v4(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    static Inet6Address v6(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    /**
     * What a recursive resolver (dig example.com A against a stub, EDNS on) returns: one A
     * answer whose owner name is a pointer to the question, and the OPT pseudo-record.
     */
    static final byte[] EXAMPLE_COM_RESPONSE = hex("""
            be ef 81 80 00 01 00 01 00 00 00 01
            07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01
            c0 0c 00 01 00 01 00 00 0d 2f 00 04 5d b8 d8 22
            00 00 29 04 d0 00 00 00 00 00 00
            """);

    /**
     * www.github.com A: a CNAME whose target ("github.com") is a pointer into the middle of the
     * question name, then the A record owned by that same pointer.
     */
    static final byte[] CNAME_RESPONSE = hex("""
            4a 11 81 80 00 01 00 02 00 00 00 00
            03 77 77 77 06 67 69 74 68 75 62 03 63 6f 6d 00 00 01 00 01
            c0 0c 00 05 00 01 00 00 0e 10 00 02 c0 10
            c0 10 00 01 00 01 00 00 00 3c 00 04 8c 52 79 04
            """);

    // ------------------------------------------------------------------------------------------
    // Real-looking responses

    @Test
    void parsesARealResponseWithCompressionAndEdns() throws Exception {
        DnsMessage m = DnsMessage.parse(EXAMPLE_COM_RESPONSE);
        assertThat(m.id()).isEqualTo(0xbeef);
        assertThat(m.response()).isTrue();
        assertThat(m.opcode()).isZero();
        assertThat(m.authoritative()).isFalse();
        assertThat(m.truncated()).isFalse();
        assertThat(m.recursionDesired()).isTrue();
        assertThat(m.recursionAvailable()).isTrue();
        assertThat(m.rcode()).isEqualTo(DnsMessage.RCODE_NOERROR);
        assertThat(m.questions()).containsExactly(new Question("example.com", DnsMessage.TYPE_A));
        assertThat(m.answers()).containsExactly(new ResourceRecord.A("example.com", 3375, v4("93.184.216.34")));
        assertThat(m.authorities()).isEmpty();
        assertThat(m.additionals()).hasSize(1);
        ResourceRecord opt = m.additionals().getFirst();
        assertThat(opt).isInstanceOf(ResourceRecord.Raw.class);
        assertThat(opt.name()).isEmpty();
        assertThat(opt.type()).isEqualTo(DnsMessage.TYPE_OPT);
        assertThat(opt.rrClass()).isEqualTo(1232); // the advertised UDP payload size
        assertThat(((ResourceRecord.Raw) opt).rdata()).isEmpty();
    }

    @Test
    void parsesACnameWhoseTargetPointsIntoTheQuestion() throws Exception {
        DnsMessage m = DnsMessage.parse(CNAME_RESPONSE);
        assertThat(m.answers()).containsExactly(
                new ResourceRecord.Cname("www.github.com", 3600, "github.com"),
                new ResourceRecord.A("github.com", 60, v4("140.82.121.4")));
    }

    @Test
    void reEncodingARealResponseGivesTheSameBytes() throws Exception {
        assertThat(DnsMessage.parse(EXAMPLE_COM_RESPONSE).encode()).isEqualTo(EXAMPLE_COM_RESPONSE);
        assertThat(DnsMessage.parse(CNAME_RESPONSE).encode()).isEqualTo(CNAME_RESPONSE);
    }

    // ------------------------------------------------------------------------------------------
    // Queries and responses we build

    @Test
    void queryIsWhatAStubSends() {
        byte[] q = DnsMessage.query(0xbeef, "example.com", DnsMessage.TYPE_A);
        assertThat(q).isEqualTo(hex("""
                be ef 01 00 00 01 00 00 00 00 00 00
                07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01
                """));
    }

    @Test
    void queryRoundTrips() throws Exception {
        DnsMessage m = DnsMessage.parse(DnsMessage.query(7, "Mixed.Case.Example.", DnsMessage.TYPE_AAAA));
        assertThat(m.id()).isEqualTo(7);
        assertThat(m.response()).isFalse();
        assertThat(m.recursionDesired()).isTrue();
        assertThat(m.question()).isEqualTo(new Question("Mixed.Case.Example", DnsMessage.TYPE_AAAA));
        assertThat(m.answers()).isEmpty();
    }

    @Test
    void responsePointsAnswersAtTheQuestionName() throws Exception {
        DnsMessage query = DnsMessage.parse(DnsMessage.query(0xbeef, "example.com", DnsMessage.TYPE_A));
        byte[] r = DnsMessage.response(query, DnsMessage.RCODE_NOERROR,
                List.of(new ResourceRecord.A("example.com", 3375, v4("93.184.216.34"))));
        assertThat(r).isEqualTo(hex("""
                be ef 85 00 00 01 00 01 00 00 00 00
                07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01
                c0 0c 00 01 00 01 00 00 0d 2f 00 04 5d b8 d8 22
                """));
        DnsMessage parsed = DnsMessage.parse(r);
        assertThat(parsed.response()).isTrue();
        assertThat(parsed.authoritative()).isTrue();
        assertThat(parsed.recursionDesired()).isTrue();
        assertThat(parsed.question()).isEqualTo(query.question());
    }

    @Test
    void compressionIgnoresCaseAndSharesSuffixes() throws Exception {
        DnsMessage query = DnsMessage.parse(DnsMessage.query(1, "www.example.com", DnsMessage.TYPE_A));
        byte[] r = DnsMessage.response(query, 0, List.of(
                new ResourceRecord.Cname("WWW.Example.COM", 300, "cdn.example.com"),
                new ResourceRecord.A("cdn.example.com", 60, v4("192.0.2.7"))));
        // question: 12 + 17 + 4 = 33; CNAME: pointer(2) + 10 + rdata "cdn" + pointer to example.com (6);
        // A: pointer to cdn.example.com (2) + 10 + 4.
        assertThat(r).hasSize(33 + 2 + 10 + 6 + 2 + 10 + 4);
        DnsMessage m = DnsMessage.parse(r);
        assertThat(m.answers()).containsExactly(
                new ResourceRecord.Cname("www.example.com", 300, "cdn.example.com"),
                new ResourceRecord.A("cdn.example.com", 60, v4("192.0.2.7")));
    }

    @Test
    void everyRecordKindAndSectionRoundTrips() throws Exception {
        DnsMessage m = new DnsMessage(0xffff, true, 2, true, true, false, true, DnsMessage.RCODE_REFUSED,
                List.of(new Question("a.example", DnsMessage.TYPE_AAAA), new Question("", DnsMessage.TYPE_NS, 3)),
                List.of(new ResourceRecord.Aaaa("a.example", 0xFFFF_FFFFL, v6("2001:db8::1")),
                        new ResourceRecord.Aaaa("a.example", 1, Inet6Address.getByAddress(null,
                                hex("00000000000000000000ffffc0000201"), -1))),
                List.of(new ResourceRecord.Raw("example", DnsMessage.TYPE_SOA, 1, 900, new byte[] {1, 2, 3})),
                List.of(new ResourceRecord.Cname("b.example", 4, 5, "a.example"),
                        new ResourceRecord.A("c.example", 0, v4("198.51.100.1")),
                        new ResourceRecord.Raw("c.example", DnsMessage.TYPE_A, 3, 0, new byte[] {1, 2})));
        DnsMessage back = DnsMessage.parse(m.encode());
        assertThat(back).isEqualTo(m);
        // An IPv4-mapped IPv6 address stays an AAAA record, not an IPv4 address.
        assertThat(((ResourceRecord.Aaaa) back.answers().get(1)).address()).isInstanceOf(Inet6Address.class);
    }

    @Test
    void headerFlagsRoundTrip() throws Exception {
        for (int bits = 0; bits < 32; bits++) {
            DnsMessage m = new DnsMessage(bits * 1000, (bits & 1) != 0, bits % 16, (bits & 2) != 0, (bits & 4) != 0,
                    (bits & 8) != 0, (bits & 16) != 0, (bits * 7) % 16, List.of(), List.of(), List.of(), List.of());
            assertThat(DnsMessage.parse(m.encode())).isEqualTo(m);
        }
    }

    @Test
    void zBitsAreIgnored() throws Exception {
        byte[] b = DnsMessage.query(1, "x", DnsMessage.TYPE_A);
        b[3] |= 0x70;
        assertThat(DnsMessage.parse(b).question().name()).isEqualTo("x");
    }

    @Test
    void oddLabelBytesAreEscapedAndRoundTrip() throws Exception {
        String name = "a\\.b.sp\\032ace.back\\\\slash.\\255\\000";
        byte[] q = DnsMessage.query(1, name, DnsMessage.TYPE_A);
        assertThat(DnsMessage.parse(q).question().name()).isEqualTo(name);
        assertThat(q).hasSize(12 + 1 + 3 + 1 + 6 + 1 + 10 + 1 + 2 + 1 + 4);
        assertThat(DnsMessage.canonicalName("A\\066C.Example.")).isEqualTo("abc.example");
        assertThat(DnsMessage.sameName("WWW.example.com.", "www.EXAMPLE.com")).isTrue();
        assertThat(DnsMessage.sameName("www.example.com", "www.example.org")).isFalse();
    }

    @Test
    void rootAndLongestLegalNames() throws Exception {
        assertThat(DnsMessage.parse(DnsMessage.query(1, ".", DnsMessage.TYPE_NS)).question().name()).isEmpty();
        String label = "x".repeat(63);
        String longest = label + "." + label + "." + label + "." + "y".repeat(61); // 64*3 + 62 + 1 = 255
        assertThat(DnsMessage.parse(DnsMessage.query(1, longest, DnsMessage.TYPE_A)).question().name())
                .isEqualTo(longest);
    }

    @Test
    void invalidNamesAreRefusedWhenEncoding() {
        String label = "x".repeat(63);
        for (String bad : List.of("a..b", ".a", "a.b..", "x".repeat(64) + ".com",
                label + "." + label + "." + label + "." + "y".repeat(62), "caf\u00e9.example", "a\\", "a\\12",
                "a\\256", "a\\1x2")) {
            assertThatThrownBy(() -> DnsMessage.query(1, bad, DnsMessage.TYPE_A))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> DnsMessage.query(0x10000, "a", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void largeMessagesGrowAndStillCompress() throws Exception {
        DnsMessage query = DnsMessage.parse(DnsMessage.query(9, "many.example", DnsMessage.TYPE_A));
        List<ResourceRecord> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            answers.add(new ResourceRecord.A("many.example", 60, v4("10.0." + (i / 256) + "." + (i % 256))));
        }
        byte[] r = DnsMessage.response(query, 0, answers);
        assertThat(r).hasSize(12 + 14 + 4 + 200 * 16);
        assertThat(DnsMessage.parse(r).answers()).isEqualTo(answers);
    }

    // ------------------------------------------------------------------------------------------
    // Malformed input

    static Stream<Arguments> malformed() {
        String header1q = "00 01 81 80 00 01 00 00 00 00 00 00";
        String header1a = "00 01 81 80 00 01 00 01 00 00 00 00";
        String question = "01 61 00 00 01 00 01"; // "a" A IN, at offset 12
        return Stream.of(
                Arguments.of("empty", "", "shorter than the 12-byte header"),
                Arguments.of("short header", "00 01 81 80 00 01 00 00 00 00 00", "shorter than the 12-byte header"),
                Arguments.of("question promised, none there", header1q, "runs past the end"),
                Arguments.of("label runs past the end", header1q + " 05 61 62", "label of 5 bytes runs past the end"),
                Arguments.of("name without terminator", header1q + " 01 61", "runs past the end"),
                Arguments.of("question without type and class", header1q + " 01 61 00 00 01",
                        "type and class cut off"),
                Arguments.of("label type 01 (length 64)", header1q + " 40 " + "61".repeat(64) + " 00 00 01 00 01",
                        "unsupported label type 0x40"),
                Arguments.of("binary label type 10", header1q + " 80 00 00 01 00 01", "unsupported label type 0x80"),
                Arguments.of("name longer than 255", header1q + (" 3f" + " 61".repeat(63)).repeat(4) + " 00 00 01 00 01",
                        "longer than 255 bytes"),
                Arguments.of("pointer to itself", header1q + " c0 0c 00 01 00 01", "pointer loop"),
                Arguments.of("pointer loop through two names", header1a + " 01 61 c0 10 00 01 00 01 c0 0c 00 01 00 01"
                        + " 00 00 00 3c 00 04 01 02 03 04", "pointer loop"),
                Arguments.of("pointer beyond the message", header1a + " " + question + " c1 00 00 01 00 01 00 00 00 3c"
                        + " 00 04 01 02 03 04", "beyond the end of the 35-byte message"),
                Arguments.of("pointer into the header", header1a + " " + question + " c0 02 00 01 00 01 00 00 00 3c"
                        + " 00 04 01 02 03 04", "inside the header"),
                Arguments.of("forward pointer", header1a + " " + question + " c0 20 00 01 00 01 00 00 00 3c"
                        + " 00 04 01 02 03 04", "forward jump"),
                Arguments.of("pointer cut off", header1a + " " + question + " c0", "compression pointer cut off"),
                Arguments.of("answer promised, none there", header1a + " " + question, "answer record 1 missing"),
                Arguments.of("record header cut off", header1a + " " + question + " c0 0c 00 01 00 01 00",
                        "type, class, TTL and data length cut off"),
                Arguments.of("rdlength beyond the end", header1a + " " + question + " c0 0c 00 01 00 01 00 00 00 3c"
                        + " 00 05 01 02 03 04", "runs past the end of the"),
                Arguments.of("A record of 5 bytes", header1a + " " + question + " c0 0c 00 01 00 01 00 00 00 3c"
                        + " 00 05 01 02 03 04 05", "A record data is 5 bytes, not 4"),
                Arguments.of("AAAA record of 4 bytes", header1a + " " + question + " c0 0c 00 1c 00 01 00 00 00 3c"
                        + " 00 04 01 02 03 04", "AAAA record data is 4 bytes, not 16"),
                Arguments.of("empty CNAME", header1a + " " + question + " c0 0c 00 05 00 01 00 00 00 3c 00 00",
                        "CNAME record without data"),
                Arguments.of("CNAME target longer than its data", header1a + " " + question
                        + " c0 0c 00 05 00 01 00 00 00 3c 00 02 01 62 00", "runs past the end of its record data"),
                Arguments.of("CNAME data longer than its target", header1a + " " + question
                        + " c0 0c 00 05 00 01 00 00 00 3c 00 04 01 62 00 00", "ends 1 bytes before"),
                Arguments.of("CNAME target pointing at itself", header1a + " " + question
                        + " c0 0c 00 05 00 01 00 00 00 3c 00 02 c0 1f", "pointer loop"),
                Arguments.of("trailing bytes", header1q + " " + question + " 00", "1 bytes left over"),
                Arguments.of("forged counts", "00 01 81 80 ff ff ff ff ff ff ff ff " + question,
                        "question 2 runs past the end"),
                Arguments.of("long name through pointers", header1a + " " + ("3f" + " 61".repeat(63)).repeat(3)
                        + " 00 00 01 00 01 3f" + " 62".repeat(63) + " c0 0c 00 01 00 01 00 00 00 3c 00 04 01 02 03 04",
                        "longer than 255 bytes"),
                Arguments.of("authority record cut off", "00 01 81 80 00 01 00 00 00 01 00 00 " + question + " c0 0c 00",
                        "authority record 1 type, class, TTL and data length cut off"),
                Arguments.of("additional record missing", "00 01 81 80 00 01 00 00 00 00 00 01 " + question,
                        "additional record 1 missing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedMessagesAreRefusedWithWhatAndWhere(String title, String hexBytes, String expected) {
        byte[] b = hex(hexBytes);
        DnsFormatException e = catchThrowableOfType(DnsFormatException.class, () -> DnsMessage.parse(b));
        assertThat(e).as(title).isNotNull();
        assertThat(e.getMessage()).as(title).contains(expected).contains("at offset " + e.offset());
        assertThat(e.offset()).as(title).isBetween(0, b.length);
        assertThat(e).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aLoopOfPointersIsRefusedEvenWhenEveryPointerIsInRange() {
        // Two names pointing at each other: 12 -> 14 -> 12 ...
        byte[] b = hex("00 01 81 80 00 02 00 00 00 00 00 00 c0 0e c0 0c 00 01 00 01");
        DnsFormatException e = catchThrowableOfType(DnsFormatException.class, () -> DnsMessage.parse(b));
        assertThat(e.getMessage()).contains("compression pointer to offset 14").contains("pointer loop");
        assertThat(e.offset()).isEqualTo(12);
    }

    /**
     * A TXT record (opaque to the parser) holding {@code n} pointers, each to the one before and
     * the first to the root name at offset 12, then an A record owned by a pointer to the last:
     * strictly backwards all the way, but {@code n + 1} pointers to follow.
     */
    static byte[] pointerChain(int n) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(hex("00 01 81 80 00 00 00 02 00 00 00 00"));
        o.writeBytes(hex("00 00 10 00 01 00 00 00 00"));
        o.write(2 * n >> 8);
        o.write(2 * n & 0xFF);
        int chainAt = o.size();
        int target = 12;
        for (int i = 0; i < n; i++) {
            o.write(0xC0 | target >> 8);
            o.write(target & 0xFF);
            target = chainAt + 2 * i;
        }
        o.write(0xC0 | target >> 8);
        o.write(target & 0xFF);
        o.writeBytes(hex("00 01 00 01 00 00 00 3c 00 04 01 02 03 04"));
        return o.toByteArray();
    }

    @Test
    void aLongChainOfBackwardPointersIsCut() throws Exception {
        assertThat(DnsMessage.parse(pointerChain(100)).answers().get(1).name()).isEmpty();
        byte[] deep = pointerChain(150);
        DnsFormatException e = catchThrowableOfType(DnsFormatException.class, () -> DnsMessage.parse(deep));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("answer record 2 owner name: more than " + DnsMessage.MAX_POINTERS
                + " compression pointers");
    }

    @Test
    void everyTruncationOfAValidMessageIsRefused() {
        for (byte[] full : List.of(EXAMPLE_COM_RESPONSE, CNAME_RESPONSE)) {
            for (int len = 0; len < full.length; len++) {
                byte[] cut = java.util.Arrays.copyOf(full, len);
                assertThatThrownBy(() -> DnsMessage.parse(cut)).as("length " + len)
                        .isInstanceOf(DnsFormatException.class);
            }
        }
    }

    @Test
    void randomCorruptionNeverThrowsAnythingButDnsFormatException() {
        SplittableRandom rnd = new SplittableRandom(1035);
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] b = (i % 2 == 0 ? EXAMPLE_COM_RESPONSE : CNAME_RESPONSE).clone();
            int flips = 1 + rnd.nextInt(4);
            for (int k = 0; k < flips; k++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            try {
                DnsMessage.parse(b);
                parsed++;
            } catch (DnsFormatException e) {
                refused++;
            }
        }
        assertThat(parsed).isPositive();
        assertThat(refused).isPositive();
    }

    @Test
    void randomBytesNeverThrowAnythingButDnsFormatException() {
        SplittableRandom rnd = new SplittableRandom(6891);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rnd.nextInt(80)];
            rnd.nextBytes(b);
            if (b.length >= 12 && rnd.nextBoolean()) {
                b[4] = 0; // small counts, so the parser gets into the sections
                b[6] = 0;
                b[8] = 0;
                b[10] = 0;
            }
            try {
                DnsMessage.parse(b);
            } catch (DnsFormatException e) {
                // fine
            }
        }
    }
}
