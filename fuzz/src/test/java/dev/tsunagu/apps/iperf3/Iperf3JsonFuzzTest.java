package dev.tsunagu.apps.iperf3;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The JSON of iperf3's control messages (RFC 8259) and the test parameters read from it: any
 * text either parses or fails with {@link Json.JsonException}, never anything else (nesting is
 * bounded, numbers of any size are handled); what parses writes back as JSON that parses to
 * the same value; an object either gives {@link TestParameters} within their limits or an
 * {@link IllegalArgumentException} naming the bad value.
 *
 * <p>In the package of the parser, whose entry points are package-private (see
 * {@code HttpRequestFuzzTest}).
 */
class Iperf3JsonFuzzTest {
    @FuzzTest
    void messages(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        Object value;
        try {
            value = Json.parse(text);
        } catch (Json.JsonException e) {
            return;
        }
        String written = Json.write(value);
        Object again;
        try {
            again = Json.parse(written);
        } catch (Json.JsonException e) {
            throw new AssertionError("what the writer wrote does not parse: " + written, e);
        }
        if (!Json.write(again).equals(written)) {
            throw new AssertionError("write(parse(write(v))) != write(v): " + written + " vs " + Json.write(again));
        }
        if (value instanceof Map<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) value;
            try {
                TestParameters p = TestParameters.fromJson(object);
                if (p.streams() < 1 || p.streams() > TestParameters.MAX_STREAMS || p.blockSize() < 1
                        || p.blockSize() > TestParameters.MAX_TCP_BLOCK) {
                    throw new AssertionError("parameters beyond their limits: " + p);
                }
            } catch (IllegalArgumentException e) {
                // refused with a reason: what a bad request gets
            }
        }
    }
}
