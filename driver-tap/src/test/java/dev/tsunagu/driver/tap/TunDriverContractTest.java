package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.driver.DriverCapabilities;
import org.junit.jupiter.api.Timeout;

/**
 * The driver contract on a TUN device ({@code IFF_TUN}): frames are bare IPv4 packets, and the
 * kit's test frames follow the medium the capabilities announce. The peer is the same
 * {@code AF_PACKET} socket on the kernel side, which on a TUN sends and sees IP packets with no
 * link header.
 */
@Timeout(60)
class TunDriverContractTest extends TapDriverContractTest {
    @Override
    protected TapDriver openDriver(String name) throws Exception {
        TapDriver d = TapDriver.openTun(name);
        assertThat(d.createdDevice()).isTrue();
        assertThat(d.name()).isEqualTo("tun:" + name);
        assertThat(d.capabilities()).isEqualTo(DriverCapabilities.ipOnly(1500));
        return d;
    }
}
