package dev.tsunagu.cli.tour;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.ip.Ipv4Service;
import dev.tsunagu.ip.Route;
import dev.tsunagu.ipv6.Ipv6Addresses;
import dev.tsunagu.ipv6.Ipv6Route;
import dev.tsunagu.ipv6.Ipv6Service;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.capture.CapturingDriver;
import dev.tsunagu.link.capture.LinkType;
import dev.tsunagu.link.capture.PcapWriter;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.ThreadedEventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.SocketLibrary;
import dev.tsunagu.tcp.TcpOptions;
import dev.tsunagu.trace.TraceRecorder;
import dev.tsunagu.udp.UdpOptions;
import dev.tsunagu.viz.TraceReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The seeds' journey, run and narrated: a browser host asks a DNS server for the web server's
 * address, opens a TCP connection to it, sends a request larger than one segment (one of its
 * segments is lost on the cable and retransmitted), reads the response, and both sides close.
 *
 * <p>Three stacks share one {@link VirtualEventLoop}, so the run is a pure function of the seed:
 * the same seed prints the same lines and writes the same capture. Blocking socket-library calls
 * made on this thread drive the loop until they can return, so the script below reads like the
 * application code the seeds describe. With {@link Config#realTime()} the same script runs on a
 * {@link ThreadedEventLoop} and the wall clock (its blocking calls then really wait). Every frame spends {@link Config#oneWayDelay()} on the
 * cable (a fault-injector delay on each host), which makes round-trip times and the
 * retransmission timeout visible.
 *
 * <p>With {@link Config#ipv6()} the same journey runs over IPv6 alone: the hosts check their
 * addresses first (Duplicate Address Detection), Neighbor Discovery takes ARP's place, and the
 * DNS server answers the AAAA question (the A question the resolver also asks, RFC 8305, gets no
 * record). The IPv4 journey is unchanged by it.
 */
public final class Tour {
    static final String NAME = "www.example.test";

    /** Where the three hosts live in one family. */
    record Addressing(String browser, String dns, String www, int prefixLength) {}

    static final Addressing IPV4 = new Addressing("10.0.0.1", "10.0.0.53", "10.0.0.80", 24);
    static final Addressing IPV6 = new Addressing("fd00::1", "fd00::53", "fd00::80", 64);

    /**
     * @param seed        seeds the stacks (MACs, ISNs, ports, DNS ids)
     * @param mtu         the cable's MTU; the MSS follows from it
     * @param oneWayDelay how long each frame takes on the cable
     * @param pcap        where the browser host's capture goes
     * @param realTime    run on the wall clock (a threaded event loop) instead of the virtual one;
     *                    TIME_WAIT is then shortened to {@link #REAL_TIME_MSL} x 2
     * @param html        where to write the narration with the TCP trace's diagrams, or null
     * @param ipv6        the journey over IPv6 (Neighbor Discovery, AAAA) instead of IPv4
     */
    public record Config(long seed, int mtu, Duration oneWayDelay, Path pcap, boolean realTime, Path html, boolean ipv6) {
        /** Over IPv4. */
        public Config(long seed, int mtu, Duration oneWayDelay, Path pcap, boolean realTime, Path html) {
            this(seed, mtu, oneWayDelay, pcap, realTime, html, false);
        }

        /** On the virtual clock. */
        public Config(long seed, int mtu, Duration oneWayDelay, Path pcap) {
            this(seed, mtu, oneWayDelay, pcap, false);
        }

        /** Without a page. */
        public Config(long seed, int mtu, Duration oneWayDelay, Path pcap, boolean realTime) {
            this(seed, mtu, oneWayDelay, pcap, realTime, null);
        }
    }

    /** The maximum segment lifetime in real time, so that TIME_WAIT (2 MSL) lasts 1 s, not a minute. */
    static final Duration REAL_TIME_MSL = Duration.ofMillis(500);

    /** What the run did, for the command's summary and the tests. */
    public record Result(Path pcap, long framesCaptured, long framesLost, long retransmissions) {}

    private final Config config;
    private final Addressing at;
    private final Narration say;
    /** The loop of all three stacks; {@link #virtual} is the same loop on the virtual clock, else null. */
    private final EventLoop loop;
    private final VirtualEventLoop virtual;
    private final Duration msl;
    private final WireStory story;
    private LoseOneFrame loss;
    private WireNarrator browserWire;
    /** With {@code --html}: the narration as printed, and the TCP trace of the browser and the server. */
    private final StringWriter told;
    private final TraceRecorder trace;

    private Tour(Config config, PrintWriter printed) {
        this.config = config;
        this.at = config.ipv6() ? IPV6 : IPV4;
        this.told = config.html() == null ? null : new StringWriter();
        this.trace = config.html() == null ? null : new TraceRecorder();
        PrintWriter out = told == null ? printed : new PrintWriter(new Tee(printed, told));
        this.virtual = config.realTime() ? null : new VirtualEventLoop();
        this.loop = config.realTime() ? new ThreadedEventLoop("tour") : virtual;
        this.msl = config.realTime() ? REAL_TIME_MSL : TcpOptions.MSL.defaultValue();
        long origin = loop.now();
        this.say = new Narration(out, loop, origin);
        this.story = new WireStory(origin);
    }

    /** Runs the tour, printing to {@code out}. */
    public static Result run(Config config, PrintWriter out) throws Exception {
        Tour tour = new Tour(config, out);
        try {
            return tour.run();
        } finally {
            tour.loop.close();
        }
    }

    /** Lets {@code d} pass: on the virtual clock at once, else by sleeping. */
    private void pause(Duration d) throws InterruptedException {
        if (virtual != null) {
            virtual.advance(d);
        } else {
            Thread.sleep(d);
        }
    }

    /** Waits until {@code done} holds, at most {@code limit}; on the virtual clock the wait is instant. */
    private void waitUntil(BooleanSupplier done, Duration limit) throws InterruptedException {
        if (virtual != null) {
            virtual.runUntil(done, limit);
            return;
        }
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(1); // an example polling its own stack, not a test: good enough
        }
    }

    private Result run() throws Exception {
        Cable cable = new Cable("tour", config.mtu());
        long captured;
        long retransmissions;
        PcapWriter capture = openCapture(config.pcap());
        try (capture) {
            say.plain("Tsunagu tour: a browser fetches a page, narrated one event per line (seed " + config.seed()
                    + (config.realTime() ? ", real time" : ", virtual clock") + "; times in seconds).");
            say.plain(String.format(Locale.ROOT, "Three hosts on one cable (MTU %d%s); each frame takes %.1f ms to cross it."
                    + " Frames to and from the browser are captured in %s.", config.mtu(), config.ipv6() ? ", IPv6 only" : "",
                    config.oneWayDelay().toNanos() / 1e6, config.pcap()));
            say.plain("TCP here is the seeds' classic one: SACK and timestamps, which Tsunagu uses by default, are off,"
                    + " so a lost segment waits for the retransmission timeout.");

            say.chapter("Three hosts plug into the cable");
            NetworkStack browser = host("browser", at.browser(), cable, capture, 1,
                    b -> b.option(UdpOptions.DNS_SERVERS, at.dns()));
            NetworkStack www = host("www", at.www(), cable, null, 2, b -> {});
            NetworkStack dns = host("dns", at.dns(), cable, null, 3, b -> {});
            if (trace != null) {
                browser.tcp().trace(trace); // a sink draws no random number and sends nothing: the same run
                www.tcp().trace(trace);
            }
            try {
                // Let the announcements cross the cable before the journey starts, at a round time
                // (over IPv6, after Duplicate Address Detection's second of silence).
                Duration settle = config.ipv6() ? DAD : Duration.ZERO;
                pause(config.realTime() ? config.oneWayDelay().multipliedBy(2).plusMillis(50).plus(settle)
                        : Duration.ofSeconds(1).plus(settle));
                List<String> addresses = List.of(at.browser(), at.www(), at.dns());
                List<NetworkStack> hosts = List.of(browser, www, dns);
                for (int i = 0; i < hosts.size(); i++) {
                    NetworkStack s = hosts.get(i);
                    say.detail(String.format(Locale.ROOT, "%-8s %s  %s/%d", s.name(), s.primaryInterface().mac(),
                            addresses.get(i), at.prefixLength()) + (config.ipv6() ? "  and " + linkLocal(s)
                            + "/64, made from its MAC (each IPv6 interface has a link-local address)" : ""));
                }
                routes(browser);
                DnsResponder responder = new DnsResponder(dns, 53, Map.of(NAME, InetAddress.getByName(at.www())));
                try {
                    journey(browser, www);
                } finally {
                    responder.close();
                }
                retransmissions = browser.statistics().get("tcp", "RetransSegs");
            } finally {
                browser.close();
                www.close();
                dns.close();
            }
            captured = capture.framesWritten();
        }
        say.plain("");
        say.plain(String.format(Locale.ROOT, "Wrote %s (%d frames, as tcpdump on the browser host would see them)."
                + " Open it with Wireshark, or: tshark -r %s", config.pcap(), captured, config.pcap()));
        if (config.html() != null) {
            writePage(config.html());
            say.plain("Wrote " + config.html() + " (the narration with the ladder diagram, time-sequence graph and"
                    + " congestion window of the TCP connection). Open it in a browser.");
        }
        say.flush();
        return new Result(config.pcap(), captured, loss.dropped(), retransmissions);
    }

    /** The page of {@code --html}: the story as told, then the pictures of the trace. */
    private void writePage(Path file) throws IOException {
        say.flush();
        try {
            new TraceReport("Tsunagu tour (seed " + config.seed() + ")")
                    .diagramsOf(trace.events())
                    .text("narration", "The journey, narrated", told.toString())
                    .write(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot write the page " + file + ": no such directory", e);
        } catch (IOException e) {
            throw new IOException("cannot write the page " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes to two writers: the printed narration stays exactly what it is without a page. */
    private static final class Tee extends java.io.Writer {
        private final java.io.Writer first;
        private final java.io.Writer second;

        Tee(java.io.Writer first, java.io.Writer second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            first.write(buf, off, len);
            second.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /** Duplicate Address Detection's wait (one solicitation, RetransTimer 1 s), with a second to spare. */
    static final Duration DAD = Duration.ofSeconds(2);

    /** The browser's routes on the cable (not loopback's). */
    private void routes(NetworkStack browser) {
        if (config.ipv6()) {
            Ipv6Service ip6 = browser.service(Ipv6Service.class).orElseThrow();
            for (Ipv6Route r : browser.call(() -> ip6.routes().routes())) {
                if (r.iface() == browser.primaryInterface() && !r.destination().address().isMulticast()) {
                    say.event("browser", "routing table: " + r + (r.isOnLink() ? ": hosts of " + r.destination()
                            + " are on this cable, so each is its own next hop (no router)" : ""));
                }
            }
            return;
        }
        Ipv4Service ip = browser.service(Ipv4Service.class).orElseThrow();
        for (Route r : browser.call(() -> ip.routes().routes())) {
            if (r.iface() == browser.primaryInterface()) {
                say.event("browser", "routing table: " + r + (r.isOnLink() ? ": hosts of " + r.destination()
                        + " are on this cable, so each is its own next hop (no gateway router)" : ""));
            }
        }
    }

    /** Opens the capture file, or fails with one line that says why. */
    private static PcapWriter openCapture(Path file) throws IOException {
        try {
            return PcapWriter.create(file, LinkType.ETHERNET, 65535);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot write the capture " + file + ": no such directory", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot write the capture " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new IOException("cannot write the capture " + file + ": " + e.getMessage(), e);
        }
    }

    /** Small enough that the 4380-byte request takes over half of it, so reading it sends a window update. */
    static final int SERVER_RECEIVE_BUFFER = 8192;

    private void journey(NetworkStack browser, NetworkStack www) throws Exception {
        SocketLibrary app = SocketLibrary.of(browser);
        SocketLibrary web = SocketLibrary.of(www);

        say.chapter("The web server listens");
        int listenFd = web.socket(SocketLibrary.SOCK_STREAM);
        web.setsockopt(listenFd, SocketLibrary.SO_RCVBUF, SERVER_RECEIVE_BUFFER);
        web.bind(listenFd, 80);
        web.listen(listenFd, 16);
        say.event("www", "socket() = " + listenFd + ", setsockopt(" + listenFd + ", SO_RCVBUF, " + SERVER_RECEIVE_BUFFER
                + "), bind(" + listenFd + ", port 80), listen(" + listenFd
                + "): a socket waiting for clients on the well-known web port, with a small receive buffer"
                + " (so the window's ups and downs show)");
        table(www);

        say.chapter("Creating a socket");
        int fd = app.socket(SocketLibrary.SOCK_STREAM);
        say.event("browser", "socket(SOCK_STREAM) = " + fd + ": the stack reserves a control block and returns"
                + " descriptor " + fd + ", the number the application will use to name this socket");
        say.detail("it knows nothing about the peer yet: no addresses, no buffers, state CLOSED; descriptors: "
                + browser.descriptors().descriptors());

        say.chapter("Asking DNS for the server's address, then connecting");
        say.event("browser", "connect(" + fd + ", \"" + NAME + "\", 80): the socket library's resolver must first"
                + " turn the name into an IP address; it asks the DNS server " + at.dns() + " over UDP"
                + (config.ipv6() ? ", for both families, IPv6 (AAAA) first, since this host has an IPv6 address (RFC 8305)" : ""));
        browserWire.afterDnsQuery(() -> {
            say.detail("The resolver sends from a UDP socket of its own, with a descriptor of its own (it is"
                    + " closed once the answer is in):");
            table(browser);
        });
        long start = loop.now();
        app.connect(fd, NAME, 80);
        say.event("browser", String.format(Locale.ROOT, "connect returned after %.1f ms: the connection is"
                + " ESTABLISHED. Its control block now records the peer, the ports, the sequence numbers and the"
                + " buffers:", (loop.now() - start) / 1e6));
        table(browser);
        say.detail("The table is the socket's own control information, kept in the stack and invisible to the"
                + " peer; the headers above are the other kind, sent in every packet and the same on every OS.");
        say.detail("rto: TCP measured the handshake's round trip (srtt) and set its retransmission timeout from it"
                + " (RFC 6298: RTO = SRTT + 4 x RTTVAR, at least 200 ms; 1 s before any measurement). This first"
                + " sample also counts the time the SYN waited for the " + (config.ipv6() ? "Neighbor Advertisement" : "ARP reply"));
        int conn = web.accept(listenFd);
        say.event("www", "accept(" + listenFd + ") = " + conn + ": a new descriptor for the new connection;"
                + " descriptor " + listenFd + " goes on listening");
        table(www);

        say.chapter("Sending the request: buffered, cut at the MSS, one segment lost, ACKs with the window");
        byte[] request = request(mss(browser, fd));
        say.event("browser", "write(" + fd + ", " + request.length + " bytes): a POST larger than one segment. The"
                + " stack copies it into the send buffer and cuts it from the front into MSS-sized segments");
        app.write(fd, request, 0, request.length);
        say.event("browser", "write returned at once; the bytes wait in the send buffer until they are"
                + " acknowledged (Send-Q):");
        table(browser);
        say.event("www", "the server application is busy and does not call read() yet: arriving bytes wait in"
                + " its receive buffer, so each ACK offers less room (the window)");
        waitUntil(() -> browser.sockets().stream().allMatch(s -> s.sendQueue() == 0), Duration.ofSeconds(10));
        say.event("browser", "every byte of the request is acknowledged; the send buffer is empty again:");
        table(browser);
        say.event("www", "the whole request waits in the server's receive buffer (Recv-Q):");
        table(www);
        say.event("www", "read(" + conn + "): the application reads; the freed room is worth telling the browser"
                + " (a window update)");
        readRequest(web, conn);

        say.chapter("The response");
        byte[] response = response(request.length);
        say.event("www", "write(" + conn + ", " + response.length + " bytes): the response, smaller than one"
                + " segment");
        web.write(conn, response, 0, response.length);
        say.event("www", "close(" + conn + "): the request said \"Connection: close\", so the server is done"
                + " sending; its TCP sends a FIN after the data");
        web.close(conn);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[16384];
        while (true) {
            int n = app.read(fd, buffer, 0, buffer.length);
            if (n < 0) {
                say.event("browser", "read(" + fd + ") = -1: end of stream. The server's FIN arrived and every"
                        + " byte before it has been read");
                break;
            }
            got.write(buffer, 0, n);
            say.event("browser", "read(" + fd + ") = " + n + " bytes from the receive buffer: \""
                    + firstLine(buffer, n) + "\"");
        }

        say.chapter("Disconnecting: FIN and ACK both ways");
        say.event("browser", "close(" + fd + "): the browser has nothing more to send either; its TCP sends its FIN");
        app.close(fd);
        waitUntil(() -> browser.sockets().isEmpty(), Duration.ofSeconds(5));
        say.event("browser", "the server's ACK of our FIN arrived (LAST_ACK -> CLOSED): the control block is"
                + " deleted at once, since the other side closed first:");
        table(browser);
        say.event("www", String.format(Locale.ROOT, "the server closed first, so its side waits in TIME_WAIT for"
                + " 2 x MSL = %s s%s: a late or retransmitted segment of this connection must not be taken for part of"
                + " a new one:", msl.multipliedBy(2).toMillis() / 1000.0, config.realTime()
                        ? " (shortened for the tour; Linux waits 60 s)" : ""));
        table(www);

        say.chapter("TIME_WAIT ends: the socket is deleted");
        waitUntil(() -> www.sockets().stream().noneMatch(s -> s.state().equals("TIME_WAIT")),
                msl.multipliedBy(2).plusSeconds(5));
        say.event("www", "TIME_WAIT is over: the connection's control block is deleted and its memory freed."
                + " Only the listening socket remains:");
        table(www);
        web.close(listenFd);
        say.event("www", "close(" + listenFd + "): the listening socket goes too");
        var tcp = browser.statistics();
        say.event("browser", String.format(Locale.ROOT, "TCP counters: %s sent, %s received, %d retransmitted"
                + " after %s; %s lost on the cable (injected)",
                count(tcp.get("tcp", "OutSegs"), "segment"), count(tcp.get("tcp", "InSegs"), "segment"),
                tcp.get("tcp", "RetransSegs"), count(tcp.get("tcp", "Timeouts"), "timeout"),
                count(loss.dropped(), "frame")));
    }

    private static String count(long n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }

    /** The server reads until it has the whole request (headers, then Content-Length bytes). */
    private void readRequest(SocketLibrary web, int conn) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[16384];
        int expected = -1;
        while (expected < 0 || got.size() < expected) {
            int n = web.read(conn, buffer, 0, buffer.length);
            if (n < 0) {
                throw new IOException("the browser closed before the whole request arrived");
            }
            got.write(buffer, 0, n);
            expected = requestLength(got.toString(StandardCharsets.ISO_8859_1));
            say.event("www", "read(" + conn + ") = " + n + " bytes" + (got.size() == n
                    ? ": \"" + firstLine(buffer, n) + "\"" : "") + (expected > 0 && got.size() >= expected
                    ? "; the whole request (" + got.size() + " bytes) has arrived, in order" : ""));
        }
    }

    /** Header length plus Content-Length once the headers are complete, else -1. */
    private static int requestLength(String sofar) {
        int end = sofar.indexOf("\r\n\r\n");
        if (end < 0) {
            return -1;
        }
        for (String line : sofar.substring(0, end).split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return end + 4 + Integer.parseInt(line.substring(15).trim());
            }
        }
        return end + 4;
    }

    /** A POST of exactly three full segments, so the cut at the MSS is plain to see. */
    private static byte[] request(int mss) {
        int total = 3 * mss;
        String head = "";
        int body = total;
        for (int i = 0; i < 3; i++) { // the length's digits change the header's length: settle it
            head = "POST /guestbook HTTP/1.1\r\nHost: " + NAME + "\r\nUser-Agent: tsunagu-tour\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: " + body + "\r\nConnection: close\r\n\r\n";
            body = total - head.length();
        }
        StringBuilder text = new StringBuilder(body);
        String line = "Hello from the browser host! ";
        while (text.length() < body) {
            text.append(line, 0, Math.min(line.length(), body - text.length()));
        }
        return (head + text).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] response(int requestLength) {
        String body = "Thank you: your " + requestLength + "-byte message is in the guestbook.\n";
        return ("HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    private static int mss(NetworkStack stack, int fd) {
        for (SocketInfo s : stack.sockets()) {
            if (s.descriptor() == fd && s.details().containsKey("mss")) {
                return Integer.parseInt(s.details().get("mss"));
            }
        }
        throw new IllegalStateException("descriptor " + fd + " has no TCP connection");
    }

    private static String firstLine(byte[] b, int n) {
        String s = new String(b, 0, n, StandardCharsets.ISO_8859_1);
        int eol = s.indexOf('\r');
        return eol >= 0 ? s.substring(0, eol) + " ..." : s;
    }

    private void table(NetworkStack stack) {
        say.details(SocketTableView.rows(stack.sockets()));
    }

    private interface Options {
        void apply(NetworkStack.Builder b);
    }

    /**
     * One host: its cable port behind the decorators, innermost first: the cable's delay (a
     * fault injector that only delays), on the browser the one lost frame and the capture (as
     * tcpdump on that host sees it, so the lost frame is in the capture, then again when it is
     * retransmitted), and outermost the narrator.
     */
    private NetworkStack host(String name, String ip, Cable cable, PcapWriter capture, int index, Options options)
            throws Exception {
        story.name(IpAddress.parse(ip), name);
        FaultPlan wire = FaultPlan.builder().delay(1.0, config.oneWayDelay())
                .direction(FaultPlan.Direction.TRANSMIT).build();
        LinkDriver driver = new FaultInjectingDriver(cable.attach(), wire, config.seed() * 31 + index);
        if (capture != null) {
            loss = new LoseOneFrame(driver, secondDataSegment(), () -> say.event("cable",
                    "LOST: the fault injector drops this segment; the web server never sees it"), config.seed());
            driver = new CapturingDriver(loss, capture, false);
        }
        WireNarrator narrator = new WireNarrator(driver, name, story, say);
        if (capture != null) {
            browserWire = narrator;
        }
        driver = narrator;
        NetworkStack.Builder b = NetworkStack.builder().name(name).eventLoop(loop).seed(config.seed() * 31 + index)
                .addInterface(InterfaceConfig.of(driver).address(ip + "/" + at.prefixLength())).option(TcpOptions.MSL, msl)
                // The seeds' TCP: no SACK or timestamps (both on by default). Without them a lost
                // segment in the middle of a short flight waits for the retransmission timeout,
                // which is the story; with them it would be repaired sooner, by SACK recovery.
                // And NewReno, the seeds' congestion control (CUBIC is the default), whose
                // windows the narration explains.
                .option(TcpOptions.SACK, false).option(TcpOptions.TIMESTAMPS, false).congestionControl("newreno");
        options.apply(b);
        NetworkStack stack = b.build();
        if (config.ipv6()) {
            story.name(linkLocal(stack), name); // DAD starts on the loop's next turn: named in time
        }
        return stack;
    }

    private static Ipv6Address linkLocal(NetworkStack s) {
        return Ipv6Addresses.linkLocal(s.primaryInterface().macBits());
    }

    /** Chooses the second TCP segment that carries data (over either family): the middle of the request. */
    private static Predicate<PacketBuffer> secondDataSegment() {
        int[] seen = {0};
        return frame -> {
            int ipHeader;
            int ipTotal;
            if (frame.length() >= 14 + 20 + 20 && frame.getU16(12) == 0x0800 && frame.getU8(14 + 9) == 6) {
                ipHeader = (frame.getU8(14) & 0x0F) * 4;
                ipTotal = frame.getU16(14 + 2);
            } else if (frame.length() >= 14 + 40 + 20 && frame.getU16(12) == 0x86DD && frame.getU8(14 + 6) == 6) {
                ipHeader = 40; // the stack sends TCP with no extension headers
                ipTotal = 40 + frame.getU16(14 + 4);
            } else {
                return false;
            }
            int tcpHeader = (frame.getU8(14 + ipHeader + 12) >>> 4) * 4;
            return ipTotal - ipHeader - tcpHeader > 0 && ++seen[0] == 2;
        };
    }
}
