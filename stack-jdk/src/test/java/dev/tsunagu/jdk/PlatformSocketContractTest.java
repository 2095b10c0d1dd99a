package dev.tsunagu.jdk;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The contract suite against the JDK's own sockets on 127.0.0.1: proof that it describes the JDK. */
class PlatformSocketContractTest extends SocketContractTest {
    @Override
    protected ServerSocket newServerSocket() throws java.io.IOException {
        return new ServerSocket();
    }

    @Override
    protected Socket newSocket() {
        return new Socket();
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

    @Override
    protected ServerSocket newClientSideServerSocket() throws java.io.IOException {
        return new ServerSocket();
    }
}
