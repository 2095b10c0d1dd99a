package dev.tsunagu.tcp.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.testkit.Craft;
import dev.tsunagu.link.testkit.RawHost;
import dev.tsunagu.link.testkit.TestHosts;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.wire.TcpRepr;
import dev.tsunagu.tcp.wire.TcpRepr.Control;
import dev.tsunagu.tcp.wire.TcpHeader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A TCP peer made of raw segments, for the data-path tests: the stack under test sits on a
 * cable with a {@link RawHost}, everything the stack sends is parsed back to {@link TcpRepr}
 * and stamped with the virtual time it left at, and everything the peer sends is a
 * {@link TcpRepr} the test chose field by field. The peer keeps just enough state to make
 * writing tests short: its own next sequence number ({@link #seq}), what it acknowledges
 * ({@link #ack}) and the window it advertises ({@link #window}); tests move them as they like.
 *
 * <p>Time only moves when a method says so; every segment is stamped with the exact instant
 * the stack sent it (the loop is stepped deadline by deadline and the wire drained at each).
 */
final class RawTcpPeer implements AutoCloseable {
    static final String STACK_IP = "10.0.0.2";
    static final String PEER_IP = "10.0.0.9";
    static final int PEER_PORT = 40_000;
    static final int LISTEN_PORT = 8080;
    static final int PEER_ISS = 0x1000_0000;

    /** One segment the stack sent, with the IP fields the tests look at. */
    record Seen(long at, int ipId, int ipTotalLength, TcpRepr tcp, byte[] segment) {
        /** The options as sent, SACK blocks and timestamps included (which {@link TcpRepr} leaves out). */
        TcpHeader.Options options() {
            TcpHeader.Options o = new TcpHeader.Options();
            assertThat(TcpHeader.parseOptions(PacketBuffer.copyOf(segment, 0), o)).as("options of %s", this).isTrue();
            return o;
        }

        int seq() {
            return tcp.sequence();
        }

        int ack() {
            return tcp.acknowledgment().orElseThrow();
        }

        int window() {
            return tcp.window();
        }

        int length() {
            return tcp.payloadLength();
        }

        byte[] payload() {
            return tcp.payload();
        }

        boolean isBareAck() {
            return tcp.payloadLength() == 0 && tcp.control() != Control.SYN && tcp.control() != Control.FIN
                    && tcp.control() != Control.RST && tcp.acknowledgment().isPresent();
        }

        @Override
        public String toString() {
            return "t=" + at / 1_000_000.0 + "ms id=" + ipId + " " + tcp;
        }
    }

    final VirtualEventLoop loop = new VirtualEventLoop();
    final Cable lan;
    final NetworkStack stack;
    final RawHost raw;
    final int stackIp = Craft.ip(STACK_IP);
    final int peerIp = Craft.ip(PEER_IP);
    private final BufferPool pool = new BufferPool();
    private final ArrayDeque<Seen> inbox = new ArrayDeque<>();
    /** Every segment the stack sent, in order. */
    final List<Seen> log = new ArrayList<>();

    int stackPort;
    /** The peer's next sequence number. */
    int seq = PEER_ISS;
    /** What the peer acknowledges: the stack's next sequence number as the peer sees it. */
    int ack;
    /** The window field the peer sends. */
    int window = 65535;
    /** The stack's first data sequence number (its ISS + 1). */
    int stackData;
    private int nextIpId = 100;

    RawTcpPeer() {
        this(Cable.DEFAULT_MTU, h -> h);
    }

    RawTcpPeer(int mtu, UnaryOperator<TestHosts> options) {
        lan = new Cable("datapath", mtu);
        stack = options.apply(TestHosts.host(loop, "stack", 7).on(lan, STACK_IP + "/24")).build();
        raw = new RawHost(lan, loop, 0x02_00_00_00_00_09L, PEER_IP).introduceTo(stack);
    }

    // ---- connections ----

    /**
     * The stack connects to the peer; the peer answers SYN-ACK after {@code rtt} with these
     * options ({@code mss} 0: none, {@code windowScale} -1: none). Returns the socket with the
     * stack's SYN and ACK consumed; {@link #lastSyn} holds the SYN.
     */
    TcpSocket stackConnects(TcpSocketOptions options, int mss, int windowScale, int synAckWindow, Duration rtt) {
        CompletableFuture<TcpSocket> f = stack.tcp().connectAsync(new InetSocketAddress(PEER_IP, PEER_PORT), options);
        Seen syn = next(Duration.ZERO);
        assertThat(syn.tcp().control()).as("the stack's first segment is its SYN: %s", syn).isEqualTo(Control.SYN);
        lastSyn = syn;
        stackPort = syn.tcp().sourcePort();
        ack = syn.seq() + 1;
        stackData = ack;
        if (!rtt.isZero()) {
            assertThat(advance(rtt)).as("nothing but the SYN before the SYN-ACK").isEmpty();
        }
        send(new TcpRepr(PEER_PORT, stackPort, Control.SYN, seq, OptionalInt.of(ack), synAckWindow, mss, windowScale,
                false, new byte[0]));
        seq++;
        window = synAckWindow;
        Seen ackOfSynAck = next(Duration.ZERO);
        assertThat(ackOfSynAck.isBareAck()).as("the handshake's ACK: %s", ackOfSynAck).isTrue();
        assertThat(ackOfSynAck.ack()).isEqualTo(seq);
        lastHandshakeAck = ackOfSynAck;
        assertThat(f).isDone();
        return f.join();
    }

    /** {@link #stackConnects} with the peer's SYN-ACK at once, MSS 1460, no scaling, window 65535. */
    TcpSocket stackConnects(TcpSocketOptions options) {
        return stackConnects(options, 1460, -1, 65535, Duration.ZERO);
    }

    Seen lastSyn;
    Seen lastHandshakeAck;
    Seen lastSynAck;

    /**
     * The peer connects to a listener of the stack, its SYN with these options and window;
     * returns the accepted socket ({@link #lastSynAck} holds the SYN-ACK).
     */
    TcpSocket peerConnects(TcpSocketOptions options, int mss, int windowScale, int synWindow) {
        try {
            TcpServerSocket listener = stack.tcp().listen(LISTEN_PORT, 8, options);
            CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
            stackPort = LISTEN_PORT;
            send(new TcpRepr(PEER_PORT, stackPort, Control.SYN, seq, OptionalInt.empty(), synWindow, mss, windowScale,
                    false, new byte[0]));
            seq++;
            window = synWindow;
            Seen synAck = next(Duration.ZERO);
            assertThat(synAck.tcp().control()).as("SYN-ACK: %s", synAck).isEqualTo(Control.SYN);
            assertThat(synAck.ack()).isEqualTo(seq);
            lastSynAck = synAck;
            ack = synAck.seq() + 1;
            stackData = ack;
            sendAck();
            assertThat(accepted).as("accepted after the handshake").isDone();
            return accepted.join();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---- what the peer sends ----

    /** Sends {@code r} to the stack and lets the stack react (at the current instant). */
    void send(TcpRepr r) {
        PacketBuffer b = pool.acquire(r.payloadLength());
        r.emit(b, peerIp, stackIp);
        byte[] segment = b.toByteArray();
        b.release();
        raw.sendIp(stack, Craft.ipv4(peerIp, stackIp, 6, 64, nextIpId++, 0x4000, new byte[0], segment));
        loop.runUntilIdle();
        drain();
    }

    /**
     * Sends a segment with any options (SACK blocks, timestamps...), which {@link TcpRepr} cannot
     * carry: {@code flags} as on the wire, the ACK number {@link #ack}, the window {@link #window}.
     */
    void sendWithOptions(int sequence, int flags, TcpHeader.Options options, byte[] payload) {
        PacketBuffer b = pool.acquire(payload.length);
        b.append(payload, 0, payload.length);
        TcpHeader.prepend(b, PEER_PORT, stackPort, sequence, ack, flags, window, options, peerIp, stackIp);
        byte[] segment = b.toByteArray();
        b.release();
        raw.sendIp(stack, Craft.ipv4(peerIp, stackIp, 6, 64, nextIpId++, 0x4000, new byte[0], segment));
        loop.runUntilIdle();
        drain();
    }

    /** A bare ACK of {@link #ack} with {@link #window}, at {@link #seq}. */
    void sendAck() {
        send(segment(seq, new byte[0]));
    }

    /** A bare ACK of {@code ackNumber} with {@code win}. */
    void sendAck(int ackNumber, int win) {
        ack = ackNumber;
        window = win;
        sendAck();
    }

    /** Data at {@link #seq} (which moves past it), acknowledging {@link #ack}. */
    void sendData(byte[] payload) {
        send(segment(seq, payload));
        seq += payload.length;
    }

    /** Data at an explicit sequence number (out of order, retransmitted...); {@link #seq} does not move. */
    void sendDataAt(int sequence, byte[] payload) {
        send(segment(sequence, payload));
    }

    TcpRepr segment(int sequence, byte[] payload) {
        return new TcpRepr(PEER_PORT, stackPort, payload.length > 0 ? Control.PSH : Control.NONE, sequence,
                OptionalInt.of(ack), window, payload);
    }

    // ---- what the stack sends ----

    /**
     * Collects what the stack has sent, stamped now. ARP requests for the peer's address are
     * answered at once (the stack's neighbour entry expires during long tests), and the stack
     * is let run again at the same instant so that what waited for the answer leaves now.
     */
    private void drain() {
        boolean answeredArp = false;
        for (byte[] f : raw.received()) {
            int type = ((f[12] & 0xFF) << 8) | (f[13] & 0xFF);
            if (type == 0x0806) {
                answeredArp |= answerArp(Arrays.copyOfRange(f, 14, f.length));
                continue;
            }
            if (type != 0x0800) {
                continue;
            }
            byte[] p = Arrays.copyOfRange(f, 14, f.length);
            if ((p[9] & 0xFF) != 6) {
                continue;
            }
            int ihl = (p[0] & 0x0F) * 4;
            int id = ((p[4] & 0xFF) << 8) | (p[5] & 0xFF);
            int total = ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
            byte[] tcp = Arrays.copyOfRange(p, ihl, total);
            PacketBuffer b = PacketBuffer.copyOf(tcp, 0);
            TcpRepr.Result r = TcpRepr.parse(b, stackIp, peerIp);
            if (!(r instanceof TcpRepr.Parsed parsed)) {
                throw new AssertionError("the stack sent a segment that does not parse: " + r);
            }
            Seen s = new Seen(loop.now(), id, total, parsed.repr(), tcp);
            inbox.add(s);
            log.add(s);
        }
        if (answeredArp) {
            loop.runUntilIdle();
            drain();
        }
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

    /** ARP requests the peer answered. */
    int arpAnswered;

    /** Moves time forward by {@code d}, returning every segment sent meanwhile (and now), stamped exactly. */
    List<Seen> advance(Duration d) {
        loop.runUntil(() -> {
            drain();
            return false;
        }, d);
        drain();
        return take();
    }

    /** Moves time to {@code atNanos} (absolute), returning what was sent meanwhile. */
    List<Seen> advanceTo(long atNanos) {
        return advance(Duration.ofNanos(Math.max(0, atNanos - loop.now())));
    }

    /** Runs the loop at the current instant and returns what the stack sent. */
    List<Seen> now() {
        loop.runUntilIdle();
        drain();
        return take();
    }

    /** The next segment the stack sends within {@code limit} (time moves to when it is sent). */
    Seen next(Duration limit) {
        loop.runUntil(() -> {
            drain();
            return !inbox.isEmpty();
        }, limit);
        drain();
        if (inbox.isEmpty()) {
            fail("the stack sent nothing within " + limit + " (t=" + loop.now() / 1_000_000.0 + "ms)");
        }
        return inbox.poll();
    }

    /** What was sent and not yet taken. */
    List<Seen> take() {
        List<Seen> out = new ArrayList<>(inbox);
        inbox.clear();
        return out;
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    static long ms(long millis) {
        return millis * 1_000_000L;
    }

    @Override
    public void close() {
        stack.close();
        raw.close();
    }
}
