package dev.tsunagu.driver.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The reader's wait, wake and stop, with a second eventfd standing in for a device: it needs
 * no root, no TAP and no libpcap (the drivers' own suites cover those).
 */
class DeviceReaderTest {
    private static final int LONG_WAIT_MILLIS = 60_000;

    @Test
    void anEventFdCountsSignalsUntilDrained() throws Exception {
        try (EventFd e = EventFd.open()) {
            assertThat(e.fd()).isNotNegative();
            assertThat(e.drain()).as("nothing signalled").isZero();
            e.signal();
            e.signal();
            assertThat(e.drain()).isEqualTo(2);
            assertThat(e.drain()).isZero();
        }
    }

    @Test
    void awaitReportsADeviceThatIsReadableAndTimesOutOnOneThatIsNot() throws Exception {
        try (EventFd device = EventFd.open()) {
            DeviceReader reader = DeviceReader.open(device.fd());
            try {
                assertThat(reader.await(0)).as("nothing to read").isZero();
                device.signal();
                assertThat(reader.await(0) & Libc.POLLIN).isEqualTo(Libc.POLLIN);
                device.drain();
                assertThat(reader.await(0)).isZero();
            } finally {
                reader.close();
            }
        }
    }

    @Test
    void aClosedDeviceFdShowsAsPollnval() throws Exception {
        EventFd device = EventFd.open();
        DeviceReader reader = DeviceReader.open(device.fd());
        try {
            device.close();
            assertThat(reader.await(0) & Libc.POLLNVAL).isEqualTo(Libc.POLLNVAL);
        } finally {
            reader.close();
        }
    }

    @Test
    void stopWakesAReaderBlockedInALongPollAtOnce() throws Exception {
        try (EventFd device = EventFd.open()) {
            DeviceReader reader = DeviceReader.open(device.fd());
            AtomicInteger woken = new AtomicInteger(-1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch waiting = new CountDownLatch(1);
            reader.start("test-rx", () -> {
                try {
                    waiting.countDown();
                    woken.set(reader.await(LONG_WAIT_MILLIS));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            assertThat(reader.started()).isTrue();
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            assertThat(reader.stop(LONG_WAIT_MILLIS)).as("the reader ended").isTrue();
            assertThat(System.nanoTime() - start).as("woken, not timed out")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(LONG_WAIT_MILLIS / 2));
            assertThat(failure.get()).isNull();
            assertThat(woken.get()).as("the device itself was not readable").isZero();
            assertThat(reader.isAlive()).isFalse();
            reader.close();
        }
    }

    @Test
    void aReaderStartsOnceAndStopsTriviallyIfNeverStarted() throws Exception {
        try (EventFd device = EventFd.open()) {
            DeviceReader reader = DeviceReader.open(device.fd());
            assertThat(reader.stop(10)).isTrue();
            reader.start("test-rx", () -> { });
            assertThatThrownBy(() -> reader.start("test-rx", () -> { })).isInstanceOf(IllegalStateException.class);
            assertThat(reader.stop(10_000)).isTrue();
            reader.close();
        }
    }

    @Test
    void anErrnoExceptionNamesTheCallAndTheReason() {
        ErrnoException e = new ErrnoException("open(/dev/net/tun)", Libc.ENOENT);
        assertThat(e.errno()).isEqualTo(Libc.ENOENT);
        assertThat(e.call()).isEqualTo("open(/dev/net/tun)");
        assertThat(e.getMessage()).isEqualTo("open(/dev/net/tun): No such file or directory (errno 2)");
    }
}
