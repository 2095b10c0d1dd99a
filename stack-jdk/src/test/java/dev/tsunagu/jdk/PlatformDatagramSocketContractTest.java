package dev.tsunagu.jdk;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;

/** The datagram contract against the JDK's own sockets on 127.0.0.1. */
class PlatformDatagramSocketContractTest extends DatagramSocketContractTest {
    @Override
    protected DatagramSocket newServerSide() throws SocketException {
        return new DatagramSocket(null);
    }

    @Override
    protected DatagramSocket newClientSide() throws SocketException {
        return new DatagramSocket(null);
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
