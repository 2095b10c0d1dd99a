package dev.tsunagu.examples.code.congestion;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Sends 2 MB over a wire that loses 1% of the client's frames and delays them 10 ms, once with the built-in
 * {@code newreno} and once with the toy {@code toy-aimd} ({@link ToyAimdProvider}), and shows
 * what each did. The loss comes from {@link FaultInjectingDriver}, a decorator that makes any
 * driver lossy, reproducibly from a seed; the stacks run on a {@link VirtualEventLoop}, so the
 * same seed gives the same run, and the times printed are simulated, not measured.
 */
public final class ToyAimdExample {
    /**
     * The fault plan on the client's transmit side: 1% loss, and 10 ms of delay so that there is
     * a round-trip time for the window to matter (the bare cable delivers instantly).
     */
    public static final String LOSS = "drop=0.01,delay=10ms,dir=tx";
    /** Bytes sent in each run. */
    public static final int BYTES = 2 << 20;

    /**
     * One transfer.
     *
     * @param policy the congestion control's name
     * @param elapsed simulated time from the first write until the server had every byte
     * @param intact whether the server read exactly what was written
     * @param decreases the window decreases the toy made (empty for newreno)
     * @param socketRow the client's socket table row at the end, with its cwnd and ssthresh
     */
    public record Run(String policy, Duration elapsed, boolean intact, List<ToyAimdProvider.Decrease> decreases,
                      String socketRow) {}

    private ToyAimdExample() {}

    public static void main(String[] args) throws Exception {
        for (String policy : List.of("newreno", ToyAimdProvider.NAME)) {
            Run r = run(policy, 42);
            System.out.printf("%-9s 2 MB in %s of simulated time, %s%n", policy, r.elapsed(), r.intact() ? "intact" : "CORRUPT");
            System.out.println("          client socket: " + r.socketRow());
            if (!r.decreases().isEmpty()) {
                System.out.println("          " + r.decreases().size() + " decreases, the first: " + r.decreases().getFirst());
            }
        }
    }

    /** Sends {@link #BYTES} from a client using {@code policy} over a lossy cable seeded with {@code seed}. */
    public static Run run(String policy, long seed) throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable cable = new Cable("toy-aimd-" + policy); // a cable of our own, not the JVM-wide cable:NAME registry
        // The client's port on the cable, wrapped so that 1% of what it transmits is lost.
        FaultInjectingDriver lossy = new FaultInjectingDriver(cable.attach(), FaultPlan.parse(LOSS), seed);
        try (NetworkStack client = NetworkStack.builder().name("client").eventLoop(loop).seed(seed)
                     .addInterface(InterfaceConfig.of(lossy).address("10.0.0.1/24")).build();
             NetworkStack server = NetworkStack.builder().name("server").eventLoop(loop).seed(seed + 1)
                     .addInterface(InterfaceConfig.of(cable.attach()).address("10.0.0.2/24")).build();
             TcpServerSocket listener = server.tcp().listen(5001);
             TcpSocket socket = client.tcp().connect(new InetSocketAddress("10.0.0.2", 5001),
                     TcpSocketOptions.DEFAULT.withCongestionControl(policy)); // this connection only
             TcpSocket peer = listener.accept()) {
            byte[] data = new byte[BYTES];
            new Random(seed).nextBytes(data);
            long start = loop.now();
            CompletableFuture<Void> written = socket.writeAsync(data, 0, data.length);
            byte[] got = readFully(peer, data.length); // drives the simulation until all has arrived
            Duration elapsed = Duration.ofNanos(loop.now() - start);
            String row = client.sockets().stream()
                    .filter(r -> socket.localAddress().equals(r.local())).findFirst()
                    .map(r -> "cwnd=" + r.details().get("cwnd") + " ssthresh=" + r.details().get("ssthresh"))
                    .orElse("?");
            List<ToyAimdProvider.Decrease> decreases = client.policies().congestionControl(policy)
                    instanceof ToyAimdProvider toy ? toy.decreases() : List.of();
            return new Run(policy, elapsed, written.isDone() && Arrays.equals(got, data), decreases, row);
        }
    }

    private static byte[] readFully(TcpSocket socket, int n) throws IOException {
        byte[] buffer = new byte[n];
        int got = 0;
        while (got < n) {
            int k = socket.read(buffer, got, n - got, Duration.ofMinutes(5));
            if (k < 0) {
                throw new IOException("connection closed after " + got + " of " + n + " bytes");
            }
            got += k;
        }
        return buffer;
    }
}
