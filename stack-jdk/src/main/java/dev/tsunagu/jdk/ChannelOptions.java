package dev.tsunagu.jdk;

import dev.tsunagu.socket.TcpSocketOptions;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

/**
 * The {@link StandardSocketOptions} of one channel, checked as the JDK's channels check
 * them: an option the channel does not support is an {@link UnsupportedOperationException}, a
 * value of the wrong type or a negative buffer size an {@link IllegalArgumentException}, and
 * {@code SO_LINGER} is clamped to 0..65535 with a negative value meaning off (-1). Buffer sizes
 * shape connections made (or accepted) later; no-delay and keepalive are also applied at once
 * by the channel to its connection.
 */
final class ChannelOptions {
    static final Set<SocketOption<?>> STREAM = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_LINGER);
    static final Set<SocketOption<?>> LISTENER = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR);
    static final Set<SocketOption<?>> DATAGRAM = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_BROADCAST);

    private final Set<SocketOption<?>> supported;
    volatile int receiveBuffer = TcpSocketOptions.DEFAULT_BUFFER;
    volatile int sendBuffer = TcpSocketOptions.DEFAULT_BUFFER;
    volatile boolean noDelay;
    volatile boolean keepAlive;
    volatile boolean reuseAddress;
    volatile boolean broadcast;
    /** Seconds, or -1: off. */
    volatile int linger = -1;

    ChannelOptions(Set<SocketOption<?>> supported) {
        this.supported = supported;
    }

    /** A copy for a connection accepted by a listener with these options (the buffer sizes pass on). */
    ChannelOptions forAccepted() {
        ChannelOptions o = new ChannelOptions(STREAM);
        o.receiveBuffer = receiveBuffer;
        o.sendBuffer = sendBuffer;
        return o;
    }

    Set<SocketOption<?>> supported() {
        return supported;
    }

    /** Checks {@code name} and {@code value}; the caller checks the channel is open, then calls {@link #set}. */
    void check(SocketOption<?> name, Object value) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (value == null || !name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
        if ((name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) && (Integer) value < 0) {
            throw new IllegalArgumentException("Invalid send/receive buffer size");
        }
    }

    /** A channel's {@code setOption}: the name and value are checked before the channel is, as the JDK's channels do. */
    void set(Channel channel, SocketOption<?> name, Object value) throws ClosedChannelException {
        check(name, value);
        ChannelWaits.ensureOpen(channel);
        set(name, value);
    }

    /** A channel's {@code getOption}: an unsupported name is reported before a closed channel. */
    @SuppressWarnings("unchecked")
    <T> T get(Channel channel, SocketOption<T> name) throws ClosedChannelException {
        Object v = get(name);
        ChannelWaits.ensureOpen(channel);
        return (T) v;
    }

    void set(SocketOption<?> name, Object value) {
        if (name == StandardSocketOptions.SO_RCVBUF) {
            receiveBuffer = clampBuffer((Integer) value);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            sendBuffer = clampBuffer((Integer) value);
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            noDelay = (Boolean) value;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            keepAlive = (Boolean) value;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
        } else if (name == StandardSocketOptions.SO_BROADCAST) {
            broadcast = (Boolean) value;
        } else if (name == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            linger = seconds < 0 ? -1 : Math.min(seconds, 65_535);
        }
    }

    Object get(SocketOption<?> name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (name == StandardSocketOptions.SO_RCVBUF) {
            return receiveBuffer;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return sendBuffer;
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            return noDelay;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return keepAlive;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return reuseAddress;
        } else if (name == StandardSocketOptions.SO_BROADCAST) {
            return broadcast;
        }
        return linger;
    }

    /** The options of a TCP connection made now. */
    TcpSocketOptions tcp() {
        return TcpSocketOptions.DEFAULT.withReceiveBuffer(receiveBuffer).withSendBuffer(sendBuffer)
                .withNoDelay(noDelay).withKeepAlive(keepAlive);
    }

    /** 0 becomes one byte; over 1 GiB (window scale 14) is cut to 1 GiB, silently, like a kernel's rmem_max. */
    private static int clampBuffer(int bytes) {
        return Math.min(Math.max(bytes, 1), 1 << 30);
    }
}
