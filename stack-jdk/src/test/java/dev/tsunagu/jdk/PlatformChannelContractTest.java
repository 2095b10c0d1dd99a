package dev.tsunagu.jdk;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;

/** The channel contract suite against the platform's provider on 127.0.0.1: proof that it describes the JDK. */
class PlatformChannelContractTest extends ChannelContractTest {
    @Override
    protected SelectorProvider serverProvider() {
        return SelectorProvider.provider();
    }

    @Override
    protected SelectorProvider clientProvider() {
        return SelectorProvider.provider();
    }

    @Override
    protected InetSocketAddress bindAddress() {
        return new InetSocketAddress(serverAddress(), 0);
    }

    @Override
    protected InetAddress serverAddress() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    protected InetAddress clientAddress() {
        return InetAddress.getLoopbackAddress();
    }
}
