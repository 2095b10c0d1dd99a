package dev.tsunagu.driver.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.net.MacAddress;
import dev.tsunagu.testkit.LinkDriverContractTest;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.host.PacketPeer;
import dev.tsunagu.testkit.host.PcapTests;
import dev.tsunagu.testkit.host.Veth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * The pcap driver keeps the driver contract on a veth pair: the driver on our end (MAC
 * {@code 02:00:00:00:00:01}, the kit's driver MAC, so its filter passes the kit's frames), the
 * peer an {@code AF_PACKET} socket on the far end inside a fresh namespace
 * ({@link PacketPeer}). Skips loudly without CAP_NET_RAW/CAP_NET_ADMIN, libpcap, ethtool or
 * python3.
 */
@Timeout(60)
class PcapDriverContractTest extends LinkDriverContractTest {
    private static final int IFF_PROMISC = 0x100;

    private Veth veth;
    private PcapDriver driver;
    private PacketPeer peer;

    @Override
    protected Harness createHarness(RecordingDriverContext context) throws Exception {
        PcapTests.assumeLiveCapture();
        PcapTests.assumeCommand("python3", "python3");
        veth = Veth.create();
        driver = PcapDriver.open(veth.host, new MacAddress(driverMac()), 0, true);
        driver.open(context);
        peer = PacketPeer.start(veth.ns, Veth.FAR);
        return new Harness(driver, context, peer, 1500);
    }

    @AfterEach
    void cleanUp() {
        if (driver != null) {
            driver.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (veth != null) {
            veth.close();
        }
    }

    @Override
    protected Duration absenceTimeout() {
        return Duration.ofMillis(300);
    }

    @Override
    protected void assertClosedReleasedEverything() throws Exception {
        assertThat(driver.isReading()).as("the reader thread has ended").isFalse();
        int flags = Integer.decode(Files.readString(Path.of("/sys/class/net", veth.host, "flags")).strip());
        assertThat(flags & IFF_PROMISC).as("promiscuous mode ends with the capture").isZero();
    }
}
