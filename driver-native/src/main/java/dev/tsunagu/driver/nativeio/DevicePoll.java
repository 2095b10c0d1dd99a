package dev.tsunagu.driver.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A device fd and an {@link EventFd} waited on together with {@code ppoll(2)}: one thread
 * waits for input (or a deadline), any other can {@linkplain #wake wake} it at once. The
 * waiting thread is a driver's reader ({@link DeviceReader}) or the event loop's own thread,
 * when the loop reads the device itself.
 *
 * <p>Nothing is allocated per wait: the {@code struct pollfd[2]}, the {@code timespec} and the
 * waiter's {@code errno} segment ({@link #callState}, also for the waiting thread's own calls)
 * are made once. One thread waits at a time.
 */
public final class DevicePoll implements AutoCloseable {
    /** Set in {@link #await}'s result when the eventfd was signalled (and has been drained). */
    public static final int WOKEN = 0x10000;

    private static final long DEVICE_REVENTS = 6;  // pollfd[0].revents
    private static final long WAKE_REVENTS = 14;   // pollfd[1].revents
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final EventFd wake;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = Libc.newCallState(arena);
    private final MemorySegment pollFds = arena.allocate(2 * Libc.POLLFD_SIZE);
    private final MemorySegment timeout = arena.allocate(Libc.TIMESPEC_SIZE);
    private boolean freed;

    private DevicePoll(int deviceFd, EventFd wake) {
        this.wake = wake;
        pollFds.set(JAVA_INT, 0, deviceFd);
        pollFds.set(JAVA_SHORT, 4, Libc.POLLIN);
        pollFds.set(JAVA_INT, 8, wake.fd());
        pollFds.set(JAVA_SHORT, 12, Libc.POLLIN);
    }

    /** Waits on {@code deviceFd} for input, with a new eventfd to be woken by. */
    public static DevicePoll open(int deviceFd) throws ErrnoException {
        return new DevicePoll(deviceFd, EventFd.open());
    }

    /** The waiting thread's {@code errno} segment, for its own native calls too. */
    public MemorySegment callState() {
        return state;
    }

    /**
     * Waits up to {@code timeoutNanos} ({@link Long#MAX_VALUE}: no limit; 0: only looks) for
     * the device to be ready or {@link #wake} to be called. A wake that came before the call
     * ends it at once; the eventfd is drained when seen, so each wake ends one wait.
     *
     * @return the device's {@code revents} ({@link Libc#POLLIN}, {@link Libc#POLLERR},
     *         {@link Libc#POLLHUP}, {@link Libc#POLLNVAL}), with {@link #WOKEN} added if the
     *         eventfd was signalled; 0 if the wait timed out or a signal interrupted it
     * @throws ErrnoException if {@code ppoll} itself failed
     */
    public int await(long timeoutNanos) throws ErrnoException {
        MemorySegment limit = MemorySegment.NULL;
        if (timeoutNanos != Long.MAX_VALUE) {
            long t = Math.max(0, timeoutNanos);
            timeout.set(JAVA_LONG, 0, t / NANOS_PER_SECOND);
            timeout.set(JAVA_LONG, 8, t % NANOS_PER_SECOND);
            limit = timeout;
        }
        int ready = Libc.ppoll(state, pollFds, 2, limit);
        if (ready < 0) {
            int e = Libc.errno(state);
            if (e == Libc.EINTR) {
                return 0;
            }
            throw new ErrnoException("ppoll", e);
        }
        if (ready == 0) {
            return 0;
        }
        int result = pollFds.get(JAVA_SHORT, DEVICE_REVENTS) & 0xffff;
        if (pollFds.get(JAVA_SHORT, WAKE_REVENTS) != 0) {
            wake.drain();
            result |= WOKEN;
        }
        return result;
    }

    /** Makes the current or the next {@link #await} return at once; any thread; nothing once closed. */
    public void wake() {
        wake.signal();
    }

    /** Closes the eventfd: later {@link #wake}s do nothing. The native memory stays until {@link #close}. */
    public void closeWake() {
        wake.close();
    }

    /**
     * Closes the eventfd and frees the native memory; no thread may be waiting (or about to).
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        wake.close();
        if (!freed) {
            freed = true;
            arena.close();
        }
    }
}
