package dev.tsunagu.cli;

import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.link.capture.LinkType;
import dev.tsunagu.link.capture.PcapWriter;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.SocketLibrary;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The stack at work, narrated: two hosts on an in-memory cable. ARP finds the server's MAC for a
 * ping; then, through the socket library's descriptors, a TCP connection opens (SYN, SYN-ACK,
 * ACK), carries a request and a response cut at the MSS, and closes (FIN both ways, TIME_WAIT,
 * deletion). Everything runs on a virtual clock, so the minute of TIME_WAIT passes instantly and
 * the run is the same every time.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Two stacks on the in-memory cable: ARP, ping, and a TCP exchange through the socket library, narrated (no root needed).")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--pcap", paramLabel = "FILE", defaultValue = "demo.pcap",
            description = "Capture every frame to this pcap file (default: ${DEFAULT-VALUE}).")
    Path pcap;

    @Option(names = "--mtu", paramLabel = "N", defaultValue = "1500", description = "Cable MTU (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed: MACs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--log", paramLabel = "LEVEL", defaultValue = "warn", description = "Log level (default: ${DEFAULT-VALUE}).")
    String log;

    private PrintWriter out;
    private VirtualEventLoop loop;

    @Override
    public Integer call() throws Exception {
        Logging.setLevel(log);
        out = spec.commandLine().getOut();
        loop = new VirtualEventLoop();
        Cable cable = new Cable("demo", mtu);
        PcapWriter capture = PcapWriter.create(pcap, LinkType.ETHERNET, 65535);
        try (capture) {
            say("t=%7.3fs  two hosts plug into cable '%s' (MTU %d) and announce themselves (gratuitous ARP)",
                    0.0, cable.name(), mtu);
            NetworkStack browser = host("browser", "10.0.0.1/24", cable, capture, 1);
            NetworkStack server = host("server", "10.0.0.2/24", cable, capture, 2);
            loop.runUntilIdle();
            say("  browser  %s  10.0.0.1/24", browser.primaryInterface().mac());
            say("  server   %s  10.0.0.2/24", server.primaryInterface().mac());

            step("the browser pings 10.0.0.2: it does not know the server's MAC yet, so ARP asks first");
            PingResult r = loop.await(browser.service(PingService.class).orElseThrow()
                    .ping(Ipv4Address.parse("10.0.0.2"), 56, Duration.ofSeconds(1)), Duration.ofSeconds(2));
            say("  %s", r);
            table("browser", browser);

            SocketLibrary web = SocketLibrary.of(server);
            SocketLibrary app = SocketLibrary.of(browser);
            step("the server: socket(), bind(80), listen()");
            int listenFd = web.socket(SocketLibrary.SOCK_STREAM);
            web.bind(listenFd, 80);
            web.listen(listenFd, 16);
            say("  descriptor %d is listening", listenFd);

            step("the browser: socket() gives a descriptor; connect() runs the 3-way handshake");
            int fd = app.socket(SocketLibrary.SOCK_STREAM);
            say("  descriptor %d", fd);
            app.connect(fd, "10.0.0.2", 80);
            int conn = web.accept(listenFd);
            say("  the browser's socket table (netstat):");
            out.print(indent(app.netstat()));

            step("the browser writes a request; the server answers with 4000 bytes, cut at the MSS");
            byte[] request = "GET / HTTP/1.1\r\nHost: server\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            app.write(fd, request, 0, request.length);
            byte[] buf = new byte[8192];
            int n = web.read(conn, buf, 0, buf.length);
            say("  the server read %d bytes: %s", n, new String(buf, 0, n, StandardCharsets.US_ASCII).lines().findFirst().orElse(""));
            byte[] response = new byte[4000];
            java.util.Arrays.fill(response, (byte) 'x');
            web.write(conn, response, 0, response.length);
            int got = 0;
            while (got < response.length) {
                got += app.read(fd, buf, 0, buf.length);
            }
            say("  the browser read %d bytes", got);

            step("the server closes (FIN); the browser reads end of stream and closes too");
            web.close(conn);
            say("  read returns %d (end of stream)", app.read(fd, buf, 0, buf.length));
            app.close(fd);
            loop.runUntilIdle();
            say("  the server's socket table: the closed connection waits in TIME_WAIT");
            out.print(indent(web.netstat()));
            loop.advance(Duration.ofSeconds(60));
            step("60 s later (2 MSL, virtual time): the connection's control block is deleted");
            out.print(indent(web.netstat()));
            web.close(listenFd);

            step("counters (netstat -s style), browser:");
            out.print(indent(browser.statistics().format(false)));
            browser.close();
            server.close();
        }
        say("");
        say("wrote %s (%d frames) — open it with wireshark or `tshark -r %s`", pcap, capture.framesWritten(), pcap);
        out.flush();
        return 0;
    }

    private NetworkStack host(String name, String address, Cable cable, PcapWriter capture, long hostSeed) throws Exception {
        LinkDriver port = cable.attach();
        // Decorators stack around any driver: the narrator prints each frame, the browser's
        // capture writes it, the fault injector (a no-op plan here) is where loss and delay
        // would be added.
        LinkDriver driver = new FaultInjectingDriver(port, FaultPlan.none(), seed);
        if (hostSeed == 1) {
            driver = new CapturingDriver(driver, capture, false); // like tcpdump on the browser host
        }
        driver = new NarratingDriver(driver, name, loop, out);
        return NetworkStack.builder().name(name).eventLoop(loop).seed(seed * 31 + hostSeed).congestionControl("newreno")
                .addInterface(InterfaceConfig.of(driver).address(address)).build();
    }

    private void table(String name, NetworkStack s) {
        say("  %s's ARP cache:%s", name, s.neighbors().isEmpty() ? " (empty)" : "");
        for (Neighbors.Entry e : s.neighbors()) {
            say("    %-12s %-17s %-10s expires at t=%.3fs", e.address(), e.mac() == null ? "(incomplete)" : e.mac(),
                    e.state(), e.expiresAtNanos() / 1e9);
        }
    }

    private void step(String what) {
        say("");
        say("t=%7.3fs  %s", loop.now() / 1e9, what);
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
    }

    private static String indent(String s) {
        return s.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
    }
}
