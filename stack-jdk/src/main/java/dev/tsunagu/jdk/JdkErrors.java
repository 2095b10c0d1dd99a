package dev.tsunagu.jdk;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.util.Locale;

/**
 * Tsunagu's socket failures in the JDK's words. Libraries written against {@code java.net}
 * sometimes act on an exception's type and, for want of anything better, on its message
 * ("Connection reset" is retried by HTTP clients, "Socket closed" is expected after a close), so
 * the adapter throws what the JDK's own sockets throw, with Tsunagu's exception as the cause for
 * the details it adds (the peer, the state, the timer that gave up).
 */
final class JdkErrors {
    static final String SOCKET_CLOSED = "Socket closed";

    private JdkErrors() {}

    /** The failure of an operation on an established connection (read, write, close). */
    static IOException onConnection(Throwable t) {
        IOException e = unwrap(t);
        String message = lower(e);
        if (e instanceof SocketTimeoutException) {
            // The stack gave up retransmitting (or keepalive did): the JDK reports the kernel's ETIMEDOUT.
            return new SocketException("Connection timed out", e);
        }
        if (message.contains("reset") || message.contains("refused")) {
            return new SocketException("Connection reset", e);
        }
        if (message.contains("socket closed") || message.contains("stack was closed")
                || message.contains("stack is closed")) {
            return new SocketException(SOCKET_CLOSED, e);
        }
        return e;
    }

    /** The failure of a connect. */
    static IOException onConnect(Throwable t) {
        IOException e = unwrap(t);
        if (e instanceof ConnectException) {
            ConnectException refused = new ConnectException("Connection refused");
            refused.initCause(e);
            return refused;
        }
        if (e instanceof SocketTimeoutException) {
            SocketTimeoutException timeout = new SocketTimeoutException("Connect timed out");
            timeout.initCause(e);
            return timeout;
        }
        if (e instanceof NoRouteToHostException || e instanceof BindException || e instanceof UnknownHostException) {
            return e;
        }
        return onConnection(e);
    }

    /** The failure of an accept. */
    static IOException onAccept(Throwable t) {
        IOException e = unwrap(t);
        return lower(e).contains("closed") ? new SocketException(SOCKET_CLOSED, e) : e;
    }

    /** The failure of a bind or listen on a port the stack already has in use. */
    static BindException onBind(BindException e) {
        BindException inUse = new BindException("Address already in use");
        inUse.initCause(e);
        return inUse;
    }

    /** {@link #onChannel}, as a {@code SocketException} where the classic API declares only that. */
    static SocketException asSocketException(Exception e) {
        IOException t = onChannel(e);
        return t instanceof SocketException se ? se : new SocketException(t.getMessage(), t);
    }

    /** A channel's exception as its classic adaptor ({@link ChannelSocket} and its siblings) words it. */
    static IOException onChannel(Exception e) {
        if (e instanceof ClosedChannelException) {
            return new SocketException("Socket is closed");
        }
        if (e instanceof NotYetConnectedException) {
            return new SocketException("Socket is not connected");
        }
        if (e instanceof AlreadyConnectedException) {
            return new SocketException("Already connected");
        }
        if (e instanceof IOException io) {
            return io;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        return new SocketException(e.getMessage());
    }

    static IOException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof IOException io) {
            return io;
        }
        if (c instanceof RuntimeException re) {
            throw re;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return new IOException(c);
    }

    private static String lower(IOException e) {
        return e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
    }
}
