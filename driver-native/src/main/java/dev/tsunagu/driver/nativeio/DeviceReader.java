package dev.tsunagu.driver.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The receive side a device driver needs around its own read call: a platform thread that
 * waits in {@code poll(2)} on the device's fd together with an {@link EventFd}, so that
 * {@link #stop} wakes it at once instead of waiting for traffic or the poll timeout.
 *
 * <p>The life of one: {@link #open} with the device fd (makes the eventfd and the
 * {@code struct pollfd[2]}), {@link #start} with the driver's loop, which calls {@link #await}
 * and then reads the device; {@link #stop} from the closing thread (wakes and joins), and
 * {@link #close} to release the eventfd and, if the thread has ended, the native memory. The
 * loop itself must check the driver's closed flag after each wait: this class does not own it.
 *
 * <p>Nothing is allocated per wait: the poll array and the reader's {@code errno} segment
 * ({@link #callState}, also for the driver's own calls on the reader thread) are made once.
 */
public final class DeviceReader {
    private static final long DEVICE_REVENTS = 6; // pollfd[0].revents

    private final EventFd wake;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = Libc.newCallState(arena);
    private final MemorySegment pollFds = arena.allocate(2 * Libc.POLLFD_SIZE);
    private volatile Thread thread;

    private DeviceReader(int deviceFd, EventFd wake) {
        this.wake = wake;
        pollFds.set(JAVA_INT, 0, deviceFd);
        pollFds.set(JAVA_SHORT, 4, Libc.POLLIN);
        pollFds.set(JAVA_INT, 8, wake.fd());
        pollFds.set(JAVA_SHORT, 12, Libc.POLLIN);
    }

    /** A reader for {@code deviceFd} (polled for input); the thread starts with {@link #start}. */
    public static DeviceReader open(int deviceFd) throws ErrnoException {
        return new DeviceReader(deviceFd, EventFd.open());
    }

    /** Starts {@code loop} on a daemon platform thread called {@code name}; once only. */
    public synchronized void start(String name, Runnable loop) {
        if (thread != null) {
            throw new IllegalStateException(name + ": the reader was already started");
        }
        Thread t = Thread.ofPlatform().name(name).daemon(true).unstarted(loop);
        thread = t;
        t.start();
    }

    /** Whether {@link #start} was called. */
    public boolean started() {
        return thread != null;
    }

    /** Whether the thread is running. */
    public boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** The reader thread's {@code errno} segment, for its own native calls. */
    public MemorySegment callState() {
        return state;
    }

    /**
     * Waits up to {@code timeoutMillis} for the device (reader thread only).
     *
     * @return the device's {@code revents} ({@link Libc#POLLIN}, {@link Libc#POLLERR},
     *         {@link Libc#POLLHUP}, {@link Libc#POLLNVAL}); 0 if the wait timed out, was
     *         interrupted by a signal or was woken by {@link #stop}
     * @throws ErrnoException if {@code poll} itself failed
     */
    public int await(int timeoutMillis) throws ErrnoException {
        int ready = Libc.poll(state, pollFds, 2, timeoutMillis);
        if (ready < 0) {
            int e = Libc.errno(state);
            if (e == Libc.EINTR) {
                return 0;
            }
            throw new ErrnoException("poll", e);
        }
        return ready == 0 ? 0 : pollFds.get(JAVA_SHORT, DEVICE_REVENTS);
    }

    /**
     * Wakes the reader and waits up to {@code joinMillis} for it to end (the caller has set the
     * driver's closed flag first, so the loop ends when it wakes).
     *
     * @return whether the thread has ended, never started, or is the caller (which ends when
     *         it returns to its loop)
     */
    public boolean stop(long joinMillis) {
        Thread t = thread;
        if (t == null) {
            return true;
        }
        wake.signal();
        if (t == Thread.currentThread()) {
            return true;
        }
        try {
            t.join(joinMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    /**
     * Closes the eventfd, and frees the native memory unless the thread is still running (a
     * reader that did not stop in time may still poll it; its memory then stays until exit).
     */
    public void close() {
        wake.close();
        Thread t = thread;
        if (t == null || !t.isAlive() || t == Thread.currentThread()) {
            // From the reader itself (closed from a receive callback): its next native call
            // fails on the freed memory, and the driver's loop ends quietly on that, as closed.
            arena.close();
        }
    }
}
