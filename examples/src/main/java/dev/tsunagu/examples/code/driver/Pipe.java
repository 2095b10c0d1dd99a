package dev.tsunagu.examples.code.driver;

import dev.tsunagu.driver.DriverException;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM-wide registry behind {@code pipe:NAME}: which pipes have one end open, waiting for
 * the other. A pipe is forgotten once both ends have closed, so the name can be used again.
 */
final class Pipe {
    private static final Map<String, Pipe> PIPES = new HashMap<>();

    private final String name;
    private final int mtu;
    // Written under the registry's lock, read by transmit on any stack's loop.
    private volatile PipeDriver first;
    private volatile PipeDriver second;
    private int closedEnds;

    private Pipe(String name, int mtu) {
        this.name = name;
        this.mtu = mtu;
    }

    /** Gives out the first free end of the pipe called {@code name}, creating it if new. */
    static synchronized PipeDriver attach(String name, int mtu) throws DriverException {
        Pipe pipe = PIPES.computeIfAbsent(name, n -> new Pipe(n, mtu));
        if (pipe.mtu != mtu) {
            throw new DriverException("pipe " + name + " has MTU " + pipe.mtu + ", not " + mtu + ": both ends must agree");
        }
        if (pipe.first == null) {
            pipe.first = new PipeDriver(name + "/a", mtu, pipe);
            return pipe.first;
        }
        if (pipe.second == null) {
            pipe.second = new PipeDriver(name + "/b", mtu, pipe);
            return pipe.second;
        }
        throw new DriverException("pipe " + name + " already joins two stacks; a pipe has two ends (use the cable driver for more)");
    }

    /** The other end of {@code end}, or null while nobody has plugged it in. */
    PipeDriver peerOf(PipeDriver end) {
        return end == first ? second : first;
    }

    /** One end closed; after both, the name is free again. */
    static synchronized void closed(Pipe pipe) {
        if (++pipe.closedEnds == 2) {
            PIPES.remove(pipe.name, pipe);
        }
    }
}
