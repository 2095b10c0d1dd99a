package dev.tsunagu.testkit.link;

import dev.tsunagu.link.loopback.LoopbackDriver;
import dev.tsunagu.testkit.LinkDriverContractTest;
import dev.tsunagu.testkit.RecordingDriverContext;
import java.time.Duration;

/**
 * Loopback keeps the driver contract. Its medium is itself: what it sends it receives, so the
 * peer sends by transmitting through the driver and receives what came back in.
 */
class LoopbackDriverContractTest extends LinkDriverContractTest {
    @Override
    protected Harness createHarness(RecordingDriverContext context) throws Exception {
        LoopbackDriver driver = new LoopbackDriver();
        driver.open(context);
        Peer peer = new Peer() {
            @Override
            public void send(byte[] frame) {
                driver.transmit(pool.copyOf(frame, 0, frame.length));
            }

            @Override
            public byte[] receive(Duration timeout) throws InterruptedException {
                return context.poll(timeout);
            }
        };
        return new Harness(driver, context, peer, LoopbackDriver.MTU);
    }
}
