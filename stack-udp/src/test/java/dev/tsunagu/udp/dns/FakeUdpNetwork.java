package dev.tsunagu.udp.dns;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpService;
import dev.tsunagu.socket.UdpSocket;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An in-memory UDP network on one event loop: each host gets a {@link UdpService} whose sockets
 * deliver to each other through {@link EventLoop#execute} (so delivery is asynchronous, as on a
 * wire, but takes no virtual time). Lets the resolver be tested without the IP and UDP layers.
 * A {@link #filter} sees every datagram and may drop it; counters tell how many sockets were
 * opened and are still open.
 */
final class FakeUdpNetwork {
    private final EventLoop loop;
    private final Map<InetSocketAddress, FakeSocket> bound = new HashMap<>();
    private final List<Datagram> sent = new ArrayList<>();
    private Predicate<Datagram> filter = d -> true;
    private int nextPort = 49152;
    private int opened;
    private int open;
    private int undeliverable;

    FakeUdpNetwork(EventLoop loop) {
        this.loop = loop;
    }

    /** The UDP of a host with address {@code address}. */
    UdpService host(InetAddress address) {
        return () -> new FakeSocket(address);
    }

    /** Datagrams for which {@code keep} is false are dropped on the wire. */
    void filter(Predicate<Datagram> keep) {
        this.filter = keep;
    }

    /** Every datagram sent, in order. */
    List<Datagram> sent() {
        return sent;
    }

    /** Injects a datagram as if {@code from} had sent it. */
    void inject(InetSocketAddress from, InetSocketAddress to, byte[] data) {
        carry(new Datagram(from, to, data.clone()));
    }

    int socketsOpened() {
        return opened;
    }

    int socketsOpen() {
        return open;
    }

    int undeliverable() {
        return undeliverable;
    }

    private void carry(Datagram d) {
        sent.add(d);
        if (!filter.test(d)) {
            return;
        }
        loop.execute(() -> {
            FakeSocket target = bound.get(d.destination());
            if (target == null) {
                undeliverable++;
                return;
            }
            target.deliver(d);
        });
    }

    final class FakeSocket implements UdpSocket {
        private final InetAddress host;
        private InetSocketAddress local;
        private InetSocketAddress remote;
        private Consumer<Datagram> handler;
        private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
        private boolean closed;

        FakeSocket(InetAddress host) {
            this.host = host;
            opened++;
            open++;
        }

        @Override
        public int descriptor() {
            return -1;
        }

        @Override
        public UdpSocket bind(int port) throws IOException {
            return bind(new InetSocketAddress(host, port));
        }

        @Override
        public UdpSocket bind(InetSocketAddress address) throws IOException {
            checkOpen();
            if (local != null) {
                throw new SocketException("already bound to " + local);
            }
            int port = address.getPort();
            if (port == 0) {
                do {
                    port = nextPort++;
                } while (bound.containsKey(new InetSocketAddress(host, port)));
            }
            InetSocketAddress a = new InetSocketAddress(host, port);
            if (bound.containsKey(a)) {
                throw new BindException("address in use: " + a);
            }
            bound.put(a, this);
            local = a;
            return this;
        }

        @Override
        public UdpSocket connect(InetSocketAddress r) throws IOException {
            checkOpen();
            if (local == null) {
                bind(0);
            }
            remote = r;
            return this;
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public void send(byte[] data, int offset, int length, InetSocketAddress to) throws IOException {
            checkOpen();
            if (local == null) {
                bind(0);
            }
            carry(new Datagram(local, to, Arrays.copyOfRange(data, offset, offset + length)));
        }

        @Override
        public void send(byte[] data, int offset, int length) throws IOException {
            if (remote == null) {
                throw new SocketException("not connected");
            }
            send(data, offset, length, remote);
        }

        void deliver(Datagram d) {
            if (closed || (remote != null && !remote.equals(d.source()))) {
                undeliverable++;
                return;
            }
            if (handler != null) {
                handler.accept(d);
            } else {
                queue.add(d);
            }
        }

        @Override
        public Datagram receive() {
            throw new UnsupportedOperationException("the fake network has no blocking receive");
        }

        @Override
        public Datagram receive(Duration timeout) {
            throw new UnsupportedOperationException("the fake network has no blocking receive");
        }

        @Override
        public Datagram poll() throws IOException {
            checkOpen();
            return queue.poll();
        }

        @Override
        public void onReceive(Consumer<Datagram> h) {
            handler = h;
            while (h != null && !queue.isEmpty()) {
                h.accept(queue.poll());
            }
        }

        @Override
        public long droppedDatagrams() {
            return 0;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                open--;
                if (local != null) {
                    bound.remove(local);
                }
            }
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        private void checkOpen() throws SocketException {
            if (closed) {
                throw new SocketException("socket closed");
            }
        }
    }
}
