package dev.tsunagu.packetdrill;

import dev.tsunagu.loop.Timer;
import dev.tsunagu.packetdrill.LinuxProfile.Unsupported;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The system calls of a script, as Linux answers them, over the stack's socket API on the
 * virtual loop: descriptors from 3 up (lowest free first), errno values, non-blocking sockets
 * ({@code EAGAIN}, {@code EINPROGRESS}) and blocking calls that return later (a pending
 * {@link CompletableFuture}). The blocking {@code SocketLibrary} cannot serve here: a blocking
 * call on a virtual loop's own thread runs the simulation until it returns, and the script must
 * inject the packets it waits for. So calls go through the asynchronous forms of the same API.
 */
final class Sockets {
    /** What a call returned: a value, or -1 and an errno. */
    record Result(long value, String errno) {
        static Result of(long v) {
            return new Result(v, null);
        }

        static Result error(String errno) {
            return new Result(-1, errno);
        }

        @Override
        public String toString() {
            return errno == null ? Long.toString(value) : value + " " + errno;
        }
    }

    /** A call either returned now or will return when {@code pending} completes. */
    record Outcome(Result now, CompletableFuture<Result> pending) {}

    /** What a descriptor names. */
    private static final class Sock {
        TcpSocketOptions options;
        int port = -1;
        boolean nonblocking;
        boolean lingerAbort;
        boolean shutRead;
        boolean shutWrite;
        int sndbuf;
        int rcvbuf;
        TcpServerSocket server;
        CompletableFuture<TcpSocket> parkedAccept;
        TcpSocket conn;
        CompletableFuture<TcpSocket> connecting;
        String pendingError;
        /** Set when the descriptor is an epoll instance rather than a socket. */
        Epoll epoll;
    }

    static final int LISTEN_PORT = 8080;
    private static final int O_RDWR = 2, O_NONBLOCK = 0x800;

    private final NetworkStack stack;
    private final LinuxProfile profile;
    private final InetAddress remote;
    private final Map<Integer, Sock> fds = new TreeMap<>();
    private final Consumer<Runnable> settle;
    private int wantFd = -1;
    /** Calls waiting for a condition the runner checks ({@link #checkWaiting}); each says whether it is done. */
    private final List<BooleanSupplier> waiting = new ArrayList<>();

    /** {@code settle} lets the stack react at this instant (runs the loop until idle). */
    Sockets(NetworkStack stack, LinuxProfile profile, InetAddress remote, Consumer<Runnable> settle) {
        this.stack = stack;
        this.profile = profile;
        this.remote = remote;
        this.settle = settle;
    }

    /**
     * Makes the call. {@code wantFd} is the descriptor the script expects from socket() or
     * accept(): packetdrill maps the script's descriptors to live ones, so the new socket takes
     * that number when it is free (else the lowest free one, as Linux).
     */
    Outcome call(String name, List<Expr> a, int wantFd) throws Unsupported {
        this.wantFd = wantFd;
        return switch (name) {
            case "socket" -> now(socket(a));
            case "bind" -> now(bind(a));
            case "listen" -> now(listen(a));
            case "accept", "accept4" -> accept(a);
            case "connect" -> connect(a);
            case "write" -> write(a, 2, null);
            case "send" -> write(a, 2, a.size() > 3 ? a.get(3) : null);
            case "sendto" -> write(a, 2, a.size() > 3 ? a.get(3) : null);
            case "sendmsg" -> write(a, -1, a.size() > 2 ? a.get(2) : null);
            case "writev" -> write(a, -2, null);
            case "read" -> read(a, null);
            case "recv", "recvfrom" -> read(a, a.size() > 3 ? a.get(3) : null);
            case "close" -> now(close(a));
            case "shutdown" -> now(shutdown(a));
            case "setsockopt" -> now(setsockopt(a));
            case "getsockopt" -> now(getsockopt(a));
            case "fcntl" -> now(fcntl(a));
            case "poll" -> poll(a);
            case "ioctl" -> now(ioctl(a));
            case "epoll_create", "epoll_create1" -> now(epollCreate());
            case "epoll_ctl" -> now(epollCtl(a));
            case "epoll_wait" -> epollWait(a);
            default -> throw new Unsupported("system call " + name + "()");
        };
    }

    private static Outcome now(Result r) {
        return new Outcome(r, null);
    }

    private Result socket(List<Expr> a) throws Unsupported {
        String type = a.size() > 1 ? a.get(1).toString() : "";
        if (!type.contains("SOCK_STREAM")) {
            throw new Unsupported("socket type " + type);
        }
        if (a.get(0) instanceof Expr.Word w && w.name().equals("AF_INET6")) {
            throw new Unsupported("IPv6 sockets");
        }
        Sock s = new Sock();
        s.options = profile.socketDefaults();
        s.nonblocking = type.contains("SOCK_NONBLOCK");
        return Result.of(allocate(s, wantFd));
    }

    private int allocate(Sock s, int want) {
        int fd = 3;
        while (fds.containsKey(fd)) {
            fd++;
        }
        if (want >= 0 && !fds.containsKey(want)) {
            fd = want;
        }
        fds.put(fd, s);
        return fd;
    }

    private Sock sock(List<Expr> a) {
        if (a.isEmpty() || !(a.get(0) instanceof Expr.Int fd)) {
            return null;
        }
        return fds.get((int) fd.value());
    }

    private Result bind(List<Expr> a) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return Result.error("EBADF");
        }
        s.port = a.size() > 1 ? port(a.get(1), LISTEN_PORT) : LISTEN_PORT;
        return Result.of(0);
    }

    /** The port of a {@code sockaddr} argument: {@code ...} is the script's default. */
    private static int port(Expr addr, int dflt) throws Unsupported {
        if (addr instanceof Expr.Ellipsis) {
            return dflt;
        }
        if (addr instanceof Expr.Struct st) {
            for (Expr e : st.items()) {
                if (e instanceof Expr.Assign as && as.name().toString().equals("sin_port")
                        && as.value() instanceof Expr.Call c && !c.args().isEmpty() && c.args().get(0) instanceof Expr.Int p) {
                    return (int) p.value();
                }
            }
        }
        throw new Unsupported("socket address " + addr);
    }

    private Result listen(List<Expr> a) {
        Sock s = sock(a);
        if (s == null) {
            return Result.error("EBADF");
        }
        int backlog = a.size() > 1 && a.get(1) instanceof Expr.Int b ? (int) b.value() : 1;
        try {
            // Linux queues backlog + 1 established connections (the check is "more than backlog").
            s.server = stack.tcp().listen(s.port < 0 ? LISTEN_PORT : s.port, Math.max(1, backlog) + 1, s.options);
            return Result.of(0);
        } catch (IOException e) {
            return Result.error(errno(e));
        }
    }

    private Outcome accept(List<Expr> a) {
        Sock s = sock(a);
        if (s == null || s.server == null) {
            return now(Result.error(s == null ? "EBADF" : "EINVAL"));
        }
        CompletableFuture<TcpSocket> f = s.parkedAccept != null ? s.parkedAccept : s.server.acceptAsync();
        s.parkedAccept = null;
        settle.accept(null);
        int want = wantFd;
        CompletableFuture<Result> r = f.handle((conn, e) -> {
            if (e != null) {
                return Result.error(errno(e));
            }
            Sock c = new Sock();
            c.options = s.options;
            c.conn = conn;
            return Result.of(allocate(c, want));
        });
        if (r.isDone()) {
            return now(r.join());
        }
        if (s.nonblocking) {
            s.parkedAccept = f; // the next accept takes it: a waiting accept cannot be withdrawn
            return now(Result.error("EAGAIN"));
        }
        return new Outcome(null, r);
    }

    private Outcome connect(List<Expr> a) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return now(Result.error("EBADF"));
        }
        if (s.conn != null) {
            return now(Result.error("EISCONN"));
        }
        if (s.connecting != null) {
            return now(Result.error("EALREADY"));
        }
        int port = a.size() > 1 ? port(a.get(1), LISTEN_PORT) : LISTEN_PORT;
        CompletableFuture<TcpSocket> f = stack.tcp().connectAsync(new InetSocketAddress(remote, port), s.options);
        s.connecting = f;
        CompletableFuture<Result> r = f.handle((conn, e) -> {
            s.connecting = null;
            if (e != null) {
                s.pendingError = errno(e);
                return Result.error(s.pendingError);
            }
            s.conn = conn;
            return Result.of(0);
        });
        settle.accept(null);
        if (r.isDone()) {
            return now(r.join());
        }
        if (s.nonblocking) {
            return now(Result.error("EINPROGRESS"));
        }
        return new Outcome(null, r);
    }

    /**
     * write, send, sendto ({@code lengthAt} 2), sendmsg (-1: the msghdr's iovecs), writev (-2):
     * {@code len} zero bytes, the flags refused unless 0.
     */
    private Outcome write(List<Expr> a, int lengthAt, Expr flags) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return now(Result.error("EBADF"));
        }
        if (flags != null && !(flags instanceof Expr.Int f && f.value() == 0)) {
            throw new Unsupported("send flags " + flags);
        }
        requireBuffer(a);
        if (lengthAt == 2 && a.size() > 5) {
            port(a.get(4), LISTEN_PORT); // sendto's address: only "..." or the peer's
        }
        long len = switch (lengthAt) {
            case -1 -> iovTotal(a.get(1));
            case -2 -> iovTotal(a.get(1));
            default -> a.size() > lengthAt && a.get(lengthAt) instanceof Expr.Int n ? n.value() : -1;
        };
        if (len < 0) {
            throw new Unsupported("write length " + (a.size() > lengthAt && lengthAt >= 0 ? a.get(lengthAt) : "?"));
        }
        if (s.conn == null) {
            return now(Result.error(s.connecting != null ? "EAGAIN" : s.pendingError != null ? s.pendingError : "EPIPE"));
        }
        if (s.shutWrite) {
            return now(Result.error("EPIPE"));
        }
        final long n = len;
        CompletableFuture<Result> r = s.conn.writeAsync(new byte[(int) len], 0, (int) len)
                .handle((v, e) -> e != null ? Result.error(writeErrno(e)) : Result.of(n));
        settle.accept(null);
        if (r.isDone()) {
            return now(r.join());
        }
        if (s.nonblocking) {
            throw new Unsupported("a non-blocking write the send buffer cannot take whole (partial writes)");
        }
        return new Outcome(null, r);
    }

    /** A buffer argument other than {@code ...} (NULL, an address) is a pointer: Java sockets take arrays (no EFAULT). */
    private static void requireBuffer(List<Expr> a) throws Unsupported {
        if (a.size() > 1 && (a.get(1) instanceof Expr.Word || a.get(1) instanceof Expr.Int)) {
            throw new Unsupported("buffer pointer " + a.get(1) + " (the socket API takes arrays: no EFAULT)");
        }
    }

    private static long iovTotal(Expr msg) throws Unsupported {
        Expr iov = msg;
        if (msg instanceof Expr.Struct st) {
            iov = null;
            for (Expr e : st.items()) {
                if (e instanceof Expr.Assign as && as.name() instanceof Expr.Call c && c.name().equals("msg_iov")) {
                    iov = as.value();
                }
                if (e instanceof Expr.Assign as && as.name().toString().equals("msg_control")) {
                    throw new Unsupported("sendmsg control messages");
                }
            }
        }
        if (!(iov instanceof Expr.Array arr)) {
            throw new Unsupported("sendmsg without msg_iov");
        }
        long total = 0;
        for (Expr v : arr.items()) {
            if (v instanceof Expr.Struct b && b.items().size() == 2 && b.items().get(1) instanceof Expr.Int n) {
                total += n.value();
            } else {
                throw new Unsupported("iovec " + v);
            }
        }
        return total;
    }

    private Outcome read(List<Expr> a, Expr flags) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return now(Result.error("EBADF"));
        }
        if (flags != null && !(flags instanceof Expr.Int f && f.value() == 0)) {
            throw new Unsupported("recv flags " + flags);
        }
        requireBuffer(a);
        if (a.size() < 3 || !(a.get(2) instanceof Expr.Int len)) {
            throw new Unsupported("read length " + (a.size() > 2 ? a.get(2) : "?"));
        }
        if (s.conn == null) {
            return now(Result.error(s.connecting != null ? "EAGAIN" : s.pendingError != null ? s.pendingError : "ENOTCONN"));
        }
        byte[] buf = new byte[(int) Math.max(1, len.value())];
        if (s.nonblocking || s.shutRead) {
            try {
                int n = s.conn.read(buf, 0, (int) len.value(), Duration.ZERO);
                return now(Result.of(Math.max(0, n)));
            } catch (SocketTimeoutException e) {
                return now(s.shutRead ? Result.of(0) : Result.error("EAGAIN"));
            } catch (IOException e) {
                return now(Result.error(errno(e)));
            }
        }
        CompletableFuture<Result> r = s.conn.readAsync(buf, 0, (int) len.value())
                .handle((n, e) -> e != null ? Result.error(errno(e)) : Result.of(Math.max(0, n)));
        settle.accept(null);
        return r.isDone() ? now(r.join()) : new Outcome(null, r);
    }

    private Result close(List<Expr> a) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return Result.error("EBADF");
        }
        fds.values().remove(s);
        int fd = (int) ((Expr.Int) a.get(0)).value();
        fds.values().stream().filter(o -> o.epoll != null).forEach(o -> o.epoll.forget(fd));
        if (s.connecting != null) {
            s.connecting.cancel(false); // the attempt is abandoned: no segment (RFC 9293 3.10.4, CLOSE in SYN-SENT)
            settle.accept(null);
        }
        if (s.server != null) {
            s.server.close();
        }
        if (s.conn != null) {
            if (s.lingerAbort) {
                s.conn.abort();
            } else {
                s.conn.close();
            }
        }
        return Result.of(0);
    }

    private Result shutdown(List<Expr> a) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return Result.error("EBADF");
        }
        String how = a.size() > 1 ? a.get(1).toString() : "";
        if (s.conn == null) {
            return Result.error("ENOTCONN");
        }
        try {
            switch (how) {
                case "SHUT_RD", "0" -> s.shutRead = true;
                case "SHUT_WR", "1" -> {
                    s.shutWrite = true;
                    s.conn.shutdownOutput();
                }
                case "SHUT_RDWR", "2" -> {
                    s.shutRead = true;
                    s.shutWrite = true;
                    s.conn.shutdownOutput();
                }
                default -> throw new Unsupported("shutdown how " + how);
            }
        } catch (IOException e) {
            return Result.error(errno(e));
        }
        return Result.of(0);
    }

    private Result setsockopt(List<Expr> a) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return Result.error("EBADF");
        }
        String opt = a.get(2).toString();
        Expr v = a.get(3);
        if (opt.equals("SO_LINGER")) {
            String t = v.toString().replace(" ", "");
            if (t.equals("{onoff=1,linger=0}")) {
                s.lingerAbort = true;
                return Result.of(0);
            }
            throw new Unsupported("setsockopt SO_LINGER " + v);
        }
        long value = intValue(v, "setsockopt " + opt);
        switch (opt) {
            case "SO_REUSEADDR", "SO_REUSEPORT" -> {}
            case "SO_SNDBUF" -> {
                s.sndbuf = (int) Math.max(4608, 2 * value); // Linux doubles it, for its bookkeeping
                s.options = s.options.withSendBuffer(s.sndbuf);
                if (s.conn != null) {
                    s.conn.setSendBufferSize(s.sndbuf);
                    settle.accept(null);
                }
            }
            case "SO_RCVBUF" -> {
                s.rcvbuf = (int) Math.max(2304, 2 * value);
                s.options = s.options.withReceiveBuffer(s.rcvbuf);
                requireUnconnected(s, opt);
            }
            case "TCP_NODELAY" -> {
                s.options = s.options.withNoDelay(value != 0);
                if (s.conn != null) {
                    s.conn.setNoDelay(value != 0);
                    settle.accept(null);
                }
            }
            case "SO_KEEPALIVE" -> {
                s.options = s.options.withKeepAlive(value != 0);
                if (s.conn != null) {
                    s.conn.setKeepAlive(value != 0);
                }
            }
            default -> throw new Unsupported("setsockopt " + opt);
        }
        return Result.of(0);
    }

    /** A buffer size set on a live connection: the stack fixes its buffers when the connection is made. */
    private static void requireUnconnected(Sock s, String opt) throws Unsupported {
        if (s.conn != null) {
            throw new Unsupported("setsockopt " + opt + " on a connected socket");
        }
    }

    private Result getsockopt(List<Expr> a) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return Result.error("EBADF");
        }
        String opt = a.get(2).toString();
        long value = switch (opt) {
            case "SO_SNDBUF" -> s.sndbuf > 0 ? s.sndbuf : s.options.sendBuffer();
            case "SO_RCVBUF" -> s.rcvbuf > 0 ? s.rcvbuf : s.options.receiveBuffer();
            case "SO_ERROR" -> errnoNumber(s.pendingError);
            case "TCP_MAXSEG" -> {
                SocketInfo i = info(s);
                if (i == null || !i.details().containsKey("mss")) {
                    throw new Unsupported("getsockopt TCP_MAXSEG before the connection is made");
                }
                yield Long.parseLong(i.details().get("mss"));
            }
            default -> throw new Unsupported("getsockopt " + opt);
        };
        if (opt.equals("SO_ERROR")) {
            s.pendingError = null;
        }
        long expected = intValue(a.get(3), "getsockopt " + opt);
        if (expected != value) {
            return new Result(0, "value " + value + " (expected " + expected + ")");
        }
        return Result.of(0);
    }

    /**
     * ioctl(): the queue sizes the socket table shows, {@code SIOCINQ}/{@code FIONREAD} (bytes
     * received and not yet read) and {@code SIOCOUTQ}/{@code TIOCOUTQ} (bytes written and not yet
     * acknowledged), checked against the script's {@code [n]}.
     */
    private Result ioctl(List<Expr> a) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return Result.error("EBADF");
        }
        String request = a.size() > 1 ? a.get(1).toString() : "";
        SocketInfo i = info(s);
        long value = switch (request) {
            case "SIOCINQ", "FIONREAD" -> i == null ? 0 : i.receiveQueue();
            case "SIOCOUTQ", "TIOCOUTQ" -> i == null ? 0 : i.sendQueue();
            default -> throw new Unsupported("ioctl " + request);
        };
        if (s.conn == null && s.server == null) {
            return Result.error("EINVAL");
        }
        long expected = intValue(a.get(2), "ioctl " + request);
        if (expected != value) {
            return new Result(0, "value " + value + " (expected " + expected + ")");
        }
        return Result.of(0);
    }

    private Result epollCreate() {
        Sock s = new Sock();
        s.epoll = new Epoll(new Epoll.Readiness() {
            @Override
            public Set<String> events(int fd) {
                Set<String> out = new TreeSet<>();
                for (String e : revents(fds.get(fd), "POLLIN|POLLOUT").split("\\|")) {
                    if (!e.isEmpty()) {
                        out.add(e.replace("POLL", "EPOLL"));
                    }
                }
                return out;
            }

            @Override
            public long receivedUpTo(int fd) {
                Sock t = fds.get(fd);
                SocketInfo i = t == null ? null : info(t);
                return i == null ? -1 : Long.parseLong(i.details().getOrDefault("rcv_nxt", "-1"));
            }
        });
        return Result.of(allocate(s, wantFd));
    }

    /** epoll_ctl(epfd, op, fd, {events=..., fd=...}). */
    private Result epollCtl(List<Expr> a) throws Unsupported {
        Sock e = sock(a);
        if (e == null || e.epoll == null) {
            return Result.error(e == null ? "EBADF" : "EINVAL");
        }
        int fd = (int) intValue(a.get(2), "epoll_ctl fd");
        if (!fds.containsKey(fd)) {
            return Result.error("EBADF");
        }
        String events = a.size() > 3 ? field(a.get(3), "events") : null;
        String errno = e.epoll.control(a.get(1).toString(), fd, events == null ? "" : events);
        return errno == null ? Result.of(0) : Result.error(errno);
    }

    /**
     * epoll_wait(epfd, {events=..., fd=...}, maxevents, timeout): the first event checked against
     * the script's; with a timeout it waits as a {@code poll()} does.
     */
    private Outcome epollWait(List<Expr> a) throws Unsupported {
        Sock e = sock(a);
        if (e == null || e.epoll == null) {
            return now(Result.error(e == null ? "EBADF" : "EINVAL"));
        }
        int max = (int) intValue(a.get(2), "epoll_wait maxevents");
        long timeout = a.size() > 3 ? intValue(a.get(3), "epoll_wait timeout") : 0;
        List<Epoll.Event> ready = e.epoll.poll(max);
        if (!ready.isEmpty() || timeout == 0) {
            return now(epollResult(a.get(1), ready));
        }
        return waitFor(() -> {
            List<Epoll.Event> now = e.epoll.poll(max);
            return now.isEmpty() ? null : epollResult(a.get(1), now);
        }, () -> epollResult(a.get(1), List.of()), timeout);
    }

    private static Result epollResult(Expr expected, List<Epoll.Event> ready) {
        String events = field(expected, "events");
        if (!ready.isEmpty() && events != null) {
            Epoll.Event first = ready.getFirst();
            String fd = field(expected, "fd");
            if (!first.events().equals(Epoll.flags(events)) || (fd != null && !fd.equals(Integer.toString(first.fd())))) {
                return new Result(ready.size(), "events=" + String.join("|", first.events()) + " fd=" + first.fd()
                        + " (expected " + expected + ")");
            }
        }
        return Result.of(ready.size());
    }

    /** The value of {@code name=...} in a struct argument, as written, or null. */
    private static String field(Expr struct, String name) {
        if (struct instanceof Expr.Struct st) {
            for (Expr f : st.items()) {
                if (f instanceof Expr.Assign as && as.name().toString().equals(name)) {
                    return as.value().toString();
                }
            }
        }
        return null;
    }

    private Result fcntl(List<Expr> a) throws Unsupported {
        Sock s = sock(a);
        if (s == null) {
            return Result.error("EBADF");
        }
        String cmd = a.get(1).toString();
        return switch (cmd) {
            case "F_GETFL" -> Result.of(O_RDWR | (s.nonblocking ? O_NONBLOCK : 0));
            case "F_SETFL" -> {
                s.nonblocking = a.get(2).toString().contains("O_NONBLOCK");
                yield Result.of(0);
            }
            default -> throw new Unsupported("fcntl " + cmd);
        };
    }

    /** poll(): readable, writable, hung up, from the socket table; a blocking poll waits for one to change. */
    private Outcome poll(List<Expr> a) throws Unsupported {
        if (!(a.get(0) instanceof Expr.Array arr)) {
            throw new Unsupported("poll without a pollfd array");
        }
        long timeout = a.size() > 2 && a.get(2) instanceof Expr.Int t ? t.value() : 0;
        Result r = pollNow(arr);
        if (r.value() > 0 || timeout == 0) {
            return now(r);
        }
        return waitFor(() -> {
            Result now = pollChecked(arr);
            return now.value() > 0 ? now : null;
        }, () -> pollChecked(arr), timeout);
    }

    /**
     * A call that waits until {@code ready} gives a result (looked at as the timeline moves) or
     * its timeout (milliseconds; negative: none) runs out, when {@code expired} gives it.
     */
    private Outcome waitFor(Supplier<Result> ready, Supplier<Result> expired,
                            long timeoutMillis) {
        CompletableFuture<Result> f = new CompletableFuture<>();
        Timer timer = stack.loop().newTimer("packetdrill-wait", () -> f.complete(expired.get()));
        if (timeoutMillis > 0) {
            timer.scheduleAfter(timeoutMillis * 1_000_000L);
        }
        waiting.add(() -> {
            Result r = f.isDone() ? null : ready.get();
            if (r != null) {
                f.complete(r);
            }
            if (f.isDone()) {
                timer.cancel();
                return true;
            }
            return false;
        });
        return new Outcome(null, f);
    }

    /**
     * Completes the waiting calls whose descriptors are ready now (a waiting {@code poll()}: the
     * stack has no readiness callback, so the runner calls this as the timeline moves, after
     * each step of the loop).
     */
    void checkWaiting() {
        waiting.removeIf(BooleanSupplier::getAsBoolean);
    }

    /** {@link #pollNow} of an array that was already read once (so it cannot be unsupported). */
    private Result pollChecked(Expr.Array arr) {
        try {
            return pollNow(arr);
        } catch (Unsupported e) {
            throw new IllegalStateException(e);
        }
    }

    private Result pollNow(Expr.Array arr) throws Unsupported {
        int ready = 0;
        StringBuilder mismatch = new StringBuilder();
        for (Expr e : arr.items()) {
            if (!(e instanceof Expr.Struct st)) {
                throw new Unsupported("pollfd " + e);
            }
            int fd = -1;
            String events = "";
            String revents = null;
            for (Expr f : st.items()) {
                if (f instanceof Expr.Assign as) {
                    switch (as.name().toString()) {
                        case "fd" -> fd = (int) intValue(as.value(), "pollfd fd");
                        case "events" -> events = as.value().toString();
                        case "revents" -> revents = as.value().toString();
                        default -> throw new Unsupported("pollfd field " + as.name());
                    }
                }
            }
            String got = revents(fds.get(fd), events);
            if (!got.isEmpty()) {
                ready++;
            }
            if (revents != null && !sameFlags(revents, got)) {
                mismatch.append("fd ").append(fd).append(" revents=").append(got.isEmpty() ? "0" : got)
                        .append(" (expected ").append(revents).append(") ");
            }
        }
        return mismatch.isEmpty() ? Result.of(ready) : new Result(ready, mismatch.toString().strip());
    }

    private static boolean sameFlags(String a, String b) {
        return new java.util.TreeSet<>(List.of(a.replace("0", "").split("\\|")))
                .equals(new java.util.TreeSet<>(List.of(b.split("\\|"))));
    }

    private String revents(Sock s, String events) {
        if (s == null) {
            return "POLLNVAL";
        }
        List<String> out = new java.util.ArrayList<>();
        SocketInfo i = info(s);
        String state = i == null ? "" : i.state();
        boolean eof = state.equals("CLOSE_WAIT") || state.equals("LAST_ACK") || state.equals("CLOSING")
                || state.equals("TIME_WAIT") || state.equals("CLOSED");
        if (events.contains("POLLIN") && i != null && (i.receiveQueue() > 0 || eof)) {
            out.add("POLLIN");
        }
        if (events.contains("POLLOUT") && s.conn != null && !s.shutWrite && i != null
                && i.sendQueue() < s.options.sendBuffer()) {
            out.add("POLLOUT");
        }
        if (s.pendingError != null) {
            out.add("POLLERR");
        }
        return String.join("|", out);
    }

    private SocketInfo info(Sock s) {
        if (s.conn == null) {
            return null;
        }
        int fd = s.conn.descriptor();
        return stack.sockets().stream().filter(i -> i.descriptor() == fd).findFirst().orElse(null);
    }

    private static long intValue(Expr v, String what) throws Unsupported {
        if (v instanceof Expr.Array arr && arr.items().size() == 1) {
            v = arr.items().get(0);
        }
        if (v instanceof Expr.Int i) {
            return i.value();
        }
        throw new Unsupported(what + " value " + v);
    }

    static String errno(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        String m = String.valueOf(e.getMessage()).toLowerCase();
        if (e instanceof ConnectException || m.contains("refused")) {
            return "ECONNREFUSED";
        }
        if (m.contains("reset")) {
            return "ECONNRESET";
        }
        if (e instanceof SocketTimeoutException || m.contains("timed out")) {
            return "ETIMEDOUT";
        }
        if (m.contains("shut down") || m.contains("closed")) {
            return "EPIPE";
        }
        if (m.contains("unreachable") || m.contains("no route")) {
            return "EHOSTUNREACH";
        }
        return "EIO";
    }

    private static String writeErrno(Throwable e) {
        return errno(e);
    }

    private static long errnoNumber(String errno) {
        if (errno == null) {
            return 0;
        }
        return switch (errno) {
            case "ECONNREFUSED" -> 111;
            case "ECONNRESET" -> 104;
            case "ETIMEDOUT" -> 110;
            case "EPIPE" -> 32;
            case "EHOSTUNREACH" -> 113;
            default -> 5;
        };
    }
}
