package dev.tsunagu.driver.tap;

import dev.tsunagu.loop.ThreadedEventLoop;
import dev.tsunagu.testkit.RecordingDriverContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * The driver contract again, with the device read by a threaded event loop itself
 * ({@link TapDriver.RxMode#LOOP}: no reader thread) rather than by the driver's thread.
 */
@Timeout(60)
class TapDriverOnLoopContractTest extends TapDriverContractTest {
    private ThreadedEventLoop threaded;

    @Override
    protected RecordingDriverContext context(RecordingDriverContext kits) {
        threaded = new ThreadedEventLoop("tap-contract-loop");
        return new RecordingDriverContext("test0", pool, threaded);
    }

    @AfterEach
    void closeLoop() {
        if (threaded != null) {
            threaded.close();
        }
    }
}
