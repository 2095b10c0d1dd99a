package dev.tsunagu.jdk;

import dev.tsunagu.stack.NetworkStack;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two stacks on an in-memory cable of their own, each on its own threaded event loop (the
 * adapter's callers block, as applications do): a client at 10.77.0.1 and a server at 10.77.0.2.
 */
final class TwoStacks implements AutoCloseable {
    static final String CLIENT_IP = "10.77.0.1";
    static final String SERVER_IP = "10.77.0.2";
    private static final AtomicInteger CABLES = new AtomicInteger();

    final NetworkStack client;
    final NetworkStack server;

    TwoStacks(String name) {
        String cable = "cable:jdk-" + name + "-" + CABLES.incrementAndGet();
        server = NetworkStack.builder().name(name + "-server").addInterface(cable, SERVER_IP + "/24").buildUnchecked();
        client = NetworkStack.builder().name(name + "-client").addInterface(cable, CLIENT_IP + "/24").buildUnchecked();
    }

    static InetAddress serverAddress() {
        return literal(SERVER_IP);
    }

    static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new AssertionError(ip + " is a literal", e);
        }
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
