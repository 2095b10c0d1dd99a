package dev.tsunagu.tcp.conformance;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A raw TCP peer of the stack under test, in the manner of smoltcp's socket tests: the test
 * {@link #send}s segments it builds field by field ({@link #seg()}) and {@link #recv}s what the
 * stack answers as parsed {@link TcpRepr}s. Everything runs on one {@link VirtualEventLoop};
 * nothing happens between calls unless the test moves time.
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
final class TcpPeer implements AutoCloseable {
    static final String STACK_ADDRESS = "10.0.0.2";
    static final String PEER_ADDRESS = "10.0.0.9";
    /** The port the stack listens on in the passive fixtures. */
    static final int LISTEN_PORT = 80;

    final VirtualEventLoop loop;
    final Cable cable;
    final NetworkStack stack;
    final RawHost raw;
    final String address;
    private final boolean ownsStack;
    private final int stackIp;
    private final ArrayDeque<TcpRepr> arrived = new ArrayDeque<>();
    private int ipId = 1;

    /** Our port, and the stack's (learnt from its SYN in the active fixtures). */
    int port = 40_000;
    int stackPort = LISTEN_PORT;
    /** Our initial sequence number and the next we send. */
    int iss;
    int sndNxt;
    /** The stack's initial sequence number and the next we expect from it. */
    int irs;
    int rcvNxt;
    /** The window we advertise. */
    int window = 65_535;
    /** The right edge of the stack's receive window as it last advertised it: SEG.ACK + SEG.WND. */
    int stackWindowEnd;

    TcpServerSocket listener;
    /** The stack's socket for this connection, once the fixture has one. */
    TcpSocket socket;
    /** The active fixtures' connect, for tests that look at how it ends. */
    CompletableFuture<TcpSocket> connecting;

    /** A stack with default options (and an ARP cache that outlives every test) and a peer for it. */
    static TcpPeer start() {
        return start(h -> h);
    }

    /** As {@link #start()}, with options set on the stack under test. */
    static TcpPeer start(UnaryOperator<TestHosts> options) {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable cable = new Cable("tcp-conformance");
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
        this.raw = new RawHost(cable, loop, mac, address).introduceTo(stack);
        // Near 2^32, so that windows and offsets in the tests wrap around: modular arithmetic is tested too.
        this.iss = -0x100 * (Craft.ip(address) & 0xFF);
        this.sndNxt = iss;
    }

    /** A second raw peer (another host on the cable) for the same stack, sharing the listener. */
    TcpPeer another(String otherAddress) {
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
    Seg seg() {
        return new Seg();
    }

    /** A segment under construction; every field can be set, wrong ones included. */
    final class Seg {
        private Control control = Control.NONE;
        private int seq = sndNxt;
        private OptionalInt ack = OptionalInt.of(rcvNxt);
        private int win = window;
        private int mss;
        private byte[] payload = new byte[0];

        Seg seq(int v) {
            seq = v;
            return this;
        }

        Seg ack(int v) {
            ack = OptionalInt.of(v);
            return this;
        }

        /** Without the ACK bit. */
        Seg noAck() {
            ack = OptionalInt.empty();
            return this;
        }

        Seg syn() {
            control = Control.SYN;
            return this;
        }

        Seg fin() {
            control = Control.FIN;
            return this;
        }

        Seg rst() {
            control = Control.RST;
            return this;
        }

        Seg psh() {
            control = Control.PSH;
            return this;
        }

        Seg window(int v) {
            win = v;
            return this;
        }

        Seg mss(int v) {
            mss = v;
            return this;
        }

        Seg data(byte[] bytes) {
            payload = bytes.clone();
            return this;
        }

        Seg data(String text) {
            return data(text.getBytes(StandardCharsets.US_ASCII));
        }

        TcpRepr repr() {
            return new TcpRepr(port, stackPort, control, seq, ack, win, mss, -1, false, payload);
        }
    }

    /** Sends a segment to the stack and lets the stack process it (and answer) at this instant. */
    TcpPeer send(Seg s) {
        TcpRepr r = s.repr();
        sendTcp(bytes(r));
        if (r.sequence() == sndNxt) {
            sndNxt += r.segmentLength();
        }
        return this;
    }

    /** Sends a segment whose TCP checksum is wrong (one bit of it flipped). */
    TcpPeer sendWithBadChecksum(Seg s) {
        byte[] tcp = bytes(s.repr());
        tcp[17] ^= 0x01;
        sendTcp(tcp);
        return this;
    }

    /** The segment's bytes, checksummed for our address and the stack's. */
    byte[] bytes(TcpRepr r) {
        PacketBuffer b = PacketBuffer.allocate(128 + r.payloadLength(), 100);
        r.emit(b, Craft.ip(address), stackIp);
        return b.toByteArray();
    }

    private void sendTcp(byte[] tcp) {
        raw.sendIp(stack, Craft.ipv4(Craft.ip(address), stackIp, 6, 64, ipId++, 0x4000, new byte[0], tcp));
        loop.runUntilIdle();
    }

    /** Every TCP segment the stack sent us, up to now (time does not move). */
    List<TcpRepr> recv() {
        loop.runUntilIdle();
        collect();
        List<TcpRepr> out = new ArrayList<>(arrived);
        arrived.clear();
        return out;
    }

    /** Exactly one segment from the stack, now. */
    TcpRepr recvOne() {
        List<TcpRepr> got = recv();
        assertThat(got).as("segments from the stack").hasSize(1);
        return got.get(0);
    }

    /** Asserts the stack sent us nothing. */
    void expectNothing() {
        assertThat(recv()).as("segments from the stack").isEmpty();
    }

    /** Exactly one bare ACK, {@code <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>} of the stack. */
    TcpRepr expectAck() {
        TcpRepr r = recvOne();
        assertBareAck(r, rcvNxt, sndNxt);
        return r;
    }

    static void assertBareAck(TcpRepr r, int seq, int ack) {
        assertThat(r.control()).as("control of " + r).isIn(Control.NONE, Control.PSH);
        assertThat(r.payloadLength()).as("payload of " + r).isZero();
        assertThat(r.sequence()).as("SEQ of " + r).isEqualTo(seq);
        assertThat(r.acknowledgment()).as("ACK of " + r).hasValue(ack);
    }

    /** Exactly one RST, {@code <SEQ=seq><CTL=RST>} (no ACK bit). */
    TcpRepr expectRst(int seq) {
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
    TcpRepr awaitSegment(Duration limit) {
        boolean got = loop.runUntil(() -> {
            collect();
            return !arrived.isEmpty();
        }, limit);
        return got ? arrived.poll() : null;
    }

    /** The virtual time, nanoseconds. */
    long now() {
        return loop.now();
    }

    /** Moves virtual time forward by {@code d}, firing every timer due on the way. */
    void advance(Duration d) {
        loop.advance(d);
    }

    long counter(String name) {
        return stack.statistics().get("tcp", name);
    }

    /** The states in the stack's socket table ({@code LISTEN} for listeners), as netstat would show them. */
    List<String> socketStates() {
        return stack.sockets().stream().map(i -> i.state()).toList();
    }

    private void collect() {
        for (byte[] ip : raw.receivedIp()) {
            if (ip[9] != 6) {
                continue;
            }
            int ihl = (ip[0] & 0x0F) * 4;
            PacketBuffer b = PacketBuffer.copyOf(Arrays.copyOfRange(ip, ihl, ip.length), 0);
            TcpRepr r = switch (TcpRepr.parse(b, stackIp, Craft.ip(address))) {
                case TcpRepr.Parsed p -> p.repr();
                case TcpRepr.Rejected x -> throw new AssertionError("the stack sent a malformed segment: " + x.reason());
            };
            track(r);
            arrived.add(r);
        }
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
    TcpPeer listening(int listenPort) throws IOException {
        listener = stack.tcp().listen(listenPort);
        stackPort = listenPort;
        return this;
    }

    /** Passive SYN-RECEIVED: we sent SYN, the stack answered SYN-ACK (not yet acknowledged). */
    TcpPeer synReceived() throws IOException {
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
    TcpPeer establishedPassive() throws IOException {
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
    TcpPeer synSent() {
        return synSent(TcpSocketOptions.DEFAULT);
    }

    TcpPeer synSent(TcpSocketOptions options) {
        connecting = stack.tcp().connectAsync(new InetSocketAddress(address, port), options);
        TcpRepr syn = recvOne();
        assertThat(syn.control()).as("SYN " + syn).isEqualTo(Control.SYN);
        assertThat(syn.acknowledgment()).as("SYN " + syn).isEmpty();
        return this;
    }

    /** Active ESTABLISHED: the stack connected to us, we answered SYN-ACK, it ACKed. */
    TcpPeer established() {
        synSent();
        send(seg().syn());
        expectAck();
        socket = connecting.getNow(null);
        assertThat(socket).as("connected socket").isNotNull();
        assertThat(socket.state()).isEqualTo("ESTABLISHED");
        return this;
    }

    /** FIN-WAIT-1: established, then the application shut output down; its FIN is unacknowledged. */
    TcpPeer finWait1() throws IOException {
        established();
        socket.shutdownOutput();
        expectFin();
        assertThat(socket.state()).isEqualTo("FIN_WAIT_1");
        return this;
    }

    /** FIN-WAIT-2: we acknowledged the stack's FIN. */
    TcpPeer finWait2() throws IOException {
        finWait1();
        send(seg());
        expectNothing();
        assertThat(socket.state()).isEqualTo("FIN_WAIT_2");
        return this;
    }

    /** CLOSING (simultaneous close): in FIN-WAIT-1 our FIN arrived, not acknowledging the stack's. */
    TcpPeer closing() throws IOException {
        finWait1();
        send(seg().fin().ack(rcvNxt - 1));
        expectAck();
        assertThat(socket.state()).isEqualTo("CLOSING");
        return this;
    }

    /** TIME-WAIT: in FIN-WAIT-2 our FIN arrived and the stack acknowledged it. */
    TcpPeer timeWait() throws IOException {
        finWait2();
        send(seg().fin());
        expectAck();
        assertThat(socket.state()).isEqualTo("TIME_WAIT");
        return this;
    }

    /** CLOSE-WAIT: established, then our FIN arrived and the stack acknowledged it. */
    TcpPeer closeWait() {
        established();
        send(seg().fin());
        expectAck();
        assertThat(socket.state()).isEqualTo("CLOSE_WAIT");
        return this;
    }

    /** LAST-ACK: in CLOSE-WAIT the application shut output down; its FIN is unacknowledged. */
    TcpPeer lastAck() throws IOException {
        closeWait();
        socket.shutdownOutput();
        expectFin();
        assertThat(socket.state()).isEqualTo("LAST_ACK");
        return this;
    }

    private void expectFin() {
        TcpRepr fin = recvOne();
        assertThat(fin.control()).as("FIN " + fin).isEqualTo(Control.FIN);
        assertThat(fin.sequence()).as("FIN " + fin).isEqualTo(rcvNxt - 1);
    }
}
