package dev.tsunagu.jdk;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract suite against Tsunagu: the server socket on one stack, the client on another,
 * over the in-memory cable. The server binds the wildcard address (the platform run binds
 * 127.0.0.1), which is how Tsunagu's listeners listen.
 */
class TsunaguSocketContractTest extends SocketContractTest {
    private static TwoStacks stacks;

    @BeforeAll
    static void stacks() {
        stacks = new TwoStacks("contract");
    }

    @AfterAll
    static void closeStacks() {
        stacks.close();
    }

    @Override
    protected ServerSocket newServerSocket() {
        return new TsunaguServerSocket(stacks.server);
    }

    @Override
    protected Socket newSocket() throws SocketException {
        return new TsunaguSocket(stacks.client);
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

    @Override
    protected ServerSocket newClientSideServerSocket() throws java.io.IOException {
        return new TsunaguServerSocket(stacks.client);
    }
}
