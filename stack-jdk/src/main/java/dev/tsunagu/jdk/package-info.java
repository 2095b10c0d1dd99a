/**
 * {@code java.net} sockets whose connections live on a Tsunagu {@link dev.tsunagu.stack.NetworkStack}
 * instead of the kernel, so that code written against the JDK's classic socket API — and any
 * library that takes a {@link javax.net.SocketFactory} (OkHttp, Apache HttpClient, JDBC
 * drivers) — runs on the stack unchanged:
 *
 * <pre>{@code
 * SocketFactory factory = TsunaguSocketFactory.of(stack);
 * OkHttpClient http = new OkHttpClient.Builder().socketFactory(factory).build();
 *
 * ServerSocket server = TsunaguServerSocketFactory.of(stack).createServerSocket(8080);
 * DatagramSocket udp = new TsunaguDatagramSocket(stack);
 * }</pre>
 *
 * <h2>Why a {@code SocketImpl}, not a {@code Socket} that overrides everything</h2>
 * {@link dev.tsunagu.jdk.TsunaguSocket} and {@link dev.tsunagu.jdk.TsunaguServerSocket} hand the
 * JDK a {@code SocketImpl} of ours ({@code TsunaguSocketImpl}) through the protected
 * {@code Socket(SocketImpl)} and {@code ServerSocket(SocketImpl)} constructors, and override
 * nothing but {@code ServerSocket.accept} (to accept into a socket of the same kind). The JDK's
 * own {@code Socket} then keeps the state machine its javadoc describes — "Socket is closed",
 * "Socket is not connected", "Socket input is shutdown", a failed connect closing the socket,
 * closing either stream closing the socket, {@code isBound/isConnected/isClosed} — and the impl
 * only moves bytes and reports failures in the JDK's words. Overriding each public method of
 * {@code Socket} would have to re-derive all of that (and miss what a later JDK adds); the
 * {@code SocketImpl} contract is small, stable since Java 1.0 and still supported for custom
 * implementations.
 *
 * <h2>Blocking, timeouts and threads</h2>
 * Calls block their thread (cheap on virtual threads) while the stack's event loop does the
 * work; a thread must never be the stack's own loop thread. A read with {@code SO_TIMEOUT} that
 * times out leaves its request to the stack in place and the next read takes it up, so no byte is
 * lost and the stack never writes into an array the caller has been given back; the same holds
 * for an accept that times out. Closing the socket from another thread wakes a blocked read,
 * write, accept or connect with {@code SocketException("Socket closed")}. As with the JDK's
 * sockets, interrupting a virtual thread that waits closes the socket ("Closed by interrupt"),
 * and a platform thread keeps waiting (its interrupt status kept).
 *
 * <h2>Options</h2>
 * {@code SO_RCVBUF} and {@code SO_SNDBUF} size the buffers of connections made after they are
 * set (a listener's apply to the connections it accepts): Tsunagu fixes a connection's buffers
 * when it is made. {@code TCP_NODELAY} and {@code SO_KEEPALIVE} take effect at once.
 * {@code SO_LINGER} 0 makes {@code close} reset the connection; a positive value makes it wait
 * up to that many seconds for the connection to finish closing. {@code SO_REUSEADDR} is
 * recorded and has no effect: Tsunagu lets a listener take a port that connections in
 * TIME-WAIT still name, as if it were always on. {@code IP_TOS} and urgent data are not
 * supported.
 *
 * <h2>Names</h2>
 * An unresolved {@link java.net.InetSocketAddress}, and the host names given to the socket
 * factories, are resolved with the stack's {@link dev.tsunagu.socket.NameResolver} (its DNS), not
 * the JVM's; a name that does not resolve is an {@link java.net.UnknownHostException}. The other
 * way round, {@link dev.tsunagu.jdk.TsunaguResolver} is the JDK's
 * {@code java.net.spi.InetAddressResolver} answered by a stack (a {@link dev.tsunagu.jdk.HostTable}
 * of static entries first, then the stack's DNS): the JVM-wide switch makes it
 * {@code InetAddress}'s resolver.
 *
 * <h2>One stack or several</h2>
 * {@link dev.tsunagu.jdk.TsunaguJdk} gathers what one stack stands behind — the socket factories,
 * the resolver, and the JDK's three socket implementation factories that route every
 * {@code new Socket()} of the JVM — so that several stacks in one JVM each have their own. The
 * JVM-wide switch ({@code dev.tsunagu.jdk.jvm}) is the same thing for the one stack that system
 * properties describe, installed by a Java agent.
 *
 * <h2>TLS by layering</h2>
 * The JDK's TLS runs over any connected {@code Socket}. A client:
 * <pre>{@code
 * Socket plain = TsunaguSocketFactory.of(stack).createSocket(address, 443);
 * SSLSocket tls = (SSLSocket) sslContext.getSocketFactory().createSocket(plain, "host.example", 443, true);
 * }</pre>
 * A server cannot use {@code SSLContext.getServerSocketFactory()}, which makes kernel sockets;
 * it accepts a Tsunagu socket and wraps it in server mode — {@link dev.tsunagu.jdk.TlsLayering}
 * does exactly that:
 * <pre>{@code
 * Socket accepted = tsunaguServerSocket.accept();
 * SSLSocket tls = (SSLSocket) sslContext.getSocketFactory().createSocket(accepted, null, true);
 * tls.setUseClientMode(false);
 * tls.startHandshake();
 * }</pre>
 *
 * <h2>NIO: channels and selectors</h2>
 * {@link dev.tsunagu.jdk.TsunaguSelectorProvider} opens {@code SocketChannel},
 * {@code ServerSocketChannel} and {@code Selector}s on a stack; hand it to code that takes a
 * provider (Netty's NIO transport does) and that code runs on the stack unchanged. A channel
 * keeps one request open with the stack per direction that can become ready — a read into a
 * chunk of its own ({@code InboundBytes}), the hand-over of its staged bytes to the send buffer
 * ({@code OutboundBytes}), an accept, a connect — and the event loop, completing one of them,
 * signals the channel's {@code Readiness}: each of its keys is queued at its
 * {@code TsunaguSelector} and the selecting thread, parked, is unparked if the key is now ready
 * for what it is interested in. A selection looks only
 * at queued keys and asks each channel what is ready now; ready keys stay queued, so readiness
 * is level-triggered as with the JDK's selectors. Nothing polls, and the loop never takes a lock
 * an application thread may hold. Blocking channel calls wait for the same signals; a close
 * wakes them ({@code AsynchronousCloseException}), an interrupt closes the channel
 * ({@code ClosedByInterruptException}), as {@code AbstractInterruptibleChannel} prescribes.
 * A write takes at most one staged chunk (64 KiB) at a time: the bytes it reports written are
 * the channel's to deliver, and a close lets them go before the FIN.
 *
 * <h2>A client bound before it connects</h2>
 * {@code Socket.bind} and {@code SocketChannel.bind} take one of the stack's addresses (or the
 * wildcard) and any port; the connect then opens from there ({@code TcpService.connect(local,
 * remote, options)}). The stack takes the port at the connect, not at the bind, so two
 * differences from a kernel's socket follow: a port a listener holds, or a four-tuple a
 * connection already has, is a {@code BindException} from {@code connect} where the kernel
 * throws it from {@code bind}; and a socket bound to port 0 says port 0 until it is connected.
 *
 * <h2>Not here yet</h2>
 * Multicast; {@code getChannel()} of the classic sockets (null:
 * open a channel from the provider instead); IPv6 channels; {@code SO_LINGER} above 0 on a
 * channel does not make {@code close} wait.
 */
package dev.tsunagu.jdk;
