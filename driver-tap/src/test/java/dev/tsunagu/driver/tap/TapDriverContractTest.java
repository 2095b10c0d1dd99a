package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.LinkDriverContractTest;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.PacketPeer;
import dev.tsunagu.testkit.host.TapTests;
import dev.tsunagu.loop.ThreadedEventLoop;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * The TAP driver keeps the driver contract, with the kernel as the other end of the wire.
 *
 * <p>The driver creates a TAP in our namespace, which is then moved into a fresh network
 * namespace (the driver's fd keeps working) and brought up there; the peer is an
 * {@code AF_PACKET} socket on the kernel side, held by a Python helper inside the namespace
 * ({@link PacketPeer}). Test frames use a local-experimental EtherType the kernel ignores.
 * Skips loudly without CAP_NET_ADMIN, {@code /dev/net/tun} or python3.
 */
@Timeout(60)
class TapDriverContractTest extends LinkDriverContractTest {
    private NetNs ns;
    private TapDriver driver;
    private PacketPeer peer;

    @Override
    protected Harness createHarness(RecordingDriverContext context) throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("python3", "python3");
        ns = NetNs.create();
        driver = openDriver(TapTests.uniqueName("tsuc"));
        ns.adopt(driver.deviceName());
        ns.exec("ip", "link", "set", driver.deviceName(), "up").check();
        RecordingDriverContext ctx = context(context);
        driver.open(ctx);
        assertThat(driver.readsOnLoop()).as("who reads").isEqualTo(ctx.loop() instanceof ThreadedEventLoop);
        peer = PacketPeer.start(ns, driver.deviceName());
        return new Harness(driver, ctx, peer, 1500);
    }

    /** The driver under test, on a new device {@code name} that goes away with it. */
    protected TapDriver openDriver(String name) throws Exception {
        TapDriver d = TapDriver.open(name);
        assertThat(d.createdDevice()).isTrue();
        return d;
    }

    /** The context the driver opens with: the kit's, on a virtual loop, where a reader thread reads. */
    protected RecordingDriverContext context(RecordingDriverContext kits) {
        return kits;
    }

    @AfterEach
    void cleanUp() {
        if (driver != null) {
            driver.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Override
    protected Duration absenceTimeout() {
        return Duration.ofMillis(300);
    }

    @Override
    protected void assertClosedReleasedEverything() throws Exception {
        assertThat(driver.isReading()).as("reading has ended").isFalse();
        assertThat(ns.exec("ip", "link", "show", driver.deviceName()).ok())
                .as("the device is gone with the driver's fd").isFalse();
    }
}
