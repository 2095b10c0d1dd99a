package dev.tsunagu.jdk;

import java.net.DatagramSocket;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The datagram contract against Tsunagu's UDP: server side on one stack, client side on the other. */
class TsunaguDatagramSocketContractTest extends DatagramSocketContractTest {
    private static TwoStacks stacks;

    @BeforeAll
    static void stacks() {
        stacks = new TwoStacks("datagram");
    }

    @AfterAll
    static void closeStacks() {
        stacks.close();
    }

    @Override
    protected DatagramSocket newServerSide() {
        return new TsunaguDatagramSocket(stacks.server);
    }

    @Override
    protected DatagramSocket newClientSide() {
        return new TsunaguDatagramSocket(stacks.client);
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
