package dev.tsunagu.jdk;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;

/**
 * The options of a channel's classic adaptor ({@link ChannelSocket}, {@link ChannelServerSocket},
 * {@link ChannelDatagramSocket}): the channel's own options, read and written the classic way,
 * where a closed channel is a {@code SocketException} and a buffer size must be positive; and
 * {@code SO_TIMEOUT}, which a channel does not have, so the adaptor keeps it here for its
 * blocking calls.
 */
final class AdaptorOptions {
    private final NetworkChannel channel;
    private volatile int timeout;

    AdaptorOptions(NetworkChannel channel) {
        this.channel = channel;
    }

    <T> void set(SocketOption<T> name, T value) throws SocketException {
        try {
            channel.setOption(name, value);
        } catch (IOException e) {
            throw JdkErrors.asSocketException(e);
        }
    }

    <T> T get(SocketOption<T> name) throws SocketException {
        try {
            return channel.getOption(name);
        } catch (IOException e) {
            throw JdkErrors.asSocketException(e);
        }
    }

    /** {@code setSendBufferSize} and {@code setReceiveBufferSize}: 0 or less is refused with the adaptor's {@code message}. */
    void setBufferSize(SocketOption<Integer> name, int size, String message) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException(message);
        }
        set(name, size);
    }

    /** {@code setSoTimeout} of a stream adaptor: a closed socket refuses it; {@code message} words a negative value. */
    void setTimeout(int millis, String message) throws SocketException {
        ensureOpen();
        if (millis < 0) {
            throw new IllegalArgumentException(message);
        }
        timeout = millis;
    }

    /** {@code getSoTimeout} of a stream adaptor. */
    int getTimeout() throws SocketException {
        ensureOpen();
        return timeout;
    }

    /** The timeout for a blocking call, as the datagram adaptor also keeps it (it is never refused for a closed socket). */
    int timeout() {
        return timeout;
    }

    void timeout(int millis) {
        timeout = millis;
    }

    private void ensureOpen() throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
    }
}
