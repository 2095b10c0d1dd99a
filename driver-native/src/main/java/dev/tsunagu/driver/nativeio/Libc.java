package dev.tsunagu.driver.nativeio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls the TAP and pcap drivers need, bound through the FFM API (no JNI, no JNA), with
 * {@code errno} captured at the call ({@link Linker.Option#captureCallState}) so that nothing
 * the JVM does in between can overwrite it.
 *
 * <p>Every call that can fail takes a <em>call state</em> segment ({@link #newCallState}) as
 * its first argument, where {@code errno} lands; each thread that calls uses its own, made
 * once, so the hot paths allocate nothing. A call returns what libc returns ({@code -1} on
 * failure); {@link #errno} then reads the reason.
 *
 * <p>{@code read} and {@code write} take native memory: the TAP driver moves frames through one
 * reusable native segment per direction and copies between it and the packet buffers' arrays
 * with {@link MemorySegment#copy}. Passing a heap slice instead ({@link Linker.Option#critical
 * critical(true)}) saves that copy, but the slice is a new object per frame, and whether the
 * JIT removes it depends on inlining decisions that vary from run to run (measured: 0 or 40
 * bytes per frame); the copy of a frame costs far less than the system call.
 *
 * <p>Constants are Linux's generic ones (x86-64 and AArch64 share them).
 */
@SuppressWarnings("restricted") // the point of this class; the JVM needs --enable-native-access for it
public final class Libc {
    // open(2)
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    // socket(2)
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    public static final int AF_INET = 2;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;
    // eventfd(2)
    public static final int EFD_NONBLOCK = O_NONBLOCK;
    public static final int EFD_CLOEXEC = O_CLOEXEC;
    // poll(2)
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;
    public static final long POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }
    public static final long TIMESPEC_SIZE = 16; // struct timespec { time_t tv_sec; long tv_nsec; } on 64-bit Linux
    // errno values
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EBADFD = 77;
    public static final int ENETDOWN = 100;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), ERRNO_OPTION);
    private static final MethodHandle IOCTL = bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2), ERRNO_OPTION);
    private static final MethodHandle FCNTL = bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2), ERRNO_OPTION);
    private static final MethodHandle READ = bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            ERRNO_OPTION);
    private static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            ERRNO_OPTION);
    private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            ERRNO_OPTION);
    private static final MethodHandle PPOLL = bind("ppoll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            ERRNO_OPTION);
    private static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
            ERRNO_OPTION);
    private static final MethodHandle STRERROR = bind("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {}

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** A segment for {@code errno} of calls made by one thread; reuse it for every call. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The {@code errno} the last call made with {@code state} left there. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    public static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(MemorySegment state, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fcntl(2) with an {@code int} argument ({@link #F_GETFL}, {@link #F_SETFL}). */
    public static int fcntl(MemorySegment state, int fd, int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2) into {@code buf} (native memory). */
    public static long read(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2) from {@code buf} (native memory). */
    public static long write(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int poll(MemorySegment state, MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * ppoll(2) with no signal mask: {@code timeout} is a {@code struct timespec} (16 bytes:
     * seconds, then nanoseconds) or {@link MemorySegment#NULL} to wait without limit. Unlike
     * {@link #poll} it waits to the nanosecond, as a timer deadline asks.
     */
    public static int ppoll(MemorySegment state, MemorySegment fds, long nfds, MemorySegment timeout) {
        try {
            return (int) PPOLL.invokeExact(state, fds, nfds, timeout, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int eventfd(MemorySegment state, int initialValue, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initialValue, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's text for an errno ({@code "Operation not permitted"}). */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            if (s.equals(MemorySegment.NULL)) {
                return "errno " + errno;
            }
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Closes {@code fd} if it is one (not negative), ignoring failure: for cleanup paths. */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            try (Arena a = Arena.ofConfined()) {
                close(newCallState(a), fd);
            }
        }
    }

    /** What a downcall threw, as an unchecked exception (an Error is thrown as is); for other bindings too. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
