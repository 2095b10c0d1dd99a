package dev.tsunagu.apps.iperf3;

import java.util.Optional;

/**
 * The one-byte messages on iperf3's control connection (a signed char: the test's state, which
 * each side announces to the other as it changes). The numbers are iperf3's; the ones it marks
 * unused are left out, so {@link #of} treats them as unknown.
 */
enum ControlState {
    TEST_START(1),
    TEST_RUNNING(2),
    TEST_END(4),
    PARAM_EXCHANGE(9),
    CREATE_STREAMS(10),
    SERVER_TERMINATE(11),
    CLIENT_TERMINATE(12),
    EXCHANGE_RESULTS(13),
    DISPLAY_RESULTS(14),
    IPERF_START(15),
    IPERF_DONE(16),
    /** The server is busy with another client's test (or the cookie matched nothing). */
    ACCESS_DENIED(-1),
    /** Followed by two 32-bit big-endian integers: iperf3's error number and an errno. */
    SERVER_ERROR(-2);

    private final byte code;

    ControlState(int code) {
        this.code = (byte) code;
    }

    byte code() {
        return code;
    }

    /** The state a received byte names, or empty for a byte iperf3 does not send. */
    static Optional<ControlState> of(byte b) {
        for (ControlState s : values()) {
            if (s.code == b) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
