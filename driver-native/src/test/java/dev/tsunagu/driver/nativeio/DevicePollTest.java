package dev.tsunagu.driver.nativeio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The wait the event loop sleeps in when it reads a device itself: a device fd (here another
 * eventfd, so no root is needed) and a wake-up eventfd under one ppoll, with a nanosecond
 * timeout.
 */
class DevicePollTest {
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aWaitTimesOutNotBeforeItsDeadline() throws Exception {
        try (EventFd device = EventFd.open(); DevicePoll poll = DevicePoll.open(device.fd())) {
            assertThat(poll.await(0)).as("only looks").isZero();
            long start = System.nanoTime();
            assertThat(poll.await(20 * MILLI)).isZero();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(20 * MILLI);
        }
    }

    @Test
    void aReadableDeviceEndsTheWaitWithPollin() throws Exception {
        try (EventFd device = EventFd.open(); DevicePoll poll = DevicePoll.open(device.fd())) {
            device.signal();
            assertThat(poll.await(Long.MAX_VALUE)).isEqualTo(Libc.POLLIN);
            assertThat(poll.await(0)).as("still readable: the device is the caller's to read").isEqualTo(Libc.POLLIN);
            device.drain();
            assertThat(poll.await(0)).isZero();
        }
    }

    @Test
    void aWakeBeforeTheWaitEndsItAtOnceAndOnlyOnce() throws Exception {
        try (EventFd device = EventFd.open(); DevicePoll poll = DevicePoll.open(device.fd())) {
            poll.wake();
            poll.wake();
            assertThat(poll.await(Long.MAX_VALUE)).isEqualTo(DevicePoll.WOKEN);
            assertThat(poll.await(0)).as("drained: the next wait sleeps again").isZero();
        }
    }

    @Test
    void aWakeFromAnotherThreadEndsALongWaitAtOnce() throws Exception {
        try (EventFd device = EventFd.open(); DevicePoll poll = DevicePoll.open(device.fd())) {
            AtomicInteger result = new AtomicInteger(-1);
            CountDownLatch done = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    result.set(poll.await(TimeUnit.SECONDS.toNanos(60)));
                } catch (ErrnoException e) {
                    result.set(-2);
                }
                done.countDown();
            });
            // Whether the wake comes before or during the wait, the wait ends.
            poll.wake();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(result.get()).isEqualTo(DevicePoll.WOKEN);
            waiter.join();
        }
    }

    @Test
    void aClosedDeviceFdShowsAsPollnvalAndAWakeAfterCloseDoesNothing() throws Exception {
        EventFd device = EventFd.open();
        DevicePoll poll = DevicePoll.open(device.fd());
        device.close();
        assertThat(poll.await(0) & Libc.POLLNVAL).isEqualTo(Libc.POLLNVAL);
        poll.close();
        poll.wake();
        poll.close();
    }
}
