package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.driver.nativeio.Libc;
import dev.tsunagu.driver.tap.internal.Tun;
import dev.tsunagu.loop.ThreadedEventLoop;
import dev.tsunagu.testkit.RecordingDriverContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * The driver contract on a TUN taken over by descriptor ({@code tun:fd=N}), as a VPN framework
 * or a privileged parent hands one to an application: the test opens {@code /dev/net/tun} and
 * attaches it with {@code TUNSETIFF} itself and gives the
 * driver only the number, through the provider's spec. The driver owns the fd from then on, so
 * the non-persistent device goes away when it closes. Read by the event loop itself.
 */
@Timeout(60)
class TunFdDriverContractTest extends TapDriverContractTest {
    private ThreadedEventLoop threaded;

    @Override
    protected TapDriver openDriver(String name) throws Exception {
        int fd = Tun.openDevice();
        try {
            Tun.attach(fd, name, Tun.IFF_TUN);
            TapDriver d = (TapDriver) LinkDrivers.installed().create("tun:fd=" + fd);
            assertThat(d.name()).isEqualTo("tun:" + name);
            assertThat(d.createdDevice()).as("the device is the fd's, not the driver's").isFalse();
            assertThat(d.capabilities().isIpOnly()).isTrue();
            return d;
        } catch (Exception | Error e) {
            Libc.closeQuietly(fd);
            throw e;
        }
    }

    @Override
    protected RecordingDriverContext context(RecordingDriverContext kits) {
        threaded = new ThreadedEventLoop("tun-fd-contract-loop");
        return new RecordingDriverContext("test0", pool, threaded);
    }

    @AfterEach
    void closeLoop() {
        if (threaded != null) {
            threaded.close();
        }
    }
}
