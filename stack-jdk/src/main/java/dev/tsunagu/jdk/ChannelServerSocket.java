package dev.tsunagu.jdk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * {@link ServerSocketChannel#socket()} of a {@link TsunaguServerSocketChannel}: a
 * {@link ServerSocket} whose every method is the channel's. Netty configures its server
 * channels through it ({@code SO_REUSEADDR}, {@code SO_RCVBUF}).
 */
final class ChannelServerSocket extends ServerSocket {
    private final TsunaguServerSocketChannel channel;
    private final AdaptorOptions options;

    /** The {@code SocketImpl} handed to {@code ServerSocket} is never used: every method that would is overridden. */
    ChannelServerSocket(TsunaguServerSocketChannel channel) {
        super(new TsunaguSocketImpl(channel.stack(), true));
        this.channel = channel;
        this.options = new AdaptorOptions(channel);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bind(local, 50);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        try {
            channel.bind(local, backlog);
        } catch (RuntimeException | IOException e) {
            throw JdkErrors.onChannel(e);
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress a = channel.isOpen() ? channel.localAddressOrNull() : null;
        return a == null ? null : a.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress a = channel.localAddressOrNull();
        return a == null ? -1 : a.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return channel.isOpen() ? channel.localAddressOrNull() : null;
    }

    @Override
    public Socket accept() throws IOException {
        SocketChannel sc;
        try {
            if (!channel.isBlocking()) {
                sc = channel.accept();
                if (sc == null) {
                    throw new IllegalBlockingModeException();
                }
            } else {
                sc = channel.accept(ChannelWaits.deadline(options.timeout()));
            }
        } catch (RuntimeException | IOException e) {
            throw JdkErrors.onChannel(e);
        }
        return sc.socket();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public ServerSocketChannel getChannel() {
        return channel;
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
    public void setSoTimeout(int millis) throws SocketException {
        options.setTimeout(millis, "timeout < 0");
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return options.getTimeout();
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
    public void setReceiveBufferSize(int size) throws SocketException {
        options.setBufferSize(StandardSocketOptions.SO_RCVBUF, size, "size cannot be 0 or negative");
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return options.get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
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

    @Override
    public String toString() {
        return isBound() ? "ServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]"
                : "ServerSocket[unbound]";
    }
}
