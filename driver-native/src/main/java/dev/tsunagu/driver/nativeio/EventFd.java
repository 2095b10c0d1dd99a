package dev.tsunagu.driver.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An {@code eventfd(2)}: a kernel counter that any thread can add to, which makes the fd
 * readable, so a thread waiting in {@code poll} or {@code epoll_wait} on it together with
 * device fds wakes at once. Non-blocking and close-on-exec.
 *
 * <p>{@link #signal} and {@link #drain} may be called from any thread; each call goes through
 * this object's own native memory under its lock, so they allocate nothing.
 */
public final class EventFd implements AutoCloseable {
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = Libc.newCallState(arena);
    private final MemorySegment value = arena.allocate(JAVA_LONG);
    private boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
    }

    /** A new eventfd with its counter at zero. */
    public static EventFd open() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(a);
            int fd = Libc.eventfd(st, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("eventfd", Libc.errno(st));
            }
            return new EventFd(fd);
        }
    }

    /** The fd, to be polled for {@link Libc#POLLIN}. */
    public int fd() {
        return fd;
    }

    /** Adds one to the counter, making the fd readable; does nothing once closed. */
    public synchronized void signal() {
        if (closed) {
            return;
        }
        value.set(JAVA_LONG, 0, 1L);
        // Fails only if the counter would overflow (2^64 - 2 signals undrained): then it is readable anyway.
        Libc.write(state, fd, value, 8);
    }

    /** Reads and resets the counter: how many signals came since the last drain (0 if none). */
    public synchronized long drain() {
        if (closed) {
            return 0;
        }
        long n = Libc.read(state, fd, value, 8);
        return n == 8 ? value.get(JAVA_LONG, 0) : 0;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(state, fd);
        arena.close();
    }
}
