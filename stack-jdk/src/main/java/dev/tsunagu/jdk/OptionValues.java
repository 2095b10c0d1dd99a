package dev.tsunagu.jdk;

import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.util.Set;

/**
 * The two ways the JDK hands a {@code SocketImpl} or {@code DatagramSocketImpl} an option: the
 * old integer ids of {@link SocketOptions} (what {@code setTcpNoDelay} and its siblings use) and
 * {@link StandardSocketOptions} (what {@code setOption} uses). Both impls keep one switch over
 * the ids; this class maps the standard options onto them and checks values as the JDK's
 * {@code NioSocketImpl} does.
 */
final class OptionValues {
    private OptionValues() {}

    /** The id of {@code name}, which must be one of {@code supported}. */
    static int id(SocketOption<?> name, Set<SocketOption<?>> supported) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        if (supported.contains(name)) {
            if (name == StandardSocketOptions.SO_RCVBUF) {
                return SocketOptions.SO_RCVBUF;
            } else if (name == StandardSocketOptions.SO_SNDBUF) {
                return SocketOptions.SO_SNDBUF;
            } else if (name == StandardSocketOptions.TCP_NODELAY) {
                return SocketOptions.TCP_NODELAY;
            } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
                return SocketOptions.SO_KEEPALIVE;
            } else if (name == StandardSocketOptions.SO_REUSEADDR) {
                return SocketOptions.SO_REUSEADDR;
            } else if (name == StandardSocketOptions.SO_BROADCAST) {
                return SocketOptions.SO_BROADCAST;
            } else if (name == StandardSocketOptions.SO_LINGER) {
                return SocketOptions.SO_LINGER;
            }
        }
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    /**
     * An option id an impl's {@code setOption} does not take: {@code IP_TOS}, which Tsunagu does
     * not set yet (its adaptors' {@code setTrafficClass} say the same), or one it does not know.
     */
    static SocketException refused(int optID) {
        return optID == SocketOptions.IP_TOS ? new SocketException("IP_TOS is not supported by Tsunagu yet")
                : new SocketException("Unknown option " + optID);
    }

    static boolean bool(Object value) throws SocketException {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new SocketException("Bad value " + value + ": a Boolean is needed");
    }

    /** An {@code SO_TIMEOUT} in milliseconds: 0 (wait for ever) or more. */
    static int timeout(Object value) throws SocketException {
        if (!(value instanceof Integer millis) || millis < 0) {
            throw new SocketException("Bad value for SO_TIMEOUT");
        }
        return millis;
    }

    /** A buffer size: at least one byte, at most 1 GiB (Tsunagu's limit, window scale 14), silently, like a kernel's rmem_max. */
    static int bufferSize(Object value, String option) throws SocketException {
        if (!(value instanceof Integer bytes) || bytes <= 0) {
            throw new SocketException(option + " <= 0");
        }
        return Math.min(bytes, 1 << 30);
    }
}
