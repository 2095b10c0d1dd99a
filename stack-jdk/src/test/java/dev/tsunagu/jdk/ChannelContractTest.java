package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code SocketChannel}, {@code ServerSocketChannel} and {@code Selector} as the JDK documents
 * them, written once and run twice: against the platform's provider on 127.0.0.1
 * ({@link PlatformChannelContractTest}, the proof that the suite describes the JDK) and against
 * Tsunagu on the cable ({@link TsunaguChannelContractTest}). A subclass gives the providers of
 * the two sides (one provider for the platform, one per stack for Tsunagu: a selector selects
 * only its own provider's channels) and the addresses. Every wait is bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ChannelContractTest {
    /** The provider of the listening side. */
    protected abstract SelectorProvider serverProvider();

    /** The provider of the connecting side. */
    protected abstract SelectorProvider clientProvider();

    /** What the server binds to: the wildcard or the address clients connect to, port 0. */
    protected abstract InetSocketAddress bindAddress();

    /** The address clients connect to. */
    protected abstract InetAddress serverAddress();

    /** The connecting side's own address (what a client binds to). */
    protected abstract InetAddress clientAddress();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ServerSocketChannel server;

    @BeforeEach
    void listen() throws IOException {
        server = closing(serverProvider().openServerSocketChannel());
        server.bind(bindAddress());
    }

    @AfterEach
    void closeAll() {
        for (AutoCloseable c : toClose.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private InetSocketAddress serverEndpoint() throws IOException {
        return new InetSocketAddress(serverAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort());
    }

    /** A blocking client connected to the server, and the server's side of it (blocking too). */
    private SocketChannel[] connectedPair() throws IOException {
        SocketChannel client = closing(clientProvider().openSocketChannel());
        assertThat(client.connect(serverEndpoint())).isTrue();
        SocketChannel accepted = closing(server.accept());
        return new SocketChannel[] {client, accepted};
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String readExactly(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                break;
            }
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    /** Selects until {@code key} is selected with {@code op} ready (bounded by the test's timeout). */
    private static void selectUntil(Selector selector, SelectionKey key, int op) throws IOException {
        while (true) {
            selector.select(10_000);
            if (selector.selectedKeys().remove(key) && (key.readyOps() & op) != 0) {
                return;
            }
        }
    }

    // ---- blocking mode ----

    @Test
    void blockingConnectAcceptAndBytesBothWaysWithHeapAndDirectBuffers() throws IOException {
        SocketChannel[] pair = connectedPair();
        SocketChannel client = pair[0];
        SocketChannel accepted = pair[1];
        assertThat(client.isConnected()).isTrue();
        assertThat(client.isConnectionPending()).isFalse();
        assertThat(client.getRemoteAddress()).isEqualTo(serverEndpoint());
        assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalAddress());
        assertThat(client.write(ascii("hello"))).isEqualTo(5);
        assertThat(readExactly(accepted, 5)).isEqualTo("hello");
        ByteBuffer direct = ByteBuffer.allocateDirect(6).put("world!".getBytes(StandardCharsets.US_ASCII)).flip();
        accepted.write(direct);
        ByteBuffer into = ByteBuffer.allocateDirect(6);
        while (into.hasRemaining()) {
            client.read(into);
        }
        byte[] got = new byte[6];
        into.flip().get(got);
        assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("world!");
    }

    @Test
    void scatteringReadsAndGatheringWritesKeepTheOrder() throws IOException {
        SocketChannel[] pair = connectedPair();
        long n = pair[0].write(new ByteBuffer[] {ascii("ab"), ByteBuffer.allocateDirect(0), ascii("cde"), ascii("f")});
        assertThat(n).isEqualTo(6);
        ByteBuffer[] into = {ByteBuffer.allocate(1), ByteBuffer.allocateDirect(2), ByteBuffer.allocate(3)};
        long read = 0;
        while (read < 6) {
            read += pair[1].read(into);
        }
        assertThat(new String(into[0].array(), StandardCharsets.US_ASCII)).isEqualTo("a");
        byte[] two = new byte[2];
        into[1].flip().get(two);
        assertThat(new String(two, StandardCharsets.US_ASCII)).isEqualTo("bc");
        assertThat(new String(into[2].array(), StandardCharsets.US_ASCII)).isEqualTo("def");
    }

    @Test
    void shutdownOutputEndsThePeersStreamAndLaterWritesFail() throws IOException {
        SocketChannel[] pair = connectedPair();
        pair[0].write(ascii("last"));
        pair[0].shutdownOutput();
        assertThat(readExactly(pair[1], 4)).isEqualTo("last");
        assertThat(pair[1].read(ByteBuffer.allocate(1))).isEqualTo(-1);
        assertThatThrownBy(() -> pair[0].write(ascii("x"))).isInstanceOf(ClosedChannelException.class);
        assertThat(pair[0].socket().isOutputShutdown()).isTrue();
        // The other direction still works.
        pair[1].write(ascii("back"));
        assertThat(readExactly(pair[0], 4)).isEqualTo("back");
    }

    @Test
    void everyByteWrittenBeforeCloseArrivesThenTheEndOfTheStream() throws IOException {
        SocketChannel[] pair = connectedPair();
        byte[] sent = stream(7, 400_017); // less than both ends buffer: the writer need not wait for the reader
        pair[0].write(ByteBuffer.wrap(sent));
        pair[0].close();
        ByteBuffer got = ByteBuffer.allocate(sent.length);
        while (got.hasRemaining() && pair[1].read(got) >= 0) {
            // keep reading
        }
        assertThat(got.array()).isEqualTo(sent);
        assertThat(pair[1].read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }

    @Test
    void shutdownInputMakesReadsReturnEndOfStream() throws IOException {
        SocketChannel[] pair = connectedPair();
        pair[0].shutdownInput();
        assertThat(pair[0].read(ByteBuffer.allocate(4))).isEqualTo(-1);
        assertThat(pair[0].socket().isInputShutdown()).isTrue();
    }

    @Test
    void connectingToAClosedPortIsRefusedAndClosesTheChannel() throws IOException {
        InetSocketAddress gone;
        try (ServerSocketChannel s = serverProvider().openServerSocketChannel()) {
            s.bind(bindAddress());
            gone = new InetSocketAddress(serverAddress(), ((InetSocketAddress) s.getLocalAddress()).getPort());
        }
        SocketChannel blocking = closing(clientProvider().openSocketChannel());
        assertThatThrownBy(() -> blocking.connect(gone)).isInstanceOf(ConnectException.class);
        assertThat(blocking.isOpen()).isFalse();

        SocketChannel nonBlocking = closing(clientProvider().openSocketChannel());
        nonBlocking.configureBlocking(false);
        Selector selector = closing(clientProvider().openSelector());
        if (!nonBlocking.connect(gone)) {
            SelectionKey key = nonBlocking.register(selector, SelectionKey.OP_CONNECT);
            selectUntil(selector, key, SelectionKey.OP_CONNECT);
        }
        assertThatThrownBy(nonBlocking::finishConnect).isInstanceOf(ConnectException.class);
        assertThat(nonBlocking.isOpen()).isFalse();
    }

    @Test
    void aResetIsReportedToTheReader() throws IOException {
        SocketChannel[] pair = connectedPair();
        pair[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        pair[1].close();
        assertThatThrownBy(() -> {
            ByteBuffer b = ByteBuffer.allocate(16);
            while (pair[0].read(b) >= 0) {
                b.clear();
            }
        }).isInstanceOf(SocketException.class).hasMessage("Connection reset");
    }

    @Test
    void closeWakesABlockedReadWithAsynchronousCloseException() throws Exception {
        SocketChannel[] pair = connectedPair();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                pair[0].read(ByteBuffer.allocate(8));
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        awaitBlocked(reader);
        pair[0].close();
        assertThat(failure.get(30, TimeUnit.SECONDS)).isInstanceOf(AsynchronousCloseException.class)
                .isNotInstanceOf(ClosedByInterruptException.class);
    }

    @Test
    void anInterruptClosesTheChannelWithClosedByInterruptException() throws Exception {
        SocketChannel[] pair = connectedPair();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                pair[0].read(ByteBuffer.allocate(8));
                failure.complete(null);
            } catch (Throwable t) {
                stillInterrupted.set(Thread.currentThread().isInterrupted());
                failure.complete(t);
            }
        });
        awaitBlocked(reader);
        reader.interrupt();
        assertThat(failure.get(30, TimeUnit.SECONDS)).isInstanceOf(ClosedByInterruptException.class);
        assertThat(stillInterrupted.get()).isTrue();
        assertThat(pair[0].isOpen()).isFalse();
    }

    @Test
    void closeWakesABlockedAccept() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                server.accept();
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        awaitBlocked(acceptor);
        server.close();
        assertThat(failure.get(30, TimeUnit.SECONDS)).isInstanceOf(AsynchronousCloseException.class);
    }

    /** Until {@code t} waits (bounded): a real thread must reach its wait; no virtual clock here. Both channel suites use it. */
    static void awaitBlocked(Thread t) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }

    // ---- states and their exceptions ----

    @Test
    void everyStateHasTheDocumentedException() throws IOException {
        SocketChannel fresh = closing(clientProvider().openSocketChannel());
        assertThat(fresh.isConnected()).isFalse();
        assertThat(fresh.getRemoteAddress()).isNull();
        assertThatThrownBy(() -> fresh.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(() -> fresh.write(ascii("x"))).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(fresh::finishConnect).isInstanceOf(NoConnectionPendingException.class);
        assertThatThrownBy(fresh::shutdownOutput).isInstanceOf(NotYetConnectedException.class);

        SocketChannel pending = closing(clientProvider().openSocketChannel());
        pending.configureBlocking(false);
        if (!pending.connect(serverEndpoint())) {
            assertThat(pending.isConnectionPending()).isTrue();
            assertThatThrownBy(() -> pending.connect(serverEndpoint())).isInstanceOf(ConnectionPendingException.class);
        }
        SocketChannel[] pair = connectedPair();
        assertThatThrownBy(() -> pair[0].connect(serverEndpoint())).isInstanceOf(AlreadyConnectedException.class);
        pair[0].close();
        assertThat(pair[0].isOpen()).isFalse();
        assertThat(pair[0].socket().isClosed()).isTrue();
        assertThatThrownBy(() -> pair[0].read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> pair[0].write(ascii("x"))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> pair[0].getOption(StandardSocketOptions.TCP_NODELAY)).isInstanceOf(ClosedChannelException.class);
        pair[0].close(); // closing twice is allowed

        ServerSocketChannel unbound = closing(serverProvider().openServerSocketChannel());
        assertThat(unbound.getLocalAddress()).isNull();
        assertThatThrownBy(unbound::accept).isInstanceOf(NotYetBoundException.class);
    }

    @Test
    void bindingAPortInUseFails() throws IOException {
        ServerSocketChannel second = closing(serverProvider().openServerSocketChannel());
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        assertThatThrownBy(() -> second.bind(new InetSocketAddress(bindAddress().getAddress(), port)))
                .isInstanceOf(BindException.class);
    }

    // ---- a client bound before it connects ----

    /** A port of the connecting side that nothing holds now: one a listener there just had. */
    private int freeClientPort() throws IOException {
        try (ServerSocketChannel probe = clientProvider().openServerSocketChannel()) {
            probe.bind(new InetSocketAddress(clientAddress(), 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    @Test
    void aClientBoundToAChosenPortConnectsFromIt() throws IOException {
        InetSocketAddress local = new InetSocketAddress(clientAddress(), freeClientPort());
        SocketChannel client = closing(clientProvider().openSocketChannel());
        client.bind(local);
        assertThat(client.connect(serverEndpoint())).isTrue();
        SocketChannel accepted = closing(server.accept());
        assertThat(client.getLocalAddress()).isEqualTo(local);
        assertThat(accepted.getRemoteAddress()).isEqualTo(local);
        client.write(ascii("from my port"));
        assertThat(readExactly(accepted, 12)).isEqualTo("from my port");
    }

    @Test
    void aClientBoundToPortZeroConnectsFromAnEphemeralPort() throws IOException {
        SocketChannel client = closing(clientProvider().openSocketChannel());
        client.bind(new InetSocketAddress(clientAddress(), 0));
        assertThat(client.connect(serverEndpoint())).isTrue();
        SocketChannel accepted = closing(server.accept());
        assertThat(((InetSocketAddress) client.getLocalAddress()).getPort()).isPositive();
        assertThat(accepted.getRemoteAddress()).isEqualTo(client.getLocalAddress());
    }

    /**
     * A listener's port, or the port of a connection to the same peer, is the kernel's EADDRINUSE:
     * a {@code BindException}. The kernel reports it at {@code bind}; Tsunagu takes the port when
     * the channel connects and reports it there (the package documentation says so).
     */
    @Test
    void aClientCannotTakeAListenersPortOrAFourTupleInUse() throws IOException {
        ServerSocketChannel listener = closing(clientProvider().openServerSocketChannel());
        listener.bind(new InetSocketAddress(clientAddress(), 0));
        SocketChannel onListener = closing(clientProvider().openSocketChannel());
        assertThatThrownBy(() -> {
            onListener.bind(listener.getLocalAddress());
            onListener.connect(serverEndpoint());
        }).isInstanceOf(BindException.class);

        SocketChannel first = closing(clientProvider().openSocketChannel());
        first.bind(new InetSocketAddress(clientAddress(), freeClientPort()));
        first.connect(serverEndpoint());
        closing(server.accept());
        SocketChannel second = closing(clientProvider().openSocketChannel());
        assertThatThrownBy(() -> {
            second.bind(first.getLocalAddress());
            second.connect(serverEndpoint());
        }).isInstanceOf(BindException.class);
    }

    @Test
    void optionsRoundTripAndBadValuesAreRefused() throws IOException {
        SocketChannel[] pair = connectedPair();
        SocketChannel c = pair[0];
        assertThat(c.supportedOptions()).contains(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF,
                StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
                StandardSocketOptions.SO_LINGER);
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertThat(c.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
        assertThat(c.socket().getTcpNoDelay()).isTrue();
        c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertThat(c.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
        c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        assertThat(c.getOption(StandardSocketOptions.SO_REUSEADDR)).isTrue();
        assertThat(c.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(-1);
        c.setOption(StandardSocketOptions.SO_LINGER, 5);
        assertThat(c.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(5);
        assertThat(c.socket().getSoLinger()).isEqualTo(5);
        c.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        c.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        assertThat(c.getOption(StandardSocketOptions.SO_RCVBUF)).isPositive();
        assertThat(c.getOption(StandardSocketOptions.SO_SNDBUF)).isPositive();
        assertThatThrownBy(() -> c.setOption(StandardSocketOptions.SO_RCVBUF, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(server.getOption(StandardSocketOptions.SO_REUSEADDR)).isTrue();
        assertThatThrownBy(() -> server.setOption(StandardSocketOptions.TCP_NODELAY, true))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theSocketAdaptorIsTheChannelsSocket() throws IOException {
        SocketChannel[] pair = connectedPair();
        Socket s = pair[0].socket();
        assertThat(s.getChannel()).isSameAs(pair[0]);
        assertThat(pair[0].socket()).isSameAs(s);
        assertThat(s.isConnected()).isTrue();
        assertThat(s.getPort()).isEqualTo(serverEndpoint().getPort());
        assertThat(s.getInetAddress()).isEqualTo(serverAddress());
        s.setTcpNoDelay(true);
        assertThat(pair[0].getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
        s.getOutputStream().write("stream".getBytes(StandardCharsets.US_ASCII));
        assertThat(readExactly(pair[1], 6)).isEqualTo("stream");
        assertThat(server.socket().getChannel()).isSameAs(server);
        assertThat(server.socket().getLocalPort()).isEqualTo(serverEndpoint().getPort());
        s.close();
        assertThat(pair[0].isOpen()).isFalse();
    }

    // ---- selectors ----

    @Test
    void nonBlockingConnectFinishesWhenTheSelectorReportsOpConnect() throws IOException {
        Selector selector = closing(clientProvider().openSelector());
        SocketChannel c = closing(clientProvider().openSocketChannel());
        c.configureBlocking(false);
        boolean now = c.connect(serverEndpoint());
        if (!now) {
            SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT, "attachment");
            selectUntil(selector, key, SelectionKey.OP_CONNECT);
            assertThat(key.isConnectable()).isTrue();
            assertThat(key.attachment()).isEqualTo("attachment");
            assertThat(c.finishConnect()).isTrue();
            key.interestOps(SelectionKey.OP_WRITE);
            selectUntil(selector, key, SelectionKey.OP_WRITE);
            assertThat(key.isWritable()).isTrue();
        }
        assertThat(c.isConnected()).isTrue();
        assertThat(c.finishConnect()).isTrue();
    }

    @Test
    void theSelectorReportsAcceptThenReadAndIsLevelTriggered() throws IOException {
        Selector selector = closing(serverProvider().openSelector());
        server.configureBlocking(false);
        assertThat(server.accept()).isNull();
        SelectionKey acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        assertThat(selector.selectNow()).isZero();
        SocketChannel client = closing(clientProvider().openSocketChannel());
        client.connect(serverEndpoint());
        selectUntil(selector, acceptKey, SelectionKey.OP_ACCEPT);
        SocketChannel accepted = closing(server.accept());
        assertThat(accepted).isNotNull();
        assertThat(accepted.isBlocking()).isTrue();
        accepted.configureBlocking(false);
        SelectionKey readKey = accepted.register(selector, SelectionKey.OP_READ);
        assertThat(accepted.read(ByteBuffer.allocate(4))).isZero();
        client.write(ascii("ping"));
        selectUntil(selector, readKey, SelectionKey.OP_READ);
        ByteBuffer two = ByteBuffer.allocate(2);
        assertThat(accepted.read(two)).isEqualTo(2);
        // Bytes left unread: the next selection reports the channel again (level-triggered).
        assertThat(selector.select(10_000)).isEqualTo(1);
        assertThat(selector.selectedKeys()).containsExactly(readKey);
        assertThat(readKey.readyOps() & SelectionKey.OP_READ).isNotZero();
        assertThatThrownBy(() -> selector.selectedKeys().add(acceptKey)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theEndOfTheStreamIsReadable() throws IOException {
        Selector selector = closing(serverProvider().openSelector());
        SocketChannel[] pair = connectedPair();
        pair[1].configureBlocking(false);
        SelectionKey key = pair[1].register(selector, SelectionKey.OP_READ);
        pair[0].shutdownOutput();
        selectUntil(selector, key, SelectionKey.OP_READ);
        assertThat(pair[1].read(ByteBuffer.allocate(4))).isEqualTo(-1);
    }

    @Test
    void selectNowAndATimedSelectReturnZeroWhenNothingIsReady() throws IOException {
        Selector selector = closing(serverProvider().openSelector());
        SocketChannel[] pair = connectedPair();
        pair[1].configureBlocking(false);
        pair[1].register(selector, SelectionKey.OP_READ);
        assertThat(selector.selectNow()).isZero();
        long start = System.nanoTime();
        assertThat(selector.select(200)).isZero();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
        assertThat(selector.selectedKeys()).isEmpty();
        assertThatThrownBy(() -> selector.select(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWakeupBeforeASelectMakesItReturnAtOnceAndSelectNowClearsIt() throws IOException {
        Selector selector = closing(serverProvider().openSelector());
        selector.wakeup();
        long start = System.nanoTime();
        assertThat(selector.select()).isZero();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        selector.wakeup();
        selector.selectNow();
        start = System.nanoTime();
        selector.select(200);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
    }

    @Test
    void aWakeupFromAnotherThreadEndsABlockedSelect() throws Exception {
        Selector selector = closing(serverProvider().openSelector());
        CompletableFuture<Integer> selected = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                selected.complete(selector.select());
            } catch (IOException e) {
                selected.completeExceptionally(e);
            }
        });
        awaitBlocked(t);
        // in select and blocked there: a wakeup that came before select would end it too, and prove less
        assertThat(t.getState()).isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
        selector.wakeup();
        assertThat(selected.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void anInterruptEndsASelectAndKeepsTheInterruptStatus() throws Exception {
        Selector selector = closing(serverProvider().openSelector());
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                selector.select();
                interrupted.complete(Thread.currentThread().isInterrupted());
            } catch (IOException e) {
                interrupted.completeExceptionally(e);
            }
        });
        awaitBlocked(t);
        t.interrupt();
        assertThat(interrupted.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(selector.isOpen()).isTrue();
    }

    @Test
    void registrationRules() throws IOException {
        Selector selector = closing(clientProvider().openSelector());
        SocketChannel c = closing(clientProvider().openSocketChannel());
        assertThatThrownBy(() -> c.register(selector, SelectionKey.OP_READ)).isInstanceOf(IllegalBlockingModeException.class);
        c.configureBlocking(false);
        assertThatThrownBy(() -> c.register(selector, SelectionKey.OP_ACCEPT)).isInstanceOf(IllegalArgumentException.class);
        SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
        assertThat(c.register(selector, SelectionKey.OP_READ)).isSameAs(key);
        assertThat(key.interestOps()).isEqualTo(SelectionKey.OP_READ);
        assertThat(c.keyFor(selector)).isSameAs(key);
        assertThatThrownBy(() -> c.configureBlocking(true)).isInstanceOf(IllegalBlockingModeException.class);
        assertThat(selector.keys()).containsExactly(key);
        key.cancel();
        assertThat(key.isValid()).isFalse();
        assertThatThrownBy(key::interestOps).isInstanceOf(CancelledKeyException.class);
        selector.selectNow();
        assertThat(selector.keys()).isEmpty();
        assertThat(c.isRegistered()).isFalse();
        c.configureBlocking(true); // allowed once deregistered
    }

    @Test
    void closingAChannelCancelsItsKey() throws IOException {
        Selector selector = closing(clientProvider().openSelector());
        SocketChannel c = clientProvider().openSocketChannel();
        c.configureBlocking(false);
        SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
        c.close();
        assertThat(key.isValid()).isFalse();
        selector.selectNow();
        assertThat(selector.keys()).isEmpty();
    }

    @Test
    void aClosedSelectorRefusesEverything() throws IOException {
        Selector selector = clientProvider().openSelector();
        SocketChannel c = closing(clientProvider().openSocketChannel());
        c.configureBlocking(false);
        SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
        selector.close();
        assertThat(selector.isOpen()).isFalse();
        assertThat(key.isValid()).isFalse();
        assertThatThrownBy(selector::selectNow).isInstanceOf(ClosedSelectorException.class);
        assertThatThrownBy(() -> selector.select(10)).isInstanceOf(ClosedSelectorException.class);
        assertThatThrownBy(selector::keys).isInstanceOf(ClosedSelectorException.class);
        assertThatThrownBy(() -> c.register(selector, SelectionKey.OP_CONNECT)).isInstanceOf(ClosedSelectorException.class);
        selector.close(); // closing twice is allowed
        selector.wakeup(); // and so is a wakeup
    }

    /**
     * 4 MB each way between two non-blocking channels driven by one selector per side, with
     * small reads on one side so that the sender meets a full buffer: every byte arrives, in
     * order, and OP_WRITE comes back when there is room.
     */
    @Test
    void bulkBothWaysThroughSelectorsLosesNothing() throws Exception {
        SocketChannel[] pair = connectedPair();
        int size = 4 * 1024 * 1024;
        CompletableFuture<byte[]> a = CompletableFuture.supplyAsync(() -> pump(clientProvider(), pair[0], 1, size, 64 * 1024),
                Thread::startVirtualThread);
        CompletableFuture<byte[]> b = CompletableFuture.supplyAsync(() -> pump(serverProvider(), pair[1], 2, size, 1_000),
                Thread::startVirtualThread);
        byte[] atA = a.get(50, TimeUnit.SECONDS);
        byte[] atB = b.get(50, TimeUnit.SECONDS);
        assertThat(atB).isEqualTo(stream(1, size));
        assertThat(atA).isEqualTo(stream(2, size));
    }

    private static byte[] stream(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Sends the stream of {@code seed} and receives {@code size} bytes, non-blocking, with its own selector. */
    private static byte[] pump(SelectorProvider provider, SocketChannel ch, long seed, int size, int readChunk) {
        try (Selector selector = provider.openSelector()) {
            ch.configureBlocking(false);
            ByteBuffer out = ByteBuffer.wrap(stream(seed, size));
            ByteBuffer in = ByteBuffer.allocate(size);
            ByteBuffer chunk = ByteBuffer.allocateDirect(readChunk);
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            while (in.hasRemaining() || out.hasRemaining()) {
                selector.select(10_000);
                selector.selectedKeys().clear();
                if (key.isWritable() && out.hasRemaining()) {
                    ByteBuffer slice = out.slice(out.position(), Math.min(out.remaining(), 100_000));
                    out.position(out.position() + ch.write(slice));
                    if (!out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (key.isReadable()) {
                    chunk.clear();
                    int n = ch.read(chunk);
                    if (n < 0) {
                        break;
                    }
                    in.put(chunk.flip());
                }
            }
            return in.array();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
