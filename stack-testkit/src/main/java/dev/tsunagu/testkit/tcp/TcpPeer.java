package dev.tsunagu.testkit.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.arp.ArpOptions;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.testkit.wire.TcpRepr;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import dev.tsunagu.testkit.wire.TcpOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A raw TCP peer of the stack under test, in the manner of smoltcp's socket tests: the test
 * {@link #send}s segments it builds field by field ({@link #seg()}) and {@link #recv}s what the
 * stack answers as parsed {@link TcpRepr}s. Everything runs on one {@link VirtualEventLoop};
 * nothing happens between calls unless the test moves time. The stack and the peer share a
 * cable; the peer is a {@link RawHost} that also answers the stack's ARP requests.
 *
 * <p>For the data-path tests every segment the stack sends is also kept as a {@link Seen}:
 * stamped with the exact virtual instant it left (time is stepped deadline by deadline and the
 * wire drained at each), with its IP identification, length and all its options
 * ({@link TcpOptions}: timestamps and SACK blocks too), and logged in order ({@link #log}).
 * {@link #next}, {@link #takeNow} and {@link #takeFor} hand them out; the conveniences
 * {@link #sendAck}, {@link #sendData} and {@link #sendWithOptions} send at {@link #sndNxt},
 * acknowledging {@link #ack}, which only the test moves.
 *
 * <p>The peer keeps its own view of the connection, named from its side: {@link #iss} and
 * {@link #sndNxt} for what it sends, {@link #irs} (the stack's ISS) and {@link #rcvNxt} for what
 * it receives. A segment sent at {@code sndNxt} advances it; a segment received at
 * {@code rcvNxt} advances that (a SYN sets {@code irs}). So a bare ACK from the stack reads
 * {@code <SEQ=peer.rcvNxt><ACK=peer.sndNxt>}, and the stack's RCV.NXT is {@code peer.sndNxt}.
 *
 * <p>The fixtures ({@link #established()}, {@link #finWait1()}, …) drive the stack into a state
 * through its socket API against this peer, checking every step on the way.
 */
public final class TcpPeer implements AutoCloseable {
    public static final String STACK_ADDRESS = "10.0.0.2";
    public static final String PEER_ADDRESS = "10.0.0.9";
    /** The port the stack listens on in the passive fixtures. */
    public static final int LISTEN_PORT = 80;
    /** The peer's port. */
    public static final int PEER_PORT = 40_000;

    /** One segment the stack sent, with the instant it left and the IP fields the tests look at. */
    public record Seen(long at, int ipId, int ipTotalLength, boolean ipDontFragment, TcpRepr tcp, byte[] segment,
                       int ipTos) {
        /** The flag bits as sent, ECE and CWR included (which {@link TcpRepr} leaves out). */
        public int flags() {
            return segment[13] & 0xFF;
        }

        /** Whether all of {@code flags} were set. */
        public boolean has(int flags) {
            return (flags() & flags) == flags;
        }

        /** The IP header's ECN codepoint (RFC 3168 5: 0 Not-ECT, 2 ECT(0), 1 ECT(1), 3 CE). */
        public int ecn() {
            return ipTos & 3;
        }

        /** The options as sent, SACK blocks and timestamps included (which {@link TcpRepr} leaves out). */
        public TcpOptions options() {
            return TcpOptions.parse(segment);
        }

        public int seq() {
            return tcp.sequence();
        }

        public int ack() {
            return tcp.acknowledgment().orElseThrow();
        }

        public int window() {
            return tcp.window();
        }

        public int length() {
            return tcp.payloadLength();
        }

        public byte[] payload() {
            return tcp.payload();
        }

        /** An acknowledgment and nothing else: no data, no SYN, FIN or RST. */
        public boolean isBareAck() {
            return tcp.payloadLength() == 0 && tcp.control() != Control.SYN && tcp.control() != Control.FIN
                    && tcp.control() != Control.RST && tcp.acknowledgment().isPresent();
        }

        @Override
        public String toString() {
            return "t=" + at / 1_000_000.0 + "ms id=" + ipId + " " + tcp;
        }
    }

    public final VirtualEventLoop loop;
    public final Cable cable;
    public final NetworkStack stack;
    public final RawHost raw;
    public final String address;
    private final boolean ownsStack;
    private final int stackIp;
    private final int peerIp;
    private final BufferPool pool = new BufferPool();
    private final ArrayDeque<Seen> arrived = new ArrayDeque<>();
    /** Every segment the stack sent to this peer, in order. */
    public final List<Seen> log = new ArrayList<>();
    private int ipId = 1;
    /** The TOS byte of what we send: its low bits are the ECN codepoint (set it to 3 for a CE a router marked). */
    public int tos;

    /** Our port, and the stack's (learnt from its SYN in the active fixtures). */
    public int port = PEER_PORT;
    public int stackPort = LISTEN_PORT;
    /** Our initial sequence number and the next we send. */
    public int iss;
    public int sndNxt;
    /** The stack's initial sequence number and the next we expect from it (tracked as segments arrive). */
    public int irs;
    public int rcvNxt;
    /** What {@link #sendAck}, {@link #sendData} and {@link #sendWithOptions} acknowledge; only the test moves it. */
    public int ack;
    /** The window we advertise. */
    public int window = 65_535;
    /** The right edge of the stack's receive window as it last advertised it: SEG.ACK + SEG.WND. */
    public int stackWindowEnd;
    /** The stack's first data sequence number (its ISS + 1), once connected by {@link #stackConnects} or {@link #peerConnects}. */
    public int stackData;
    /** The handshake's segments from the stack, as {@link #stackConnects} and {@link #peerConnects} saw them. */
    public Seen lastSyn;
    public Seen lastHandshakeAck;
    public Seen lastSynAck;
    /** ARP requests the peer answered. */
    public int arpAnswered;

    public TcpServerSocket listener;
    /** The stack's socket for this connection, once the fixture has one. */
    public TcpSocket socket;
    /** The active fixtures' connect, for tests that look at how it ends. */
    public CompletableFuture<TcpSocket> connecting;

    /** A stack with default options (and an ARP cache that outlives every test) and a peer for it. */
    public static TcpPeer start() {
        return start(h -> h);
    }

    /** As {@link #start()}, with options set on the stack under test. */
    public static TcpPeer start(UnaryOperator<TestHosts> options) {
        return start(Cable.DEFAULT_MTU, options);
    }

    /** As {@link #start(UnaryOperator)}, on a cable of this MTU. */
    public static TcpPeer start(int mtu, UnaryOperator<TestHosts> options) {
        return start(mtu, false, options);
    }

    /**
     * As {@link #start(int, UnaryOperator)}, on a cable that offers checksum and segmentation
     * offload if {@code offloads} ({@link Cable#OFFLOADS}): the stack then sends segments of
     * several MSS with partial checksums, and the peer may send it such segments.
     */
    public static TcpPeer start(int mtu, boolean offloads, UnaryOperator<TestHosts> options) {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable cable = new Cable("tcp-peer", mtu, offloads);
        NetworkStack stack = options.apply(TestHosts.host(loop, "stack", 7).on(cable, STACK_ADDRESS + "/24")
                .option(ArpOptions.CACHE_TIMEOUT, Duration.ofDays(30))).build();
        return new TcpPeer(loop, cable, stack, PEER_ADDRESS, 0x02_00_00_00_00_09L, true);
    }

    private TcpPeer(VirtualEventLoop loop, Cable cable, NetworkStack stack, String address, long mac, boolean ownsStack) {
        this.loop = loop;
        this.cable = cable;
        this.stack = stack;
        this.address = address;
        this.ownsStack = ownsStack;
        this.stackIp = Craft.ip(STACK_ADDRESS);
        this.peerIp = Craft.ip(address);
        this.raw = new RawHost(cable, loop, mac, address).introduceTo(stack);
        // Near 2^32, so that windows and offsets in the tests wrap around: modular arithmetic is tested too.
        this.iss = -0x100 * (peerIp & 0xFF);
        this.sndNxt = iss;
    }

    /** A second raw peer (another host on the cable) for the same stack, sharing the listener. */
    public TcpPeer another(String otherAddress) {
        TcpPeer p = new TcpPeer(loop, cable, stack, otherAddress, 0x02_00_00_00_00_00L | (Craft.ip(otherAddress) & 0xFF), false);
        p.listener = listener;
        p.stackPort = stackPort;
        return p;
    }

    @Override
    public void close() {
        raw.close();
        if (ownsStack) {
            stack.close();
        }
    }

    // =====================================================================================
    // Segments
    // =====================================================================================

    /** A segment from us, by default {@code <SEQ=sndNxt><ACK=rcvNxt><CTL=ACK>} with our window and no data. */
    public Seg seg() {
        return new Seg();
    }

    /** A segment under construction; every field can be set, wrong ones included. */
    public final class Seg {
        private Control control = Control.NONE;
        private int seq = sndNxt;
        private OptionalInt ack = OptionalInt.of(rcvNxt);
        private int win = window;
        private int mss;
        private byte[] payload = new byte[0];

        public Seg seq(int v) {
            seq = v;
            return this;
        }

        public Seg ack(int v) {
            ack = OptionalInt.of(v);
            return this;
        }

        /** Without the ACK bit. */
        public Seg noAck() {
            ack = OptionalInt.empty();
            return this;
        }

        public Seg syn() {
            control = Control.SYN;
            return this;
        }

        public Seg fin() {
            control = Control.FIN;
            return this;
        }

        public Seg rst() {
            control = Control.RST;
            return this;
        }

        public Seg psh() {
            control = Control.PSH;
            return this;
        }

        public Seg window(int v) {
            win = v;
            return this;
        }

        public Seg mss(int v) {
            mss = v;
            return this;
        }

        public Seg data(byte[] bytes) {
            payload = bytes.clone();
            return this;
        }

        public Seg data(String text) {
            return data(text.getBytes(StandardCharsets.US_ASCII));
        }

        public TcpRepr repr() {
            return new TcpRepr(port, stackPort, control, seq, ack, win, mss, -1, false, payload);
        }
    }

    /** Sends a segment to the stack and lets the stack process it (and answer) at this instant. */
    public TcpPeer send(Seg s) {
        TcpRepr r = s.repr();
        sendTcp(bytes(r));
        if (r.sequence() == sndNxt) {
            sndNxt += r.segmentLength();
        }
        return this;
    }

    /** Sends {@code r} as it is ({@link #sndNxt} does not move) and lets the stack react at this instant. */
    public void send(TcpRepr r) {
        sendTcp(bytes(r));
    }

    /** Sends a segment whose TCP checksum is wrong (one bit of it flipped). */
    public TcpPeer sendWithBadChecksum(Seg s) {
        byte[] tcp = bytes(s.repr());
        tcp[17] ^= 0x01;
        sendTcp(tcp);
        return this;
    }

    /** The segment's bytes, checksummed for our address and the stack's. */
    public byte[] bytes(TcpRepr r) {
        PacketBuffer b = pool.acquire(r.payloadLength());
        r.emit(b, peerIp, stackIp);
        byte[] tcp = b.toByteArray();
        b.release();
        return tcp;
    }

    /**
     * Sends a segment with any options (SACK blocks, timestamps...) and any {@code flags} as on
     * the wire, from {@link #port}, acknowledging {@link #ack} with {@link #window}.
     */
    public void sendWithOptions(int sequence, int flags, TcpOptions options, byte[] payload) {
        PacketBuffer b = pool.acquire(payload.length);
        b.append(payload, 0, payload.length);
        options.prependHeader(b, port, stackPort, sequence, ack, flags, window, peerIp, stackIp);
        byte[] tcp = b.toByteArray();
        b.release();
        sendTcp(tcp);
    }

    /** A bare ACK of {@link #ack} with {@link #window}, at {@link #sndNxt}. */
    public void sendAck() {
        send(segment(sndNxt, new byte[0]));
    }

    /** A bare ACK of {@code ackNumber} with {@code win}, which become {@link #ack} and {@link #window}. */
    public void sendAck(int ackNumber, int win) {
        ack = ackNumber;
        window = win;
        sendAck();
    }

    /** Data at {@link #sndNxt} (which moves past it), acknowledging {@link #ack}. */
    public void sendData(byte[] payload) {
        send(segment(sndNxt, payload));
        sndNxt += payload.length;
    }

    /** Data at an explicit sequence number (out of order, retransmitted...); {@link #sndNxt} does not move. */
    public void sendDataAt(int sequence, byte[] payload) {
        send(segment(sequence, payload));
    }

    /** A segment from us at {@code sequence}, acknowledging {@link #ack}, PSH when it carries data. */
    public TcpRepr segment(int sequence, byte[] payload) {
        return new TcpRepr(port, stackPort, payload.length > 0 ? Control.PSH : Control.NONE, sequence,
                OptionalInt.of(ack), window, payload);
    }

    private void sendTcp(byte[] tcp) {
        raw.sendIp(stack, Craft.withTos(Craft.ipv4(peerIp, stackIp, 6, 64, ipId++, 0x4000, new byte[0], tcp), tos));
        loop.runUntilIdle();
        drain();
    }

    /** Every TCP segment the stack sent us, up to now (time does not move). */
    public List<TcpRepr> recv() {
        return takeNow().stream().map(Seen::tcp).toList();
    }

    /** Exactly one segment from the stack, now. */
    public TcpRepr recvOne() {
        List<TcpRepr> got = recv();
        assertThat(got).as("segments from the stack").hasSize(1);
        return got.get(0);
    }

    /** Asserts the stack sent us nothing. */
    public void expectNothing() {
        assertThat(recv()).as("segments from the stack").isEmpty();
    }

    /** Exactly one bare ACK, {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>} of the stack. */
    public TcpRepr expectAck() {
        TcpRepr r = recvOne();
        assertBareAck(r, rcvNxt, sndNxt);
        return r;
    }

    public static void assertBareAck(TcpRepr r, int seq, int ack) {
        assertThat(r.control()).as("control of " + r).isIn(Control.NONE, Control.PSH);
        assertThat(r.payloadLength()).as("payload of " + r).isZero();
        assertThat(r.sequence()).as("SEQ of " + r).isEqualTo(seq);
        assertThat(r.acknowledgment()).as("ACK of " + r).hasValue(ack);
    }

    /** Exactly one RST, {@code <SEQ=seq><CTL=RST>} (no ACK bit). */
    public TcpRepr expectRst(int seq) {
        TcpRepr r = recvOne();
        assertThat(r.control()).as("control of " + r).isEqualTo(Control.RST);
        assertThat(r.sequence()).as("SEQ of " + r).isEqualTo(seq);
        assertThat(r.acknowledgment()).as("ACK of " + r).isEmpty();
        return r;
    }

    /**
     * Moves virtual time, deadline by deadline, until the stack sends something (at most
     * {@code limit}), and returns the first segment; {@link #now()} is then the instant it was sent.
     * Null if nothing came.
     */
    public TcpRepr awaitSegment(Duration limit) {
        boolean got = loop.runUntil(() -> {
            drain();
            return !arrived.isEmpty();
        }, limit);
        return got ? handOut(arrived.poll()).tcp() : null;
    }

    /** The next segment the stack sends within {@code limit} (time moves to when it is sent); fails if none. */
    public Seen next(Duration limit) {
        loop.runUntil(() -> {
            drain();
            return !arrived.isEmpty();
        }, limit);
        drain();
        if (arrived.isEmpty()) {
            fail("the stack sent nothing within " + limit + " (t=" + loop.now() / 1_000_000.0 + "ms)");
        }
        return handOut(arrived.poll());
    }

    /** Runs the loop at the current instant and returns what the stack sent and was not yet taken. */
    public List<Seen> takeNow() {
        loop.runUntilIdle();
        drain();
        return take();
    }

    /** Moves time forward by {@code d}, returning every segment sent meanwhile (and now), stamped exactly. */
    public List<Seen> takeFor(Duration d) {
        loop.runUntil(() -> {
            drain();
            return false;
        }, d);
        drain();
        return take();
    }

    /** Moves time to {@code atNanos} (absolute), returning what was sent meanwhile. */
    public List<Seen> takeUntil(long atNanos) {
        return takeFor(Duration.ofNanos(Math.max(0, atNanos - loop.now())));
    }

    /** What was sent and not yet taken. */
    public List<Seen> take() {
        List<Seen> out = new ArrayList<>(arrived);
        arrived.clear();
        out.forEach(this::handOut);
        return out;
    }

    /** A segment leaves the queue for the test: only now does the peer's view ({@link #rcvNxt}...) take it in. */
    private Seen handOut(Seen s) {
        track(s.tcp());
        return s;
    }

    /** The virtual time, nanoseconds. */
    public long now() {
        return loop.now();
    }

    /** Moves virtual time forward by {@code d}, firing every timer due on the way; what the stack sends waits for {@link #recv}. */
    public void advance(Duration d) {
        loop.advance(d);
    }

    public long counter(String name) {
        return stack.statistics().get("tcp", name);
    }

    /** The states in the stack's socket table ({@code LISTEN} for listeners), as netstat would show them. */
    public List<String> socketStates() {
        return stack.sockets().stream().map(i -> i.state()).toList();
    }

    /** {@code n} seeded random bytes. */
    public static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Milliseconds in the loop's nanoseconds. */
    public static long ms(long millis) {
        return millis * 1_000_000L;
    }

    /**
     * Collects what the stack has sent, stamped now. ARP requests for the peer's address are
     * answered at once, and the stack is let run again at the same instant so that what waited
     * for the answer leaves now.
     */
    private void drain() {
        boolean answeredArp = false;
        long stackMac = stack.primaryInterface().macBits();
        for (byte[] f : raw.received()) {
            // Only what the stack sent: the cable floods other hosts' frames (a fuzzer's junk among them) to us too.
            if (f.length < 14 || macAt(f, 6) != stackMac) {
                continue;
            }
            int type = ((f[12] & 0xFF) << 8) | (f[13] & 0xFF);
            if (type == 0x0806) {
                answeredArp |= answerArp(Arrays.copyOfRange(f, 14, f.length));
                continue;
            }
            if (type != 0x0800 || (f[14 + 9] & 0xFF) != 6) {
                continue;
            }
            byte[] ip = Arrays.copyOfRange(f, 14, f.length);
            int ihl = (ip[0] & 0x0F) * 4;
            int id = ((ip[4] & 0xFF) << 8) | (ip[5] & 0xFF);
            int total = ((ip[2] & 0xFF) << 8) | (ip[3] & 0xFF);
            byte[] tcp = Arrays.copyOfRange(ip, ihl, total);
            TcpRepr r = switch (TcpRepr.parse(PacketBuffer.copyOf(tcp, 0), stackIp, peerIp)) {
                case TcpRepr.Parsed p -> p.repr();
                case TcpRepr.Rejected x -> throw new AssertionError("the stack sent a malformed segment: " + x.reason());
            };
            Seen seen = new Seen(loop.now(), id, total, (ip[6] & 0x40) != 0, r, tcp, ip[1] & 0xFF);
            arrived.add(seen);
            log.add(seen);
        }
        if (answeredArp) {
            loop.runUntilIdle();
            drain();
        }
    }

    private static long macAt(byte[] f, int at) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | (f[at + i] & 0xFF);
        }
        return mac;
    }

    /** Answers an ARP request for the peer's address (RFC 826); true if it did. */
    private boolean answerArp(byte[] arp) {
        ByteBuffer in = ByteBuffer.wrap(arp);
        int op = in.getShort(6) & 0xFFFF;
        int target = in.getInt(24);
        if (op != 1 || target != peerIp) {
            return false;
        }
        long senderMac = ((long) (in.getShort(8) & 0xFFFF) << 32) | (in.getInt(10) & 0xFFFF_FFFFL);
        int senderIp = in.getInt(14);
        ByteBuffer reply = ByteBuffer.allocate(28);
        reply.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        reply.putShort((short) (raw.mac >>> 32)).putInt((int) raw.mac).putInt(peerIp);
        reply.putShort((short) (senderMac >>> 32)).putInt((int) senderMac).putInt(senderIp);
        raw.sendFrame(Craft.ethernet(senderMac, raw.mac, 0x0806, reply.array()));
        arpAnswered++;
        return true;
    }

    private void track(TcpRepr r) {
        if (r.acknowledgment().isPresent()) {
            stackWindowEnd = r.acknowledgment().getAsInt() + r.window(); // unscaled: we never offer scaling
        }
        if (r.control() == Control.SYN) {
            irs = r.sequence();
            rcvNxt = irs + 1;
            stackPort = r.sourcePort();
        } else if (r.sequence() == rcvNxt) {
            rcvNxt += r.segmentLength();
        }
    }

    // =====================================================================================
    // Fixtures: the stack in each state of RFC 9293 3.3.2 against this peer
    // =====================================================================================

    /** The stack listens on {@code listenPort}; we will open. */
    public TcpPeer listening(int listenPort) throws IOException {
        listener = stack.tcp().listen(listenPort);
        stackPort = listenPort;
        return this;
    }

    /** Passive SYN-RECEIVED: we sent SYN, the stack answered SYN-ACK (not yet acknowledged). */
    public TcpPeer synReceived() throws IOException {
        if (listener == null) {
            listening(LISTEN_PORT);
        }
        sndNxt = iss;
        send(seg().syn().noAck());
        TcpRepr synAck = recvOne();
        assertThat(synAck.control()).as("SYN-ACK " + synAck).isEqualTo(Control.SYN);
        assertThat(synAck.acknowledgment()).as("SYN-ACK " + synAck).hasValue(iss + 1);
        return this;
    }

    /** Passive ESTABLISHED: the handshake we opened completed and the application accepted it. */
    public TcpPeer establishedPassive() throws IOException {
        synReceived();
        send(seg());
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        expectNothing();
        socket = accepted.getNow(null);
        assertThat(socket).as("accepted socket").isNotNull();
        assertThat(socket.state()).isEqualTo("ESTABLISHED");
        return this;
    }

    /** Active SYN-SENT: the stack connected to us; its SYN has arrived, unanswered. */
    public TcpPeer synSent() {
        return synSent(TcpSocketOptions.DEFAULT);
    }

    public TcpPeer synSent(TcpSocketOptions options) {
        connecting = stack.tcp().connectAsync(new InetSocketAddress(address, port), options);
        TcpRepr syn = recvOne();
        assertThat(syn.control()).as("SYN " + syn).isEqualTo(Control.SYN);
        assertThat(syn.acknowledgment()).as("SYN " + syn).isEmpty();
        return this;
    }

    /** Active ESTABLISHED: the stack connected to us, we answered SYN-ACK, it ACKed. */
    public TcpPeer established() {
        synSent();
        send(seg().syn());
        expectAck();
        socket = connecting.getNow(null);
        assertThat(socket).as("connected socket").isNotNull();
        assertThat(socket.state()).isEqualTo("ESTABLISHED");
        return this;
    }

    /** FIN-WAIT-1: established, then the application shut output down; its FIN is unacknowledged. */
    public TcpPeer finWait1() throws IOException {
        established();
        socket.shutdownOutput();
        expectFin();
        assertThat(socket.state()).isEqualTo("FIN_WAIT_1");
        return this;
    }

    /** FIN-WAIT-2: we acknowledged the stack's FIN. */
    public TcpPeer finWait2() throws IOException {
        finWait1();
        send(seg());
        expectNothing();
        assertThat(socket.state()).isEqualTo("FIN_WAIT_2");
        return this;
    }

    /** CLOSING (simultaneous close): in FIN-WAIT-1 our FIN arrived, not acknowledging the stack's. */
    public TcpPeer closing() throws IOException {
        finWait1();
        send(seg().fin().ack(rcvNxt - 1));
        expectAck();
        assertThat(socket.state()).isEqualTo("CLOSING");
        return this;
    }

    /** TIME-WAIT: in FIN-WAIT-2 our FIN arrived and the stack acknowledged it. */
    public TcpPeer timeWait() throws IOException {
        finWait2();
        send(seg().fin());
        expectAck();
        assertThat(socket.state()).isEqualTo("TIME_WAIT");
        return this;
    }

    /** CLOSE-WAIT: established, then our FIN arrived and the stack acknowledged it. */
    public TcpPeer closeWait() {
        established();
        send(seg().fin());
        expectAck();
        assertThat(socket.state()).isEqualTo("CLOSE_WAIT");
        return this;
    }

    /** LAST-ACK: in CLOSE-WAIT the application shut output down; its FIN is unacknowledged. */
    public TcpPeer lastAck() throws IOException {
        closeWait();
        socket.shutdownOutput();
        expectFin();
        assertThat(socket.state()).isEqualTo("LAST_ACK");
        return this;
    }

    // =====================================================================================
    // Handshakes with options, for the data-path tests
    // =====================================================================================

    /**
     * The stack connects to the peer; the peer answers SYN-ACK after {@code rtt} with these
     * options ({@code mss} 0: none, {@code windowScale} -1: none). Returns the socket with the
     * stack's SYN and ACK consumed; {@link #lastSyn} holds the SYN.
     */
    public TcpSocket stackConnects(TcpSocketOptions options, int mss, int windowScale, int synAckWindow, Duration rtt) {
        CompletableFuture<TcpSocket> f = stack.tcp().connectAsync(new InetSocketAddress(address, port), options);
        Seen syn = next(Duration.ZERO);
        assertThat(syn.tcp().control()).as("the stack's first segment is its SYN: %s", syn).isEqualTo(Control.SYN);
        lastSyn = syn;
        ack = syn.seq() + 1;
        stackData = ack;
        if (!rtt.isZero()) {
            assertThat(takeFor(rtt)).as("nothing but the SYN before the SYN-ACK").isEmpty();
        }
        send(new TcpRepr(port, stackPort, Control.SYN, sndNxt, OptionalInt.of(ack), synAckWindow, mss, windowScale,
                false, new byte[0]));
        sndNxt++;
        window = synAckWindow;
        Seen ackOfSynAck = next(Duration.ZERO);
        assertThat(ackOfSynAck.isBareAck()).as("the handshake's ACK: %s", ackOfSynAck).isTrue();
        assertThat(ackOfSynAck.ack()).isEqualTo(sndNxt);
        lastHandshakeAck = ackOfSynAck;
        assertThat(f).isDone();
        return f.join();
    }

    /** {@link #stackConnects} with the peer's SYN-ACK at once, MSS 1460, no scaling, window 65535. */
    public TcpSocket stackConnects(TcpSocketOptions options) {
        return stackConnects(options, 1460, -1, 65535, Duration.ZERO);
    }

    /**
     * The peer connects to a listener of the stack on {@link #LISTEN_PORT}, its SYN with these
     * options and window; returns the accepted socket ({@link #lastSynAck} holds the SYN-ACK).
     */
    public TcpSocket peerConnects(TcpSocketOptions options, int mss, int windowScale, int synWindow) {
        try {
            listener = stack.tcp().listen(LISTEN_PORT, 8, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        stackPort = LISTEN_PORT;
        send(new TcpRepr(port, stackPort, Control.SYN, sndNxt, OptionalInt.empty(), synWindow, mss, windowScale,
                false, new byte[0]));
        sndNxt++;
        window = synWindow;
        Seen synAck = next(Duration.ZERO);
        assertThat(synAck.tcp().control()).as("SYN-ACK: %s", synAck).isEqualTo(Control.SYN);
        assertThat(synAck.ack()).isEqualTo(sndNxt);
        lastSynAck = synAck;
        ack = synAck.seq() + 1;
        stackData = ack;
        sendAck();
        assertThat(accepted).as("accepted after the handshake").isDone();
        return accepted.join();
    }

    private void expectFin() {
        TcpRepr fin = recvOne();
        assertThat(fin.control()).as("FIN " + fin).isEqualTo(Control.FIN);
        assertThat(fin.sequence()).as("FIN " + fin).isEqualTo(rcvNxt - 1);
    }
}
