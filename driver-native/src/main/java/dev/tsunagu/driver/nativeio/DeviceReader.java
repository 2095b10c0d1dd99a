package dev.tsunagu.driver.nativeio;

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
 * <p>The waiting is a {@link DevicePoll}'s, which the event loop uses too when it reads a device
 * itself; nothing is allocated per wait.
 */
public final class DeviceReader {
    private final DevicePoll poll;
    private volatile Thread thread;

    private DeviceReader(DevicePoll poll) {
        this.poll = poll;
    }

    /** A reader for {@code deviceFd} (polled for input); the thread starts with {@link #start}. */
    public static DeviceReader open(int deviceFd) throws ErrnoException {
        return new DeviceReader(DevicePoll.open(deviceFd));
    }

    /** A reader that waits with {@code poll}, which it owns from now on (closes with it). */
    public static DeviceReader over(DevicePoll poll) {
        return new DeviceReader(poll);
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
        return poll.callState();
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
        return poll.await(timeoutMillis * 1_000_000L) & ~DevicePoll.WOKEN;
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
        poll.wake();
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
        Thread t = thread;
        if (t == null || !t.isAlive() || t == Thread.currentThread()) {
            // From the reader itself (closed from a receive callback): its next native call
            // fails on the freed memory, and the driver's loop ends quietly on that, as closed.
            poll.close();
        } else {
            poll.closeWake();
        }
    }
}
