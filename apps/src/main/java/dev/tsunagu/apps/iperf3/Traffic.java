package dev.tsunagu.apps.iperf3;

import java.time.Duration;
import java.util.List;

/** The data side of one test: the stream connections (TCP) or flows (UDP), whichever way the data goes. */
interface Traffic extends AutoCloseable {
    /** Waits until every stream the client announced is connected; false after {@code timeout}. */
    boolean awaitStreams(Duration timeout) throws InterruptedException;

    /** TEST_RUNNING was sent: the server starts sending (reverse mode) and the clock starts. */
    void start();

    /** TEST_END arrived: stop sending, freeze the counts, close the streams. */
    void stop();

    /** Bytes moved so far, all streams (to tell a running test from a dead one). */
    long progress();

    /** Per stream, after {@link #stop}. */
    List<StreamReport> reports();

    /** Frees everything (idempotent); also when the test failed before it started. */
    @Override
    void close();
}
