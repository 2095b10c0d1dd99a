package dev.tsunagu.jdk;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.util.Set;

/**
 * {@link DatagramChannel#socket()} of a {@link TsunaguDatagramChannel}: a {@link DatagramSocket}
 * whose every method is the channel's. Netty configures datagram channels through it.
 */
final class ChannelDatagramSocket extends DatagramSocket {
    private final TsunaguDatagramChannel channel;
    private final AdaptorOptions options;

    /** The impl handed to {@code DatagramSocket} is never used: every method that would is overridden. */
    ChannelDatagramSocket(TsunaguDatagramChannel channel, NetworkStack stack) {
        super(new TsunaguDatagramSocketImpl(stack));
        this.channel = channel;
        this.options = new AdaptorOptions(channel);
    }

    @Override
    public void bind(SocketAddress local) throws SocketException {
        try {
            channel.bind(local);
        } catch (IOException | RuntimeException e) {
            throw JdkErrors.asSocketException(e);
        }
    }

    @Override
    public void connect(InetAddress address, int port) {
        try {
            connect(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void connect(SocketAddress remote) throws SocketException {
        try {
            channel.connect(remote);
        } catch (IOException | RuntimeException e) {
            throw JdkErrors.asSocketException(e);
        }
    }

    @Override
    public void disconnect() {
        try {
            channel.disconnect();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public boolean isBound() {
        return channel.localAddressOrNull() != null;
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress a = channel.remoteAddressOrNull();
        return a == null ? null : a.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress a = channel.remoteAddressOrNull();
        return a == null ? -1 : a.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return channel.remoteAddressOrNull();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return channel.isOpen() ? channel.localAddressOrNull() : null;
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress a = channel.isOpen() ? channel.localAddressOrNull() : null;
        return a == null ? null : a.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress a = channel.isOpen() ? channel.localAddressOrNull() : null;
        return a == null ? (channel.isOpen() ? 0 : -1) : a.getPort();
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        if (!channel.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        ByteBuffer b = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
        SocketAddress to = p.getAddress() == null ? channel.remoteAddressOrNull() : p.getSocketAddress();
        if (to == null) {
            throw new IllegalArgumentException("Address not set");
        }
        channel.send(b, to);
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        if (!channel.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        Datagram d = channel.next(ChannelWaits.deadline(options.timeout()), false);
        if (d == null) {
            throw new SocketException(JdkErrors.SOCKET_CLOSED);
        }
        int n = Math.min(p.getLength(), d.length());
        System.arraycopy(d.data(), 0, p.getData(), p.getOffset(), n);
        p.setLength(n);
        p.setSocketAddress(d.source());
    }

    @Override
    public void setSoTimeout(int millis) throws SocketException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        options.timeout(millis);
    }

    @Override
    public int getSoTimeout() {
        return options.timeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        options.set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return options.get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        options.set(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return options.get(StandardSocketOptions.SO_RCVBUF);
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
    public void setBroadcast(boolean on) throws SocketException {
        options.set(StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean getBroadcast() throws SocketException {
        return options.get(StandardSocketOptions.SO_BROADCAST);
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
    public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
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
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a Tsunagu channel does not fail
        }
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public DatagramChannel getChannel() {
        return channel;
    }
}
