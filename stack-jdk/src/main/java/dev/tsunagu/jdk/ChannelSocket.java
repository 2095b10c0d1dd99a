package dev.tsunagu.jdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.Objects;
import java.util.Set;

/**
 * {@link SocketChannel#socket()} of a {@link TsunaguSocketChannel}: a {@link Socket} whose every
 * method is the channel's (the JDK's own adaptor does the same for its channels). Libraries
 * that configure a channel through its socket — Netty sets {@code TCP_NODELAY} and the buffer
 * sizes this way — reach the channel's options. The streams need a blocking channel, and
 * {@code SO_TIMEOUT} bounds their reads.
 */
final class ChannelSocket extends Socket {
    private final TsunaguSocketChannel channel;
    private final AdaptorOptions options;

    /** With no {@code SocketImpl}: every method that would use one is overridden. */
    ChannelSocket(TsunaguSocketChannel channel) throws SocketException {
        super((SocketImpl) null);
        this.channel = channel;
        this.options = new AdaptorOptions(channel);
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    @Override
    public void connect(SocketAddress remote, int timeoutMillis) throws IOException {
        if (remote == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (!channel.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        try {
            channel.connect(remote, timeoutMillis);
        } catch (UnresolvedAddressException e) {
            channel.close();
            throw new UnknownHostException(remote.toString());
        } catch (RuntimeException | IOException e) {
            throw JdkErrors.onChannel(e);
        }
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        try {
            channel.bind(local);
        } catch (RuntimeException | IOException e) {
            throw JdkErrors.onChannel(e);
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress a = channel.isConnected() ? channel.remoteAddressOrNull() : null;
        return a == null ? null : a.getAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress a = channel.isOpen() ? channel.localAddressOrNull() : null;
        return a == null ? StackNames.wildcard() : a.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress a = channel.isConnected() ? channel.remoteAddressOrNull() : null;
        return a == null ? 0 : a.getPort();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress a = channel.localAddressOrNull();
        return a == null ? -1 : a.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return channel.isConnected() ? channel.remoteAddressOrNull() : null;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return channel.isOpen() ? channel.localAddressOrNull() : null;
    }

    @Override
    public SocketChannel getChannel() {
        return channel;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        checkStreamable();
        if (channel.isInputShutdown()) {
            throw new SocketException("Socket input is shutdown");
        }
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (!channel.isBlocking()) {
                    throw new IllegalBlockingModeException();
                }
                if (len == 0) {
                    return 0;
                }
                try {
                    return (int) channel.read(new ByteBuffer[] {ByteBuffer.wrap(b, off, len)}, 0, 1,
                            ChannelWaits.deadline(options.timeout()));
                } catch (ClosedChannelException e) {
                    throw new SocketException(JdkErrors.SOCKET_CLOSED, e);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        checkStreamable();
        if (channel.isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (!channel.isBlocking()) {
                    throw new IllegalBlockingModeException();
                }
                try {
                    channel.write(ByteBuffer.wrap(b, off, len));
                } catch (ClosedChannelException e) {
                    throw new SocketException(JdkErrors.SOCKET_CLOSED, e);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    private void checkStreamable() throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (!channel.isConnected()) {
            throw new SocketException("Socket is not connected");
        }
    }

    // ---- options: the channel's ----

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        options.set(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return options.get(StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        options.set(StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return options.get(StandardSocketOptions.SO_LINGER);
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data is not supported by Tsunagu");
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        if (on) {
            throw new SocketException("SO_OOBINLINE is not supported by Tsunagu");
        }
    }

    @Override
    public boolean getOOBInline() {
        return false;
    }

    @Override
    public void setSoTimeout(int millis) throws SocketException {
        options.setTimeout(millis, "timeout can't be negative");
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return options.getTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        options.setBufferSize(StandardSocketOptions.SO_SNDBUF, size, "Invalid send size");
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return options.get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        options.setBufferSize(StandardSocketOptions.SO_RCVBUF, size, "Invalid receive size");
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return options.get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        options.set(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return options.get(StandardSocketOptions.SO_KEEPALIVE);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        throw OptionValues.refused(SocketOptions.IP_TOS);
    }

    @Override
    public int getTrafficClass() {
        return 0;
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        options.set(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return options.get(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        channel.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return channel.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return channel.supportedOptions();
    }

    // ---- state ----

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        try {
            channel.shutdownInput();
        } catch (RuntimeException | IOException e) {
            throw JdkErrors.onChannel(e);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            channel.shutdownOutput();
        } catch (RuntimeException | IOException e) {
            throw JdkErrors.onChannel(e);
        }
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public boolean isBound() {
        return channel.localAddressOrNull() != null;
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return channel.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return channel.isOutputShutdown();
    }

    @Override
    public String toString() {
        return channel.isConnected() ? "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport="
                + getLocalPort() + "]" : "Socket[unconnected]";
    }
}
