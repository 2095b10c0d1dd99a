package dev.tsunagu.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.testkit.LinkDriverContractTest;
import dev.tsunagu.testkit.RecordingDriverContext;
import java.time.Duration;

/** The in-memory cable keeps the driver contract; the peer is a second port on the same cable. */
class CableDriverContractTest extends LinkDriverContractTest {
    private Cable cable;

    @Override
    protected Harness createHarness(RecordingDriverContext context) throws Exception {
        cable = newCable();
        LinkDriver driver = cable.attach();
        driver.open(context);
        LinkDriver peerDriver = cable.attach();
        RecordingDriverContext peerContext = new RecordingDriverContext("peer0", pool, loop);
        peerDriver.open(peerContext);
        Peer peer = new Peer() {
            @Override
            public void send(byte[] frame) {
                peerDriver.transmit(pool.copyOf(frame, 0, frame.length));
            }

            @Override
            public byte[] receive(Duration timeout) throws InterruptedException {
                return peerContext.poll(timeout);
            }

            @Override
            public void close() {
                peerDriver.close();
            }
        };
        return new Harness(driver, context, peer, 1500);
    }

    /** The cable under test: an Ethernet one. */
    protected Cable newCable() {
        return new Cable("contract", 1500);
    }

    @Override
    protected void assertClosedReleasedEverything() {
        assertThat(cable.portCount()).as("the closed port is unplugged").isEqualTo(1);
    }
}
