package dev.tsunagu.apps.iperf3;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stream's line in the results the server sends the client: the JSON members iperf3's
 * client requires ({@code id, bytes, retransmits, jitter, errors, packets}) and the ones it uses
 * for the interval ({@code start_time, end_time}).
 *
 * @param id iperf3's stream number (see {@link #streamId})
 * @param bytes bytes the server received, or sent in reverse mode
 * @param retransmits -1: not known (iperf3's value when the server is not the TCP sender or has no TCP_INFO)
 * @param jitterSeconds UDP receiver only
 * @param errors UDP datagrams lost (receiver)
 * @param packets UDP datagrams (the receiver's highest sequence number, or those sent)
 * @param seconds the stream's time from TEST_RUNNING to TEST_END
 */
record StreamReport(int id, long bytes, long retransmits, double jitterSeconds, long errors, long packets, double seconds) {
    /**
     * iperf3 numbers streams in the order they connect as 1, 3, 4, 5...: its list insertion
     * starts counting from 2 for the second. The client matches the server's results to its own
     * streams by these numbers, so the server must number them the same way.
     */
    static int streamId(int index) {
        return index == 0 ? 1 : index + 2;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("bytes", bytes);
        m.put("retransmits", retransmits);
        m.put("jitter", jitterSeconds);
        m.put("errors", errors);
        m.put("omitted_errors", 0);
        m.put("packets", packets);
        m.put("start_time", 0.0);
        m.put("end_time", seconds);
        return m;
    }
}
