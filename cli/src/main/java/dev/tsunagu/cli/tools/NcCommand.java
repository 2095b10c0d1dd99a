package dev.tsunagu.cli.tools;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * netcat: stdin to the socket, the socket to stdout. Over TCP, end of stdin half-closes (FIN)
 * and the command ends when both directions have ended (the peer's FIN and end of stdin, or a
 * reset); with {@code -l} it waits for one
 * connection. Over UDP each read from stdin is one datagram and each datagram received is
 * written out; the client ends {@code -q} seconds after stdin ended with nothing more
 * received, the listener (which answers whoever sent last) runs until stopped.
 */
@Command(name = "nc", mixinStandardHelpOptions = true,
        description = "netcat: stdin to a TCP or UDP socket, the socket to stdout (half-close on end of stdin).")
final class NcCommand extends NetworkCommand {
    private static final Duration SLICE = Duration.ofMillis(100);

    @Mixin
    DnsOptions dns;

    @Parameters(arity = "1..2", paramLabel = "HOST PORT",
            description = "Where to connect; with -l only PORT (HOST, if given, is ignored: every local address listens).")
    List<String> target;

    @Option(names = {"-u", "--udp"}, description = "UDP instead of TCP.")
    boolean udp;

    @Option(names = "-l", description = "Listen for one connection (TCP) or for datagrams (UDP) instead of connecting.")
    boolean listen;

    @Option(names = "-q", paramLabel = "SECONDS", defaultValue = "1", converter = Converters.Seconds.class,
            description = "UDP client: quit this long after end of stdin once nothing more arrives (default: 1).")
    Duration quit;

    private volatile boolean stdinDone;

    NcCommand(Io io) {
        super(io);
    }

    @Override
    public Integer call() throws Exception {
        if (!listen && target.size() != 2) {
            throw new ParameterException(spec.commandLine(), "want HOST PORT (or -l PORT to listen)");
        }
        int port;
        try {
            port = new Converters.Port().convert(target.getLast());
        } catch (picocli.CommandLine.TypeConversionException e) {
            throw new ParameterException(spec.commandLine(), "PORT: " + e.getMessage());
        }
        try (Host h = Host.start(spec.commandLine(), "nc", net, dns)) {
            // TCP connects by name through Host.connect (both families raced); UDP needs one address.
            InetSocketAddress remote = listen || !udp ? null
                    : new InetSocketAddress(h.resolve(spec.commandLine(), target.getFirst()), port);
            var stops = List.of(Signals.handle(List.of("INT"), () -> io.stop().complete(null)),
                    Signals.handle(List.of("TERM"), () -> io.stop().complete(null)));
            try {
                return udp ? udp(h, remote, port) : tcp(h, port);
            } finally {
                stops.forEach(o -> o.ifPresent(Signals.Installed::close));
            }
        }
    }

    private int tcp(Host h, int port) throws IOException, InterruptedException {
        TcpSocket s;
        if (listen) {
            try (TcpServerSocket l = h.stack().tcp().listen(port)) {
                io.stop().thenRun(l::close); // Ctrl-C while nobody has come
                io.markReady();
                try {
                    s = l.accept();
                } catch (IOException e) {
                    if (io.stop().isDone()) {
                        return 0;
                    }
                    throw e;
                }
            }
            spec.commandLine().getErr().println("nc: connection from " + Addresses.format(s.remoteAddress()));
            spec.commandLine().getErr().flush();
        } else {
            s = h.connect(spec.commandLine(), target.getFirst(), port);
            io.markReady();
        }
        io.stop().thenRun(s::abort);
        try (s) {
            Thread pump = Thread.ofVirtual().name("nc-stdin").start(() -> stdinToTcp(s));
            byte[] buf = new byte[16 * 1024];
            int n;
            PrintStream out = io.out();
            while ((n = s.read(buf, 0, buf.length)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            // The peer half-closed: it may still read, so stdin goes on until its end (or until a
            // write fails because the peer has gone altogether, or until Ctrl-C).
            while (!pump.join(Duration.ofMillis(200))) {
                if (io.stop().isDone()) {
                    return 0;
                }
            }
        } catch (IOException e) {
            if (io.stop().isDone()) {
                return 0;
            }
            throw e;
        }
        return 0;
    }

    private void stdinToTcp(TcpSocket s) {
        InputStream in = io.in();
        byte[] buf = new byte[16 * 1024];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                s.write(buf, 0, n);
                s.flush();
            }
            s.shutdownOutput(); // end of stdin: FIN, and keep reading what the peer still sends
        } catch (IOException e) {
            // the socket closed under us (the peer reset, or we are done): the reader reports it
        }
    }

    private int udp(Host h, InetSocketAddress remote, int port) throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        try (UdpSocket s = h.stack().udp().open()) {
            if (listen) {
                s.bind(port);
            } else {
                s.connect(remote);
            }
            io.markReady();
            // The peer: the connected one, or (listening) whoever sent last; stdin waits for the first.
            AtomicReference<InetSocketAddress> peer = new AtomicReference<>(remote);
            CompletableFuture<Void> heard = remote != null ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
            Thread pump = Thread.ofVirtual().name("nc-stdin").start(() -> stdinToUdp(s, peer, heard));
            long quietSince = Long.MAX_VALUE;
            while (!io.stop().isDone()) {
                if (!listen && stdinDone) {
                    quietSince = Math.min(quietSince, System.nanoTime());
                    if (System.nanoTime() - quietSince >= quit.toNanos()) {
                        break;
                    }
                }
                Datagram d;
                try {
                    d = s.receive(SLICE);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (java.net.PortUnreachableException e) {
                    throw new IOException("nc: " + Addresses.format(remote) + ": connection refused (ICMP port unreachable)", e);
                }
                peer.set(d.source());
                heard.complete(null);
                io.out().write(d.data());
                io.out().flush();
                quietSince = Long.MAX_VALUE;
            }
            heard.cancel(false);
            pump.interrupt();
            err.flush();
        } catch (java.net.SocketException e) {
            if (!io.stop().isDone()) {
                throw e;
            }
        }
        return 0;
    }

    private void stdinToUdp(UdpSocket s, AtomicReference<InetSocketAddress> peer, CompletableFuture<Void> heard) {
        byte[] buf = new byte[8 * 1024];
        try {
            heard.join(); // a listener sends nowhere until someone has sent to it
            int n;
            while ((n = io.in().read(buf)) >= 0) {
                InetSocketAddress to = peer.get();
                byte[] datagram = java.util.Arrays.copyOf(buf, n);
                if (s.remoteAddress() != null) {
                    s.send(datagram);
                } else {
                    s.send(datagram, to);
                }
            }
        } catch (IOException | java.util.concurrent.CancellationException e) {
            // closed
        } finally {
            stdinDone = true;
        }
    }

}
