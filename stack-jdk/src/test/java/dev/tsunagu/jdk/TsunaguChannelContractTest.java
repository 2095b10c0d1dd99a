package dev.tsunagu.jdk;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The channel contract suite against Tsunagu: a {@link TsunaguSelectorProvider} per stack, the
 * listening side on one stack, the connecting side on another, over the in-memory cable.
 */
class TsunaguChannelContractTest extends ChannelContractTest {
    private static TwoStacks stacks;
    private static SelectorProvider server;
    private static SelectorProvider client;

    @BeforeAll
    static void stacks() {
        stacks = new TwoStacks("channels");
        server = new TsunaguSelectorProvider(stacks.server);
        client = new TsunaguSelectorProvider(stacks.client);
    }

    @AfterAll
    static void closeStacks() {
        stacks.close();
    }

    @Override
    protected SelectorProvider serverProvider() {
        return server;
    }

    @Override
    protected SelectorProvider clientProvider() {
        return client;
    }

    @Override
    protected InetSocketAddress bindAddress() {
        return new InetSocketAddress(0);
    }

    @Override
    protected InetAddress serverAddress() {
        return TwoStacks.serverAddress();
    }

    @Override
    protected InetAddress clientAddress() {
        return TwoStacks.literal(TwoStacks.CLIENT_IP);
    }
}
