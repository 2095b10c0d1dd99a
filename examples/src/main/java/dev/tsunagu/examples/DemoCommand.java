package dev.tsunagu.examples;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.link.capture.PcapWriter;
import dev.tsunagu.link.capture.LinkType;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetworkStack;
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
 * The link layer at work, narrated: two hosts on an in-memory cable, one sending a packet to
 * the other. The sender does not know the receiver's MAC, so the packet waits while ARP asks;
 * then it leaves. Later the cache entry expires, and a packet for an address nobody has is
 * dropped after three unanswered requests. Everything runs on a virtual clock, so the minutes
 * of ARP timers pass instantly and the run is the same every time.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Two stacks on the in-memory cable resolve each other with ARP and exchange a frame (no root needed).")
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

            step("the browser sends a packet to 10.0.0.2; it does not know the server's MAC yet");
            send(browser, "10.0.0.2", "GET / HTTP/1.1");
            loop.runUntilIdle();
            table("browser", browser);
            table("server", server);

            step("a second packet goes at once: the MAC is cached");
            send(browser, "10.0.0.2", "Host: server");
            loop.runUntilIdle();

            loop.advance(Duration.ofSeconds(60));
            step("60 s later (virtual time, no waiting): the cache entries have expired");
            table("browser", browser);

            step("a packet for 10.0.0.99, which nobody has: ARP asks three times, one second apart, then gives up");
            send(browser, "10.0.0.99", "anyone?");
            loop.advance(Duration.ofSeconds(4));
            say("  dropped after resolution timeout: %d packet(s)",
                    browser.statistics().get("arp", "DropUnresolved"));

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
        return NetworkStack.builder().name(name).eventLoop(loop).seed(seed * 31 + hostSeed)
                .addInterface(InterfaceConfig.of(driver).address(address)).build();
    }

    private void send(NetworkStack from, String to, String text) {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        from.run(() -> {
            PacketBuffer p = from.buffers().acquire(data.length);
            p.append(data, 0, data.length);
            from.primaryInterface().output(p, EtherType.IPV4, Ipv4Address.parse(to).bits());
        });
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
