package dev.tsunagu.driver.nativeio;

import java.io.IOException;

/** A libc call failed; carries the call and its {@code errno}. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public ErrnoException(String call, int errno) {
        super(call + ": " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.call = call;
        this.errno = errno;
    }

    /** What failed, e.g. {@code ioctl(TUNSETIFF)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
