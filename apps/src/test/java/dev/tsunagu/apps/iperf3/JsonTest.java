package dev.tsunagu.apps.iperf3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    private static final String MUTATIONS = "{}[]\",:0-e.\\tnu \u0000";
    /** What iperf3 3.12's server sent a UDP client (its --debug output), tabs and all. */
    private static final String SERVER_RESULTS = """
            {
            \t"cpu_util_total":\t0.2893975532661438,
            \t"cpu_util_user":\t0.2893975532661438,
            \t"cpu_util_system":\t0,
            \t"sender_has_retransmits":\t18446744073709551615,
            \t"streams":\t[{
            \t\t\t"id":\t1,
            \t\t\t"bytes":\t1277952,
            \t\t\t"retransmits":\t1.8446744073709552e+19,
            \t\t\t"jitter":\t0.00022715732781328923,
            \t\t\t"errors":\t0,
            \t\t\t"packets":\t39,
            \t\t\t"start_time":\t0,
            \t\t\t"end_time":\t1.000277
            \t\t}]
            }""";

    @Test
    void readsIperf3sResultsIncludingItsUnsigned64BitMinusOne() {
        Map<String, Object> j = Json.parseObject(SERVER_RESULTS);
        assertThat(j.get("cpu_util_total")).isEqualTo(0.2893975532661438);
        assertThat(j.get("cpu_util_system")).isEqualTo(0L);
        assertThat(j.get("sender_has_retransmits")).isEqualTo(1.8446744073709552e19); // past a long: the double
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) ((List<Object>) j.get("streams")).getFirst();
        assertThat(s).containsEntry("id", 1L).containsEntry("bytes", 1277952L).containsEntry("end_time", 1.000277);
        assertThat(s.keySet()).containsExactly("id", "bytes", "retransmits", "jitter", "errors", "packets", "start_time", "end_time");
    }

    @Test
    void writesCompactJsonThatReadsBackEqual() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tcp", true);
        m.put("reverse", false);
        m.put("time", 10L);
        m.put("jitter", 0.25);
        m.put("title", "quote \" backslash \\ newline \n tab \t bell \u0007 ünï");
        m.put("none", Json.NULL);
        m.put("streams", List.of(Map.of("id", 1L), List.of()));
        String text = Json.write(m);
        assertThat(text).startsWith("{\"tcp\":true,\"reverse\":false,\"time\":10,\"jitter\":0.25,").doesNotContain("\n");
        assertThat(Json.parse(text)).isEqualTo(m);
    }

    @Test
    void readsEscapesAndEmptyContainers() {
        assertThat(Json.parse("\"a\\u0041\\/\\b\\f\\n\\r\\t\"")).isEqualTo("aA/\b\f\n\r\t");
        assertThat(Json.parse(" { } ")).isEqualTo(Map.of());
        assertThat(Json.parse("[ ]")).isEqualTo(List.of());
        assertThat(Json.parse("-12.5e2")).isEqualTo(-1250.0);
        assertThat(Json.parse("null")).isSameAs(Json.NULL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\"", "{\"a\":}", "{\"a\":1,}", "[1,]", "\"open", "\"bad \\x escape\"", "\"\\u12\"",
            "tru", "01x", "-", "1.", "1e", "{} {}", "{a:1}", "\"tab\tinside\"",
            // RFC 8259 6: digits are ASCII; others once reached Double.parseDouble and escaped as NumberFormatException
            "69e06\u0664", "\u0661\u0662", "1.\u0665", "[1e\u0666]"})
    void malformedJsonIsAOneLineJsonException(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.JsonException.class)
                .hasMessageContaining("at offset").hasMessageNotContaining("\n");
    }

    @Test
    void nestingIsBounded() {
        String deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(Json.JsonException.class).hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> Json.parseObject("[1]")).isInstanceOf(Json.JsonException.class).hasMessageContaining("object");
    }

    @Test
    void randomMutationsOfRealMessagesFailOnlyAsJsonException() {
        long seed = Long.getLong("tsunagu.iperf3.jsonSeed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        String base = SERVER_RESULTS + Json.write(FakeClient.parameters("udp", true));
        for (int i = 0; i < 5_000; i++) {
            StringBuilder s = new StringBuilder(base.substring(0, random.nextInt(base.length() + 1)));
            for (int k = random.nextInt(4); k > 0 && !s.isEmpty(); k--) {
                s.setCharAt(random.nextInt(s.length()), MUTATIONS.charAt(random.nextInt(MUTATIONS.length())));
            }
            try {
                Json.parse(s.toString());
            } catch (Json.JsonException expected) {
                // fine: malformed input is reported as such
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " (-Dtsunagu.iperf3.jsonSeed=" + seed + "), input: " + s, e);
            }
        }
    }

    @Test
    void typedMembersFallBackWhenAbsentOrOfAnotherType() {
        Map<String, Object> m = Json.parseObject("{\"n\":5,\"d\":2.5,\"t\":true,\"s\":\"x\"}");
        assertThat(Json.longMember(m, "n", -1)).isEqualTo(5);
        assertThat(Json.longMember(m, "d", -1)).isEqualTo(2);
        assertThat(Json.longMember(m, "s", -1)).isEqualTo(-1);
        assertThat(Json.longMember(m, "missing", 7)).isEqualTo(7);
        assertThat(Json.flagMember(m, "t")).isTrue();
        assertThat(Json.flagMember(m, "missing")).isFalse();
        assertThat(Json.doubleMember(m, "n", 0)).isEqualTo(5.0);
        assertThat(Json.stringMember(m, "n", "fallback")).isEqualTo("fallback");
    }
}
