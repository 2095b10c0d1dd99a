package dev.tsunagu.apps.relay;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackOption;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two threaded stacks on an IP-only cable of their own (a TUN's medium): a client at 10.0.0.1
 * whose default route is the gateway, and the gateway at 10.0.0.2 in transparent mode for every
 * IPv4 address, where a relay runs.
 */
final class RelayStacks implements AutoCloseable {
    /** stack-ip's IpOptions.TRANSPARENT (stack-ip is a run-time dependency here; options are keyed by name). */
    static final StackOption<String> TRANSPARENT = StackOption.of("ip.transparent", String.class, "", "");
    private static final AtomicInteger CABLES = new AtomicInteger();

    final NetworkStack client;
    final NetworkStack gateway;

    RelayStacks(String name) {
        String cable = "cable:" + name + "-" + CABLES.incrementAndGet() + ",medium=ip";
        client = NetworkStack.builder().name(name + "-client").addInterface(cable, "10.0.0.1/24")
                .gateway("10.0.0.2").buildUnchecked();
        gateway = NetworkStack.builder().name(name + "-gateway").addInterface(cable, "10.0.0.2/24")
                .option(TRANSPARENT, "0.0.0.0/0").buildUnchecked();
    }

    /** Everything {@code s} reads until its peer's FIN (an exception if reset). */
    static byte[] readToEnd(TcpSocket s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int n;
        while ((n = s.read(buf, 0, buf.length, Duration.ofSeconds(20))) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        client.close();
        gateway.close();
    }
}
