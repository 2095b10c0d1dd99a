package dev.tsunagu.testkit;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.util.List;

/**
 * The host under test at {@code 10.0.0.2} and a {@link RawHost} at {@code 10.0.0.9} on one
 * cable and one virtual loop, with whatever layers the test's class path has: the raw host
 * sends crafted packets ({@link Craft}) and records what the host answers. For the tests of
 * what a stack does with packets a socket would never send. {@link #close} closes both.
 */
public final class RawLan implements AutoCloseable {
    /** The raw host's and the host's addresses, as {@link Craft} takes them. */
    public static final int RAW = Craft.ip("10.0.0.9"), HOST = Craft.ip("10.0.0.2");

    public final VirtualEventLoop loop = new VirtualEventLoop();
    public final Cable lan;
    public final NetworkStack host;
    public final RawHost raw;

    private RawLan(String name, long seed) {
        lan = new Cable(name);
        host = NetworkStack.builder().name("host").eventLoop(loop).seed(seed)
                .addInterface(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24")).buildUnchecked();
        raw = new RawHost(lan, loop, 0x02_00_00_00_00_09L, "10.0.0.9").introduceTo(host);
    }

    /** The two hosts on a fresh cable called {@code name}; the host's random numbers from {@code seed}. */
    public static RawLan start(String name, long seed) {
        return new RawLan(name, seed);
    }

    /** The ICMP packets (whole IPv4 datagrams) the host sent the raw host, after running the loop now. */
    public List<byte[]> icmpReceived() {
        loop.runUntilIdle();
        return raw.receivedIp().stream().filter(p -> p[9] == 1).toList();
    }

    @Override
    public void close() {
        host.close();
        raw.close();
    }
}
