package dev.tsunagu.socket;

import java.time.Duration;

/**
 * Options of one TCP connection, fixed when it is made (buffer sizes and policies shape the
 * handshake and the control block). No-delay and keepalive can also change later through the
 * socket.
 *
 * @param sendBuffer send buffer bytes (what {@code write} may queue before it waits)
 * @param receiveBuffer receive buffer bytes (the largest window we advertise)
 * @param noDelay {@code TCP_NODELAY}: partial segments leave at once (the "nodelay" send-buffering policy)
 * @param keepAlive send keepalive probes on an idle connection
 * @param congestionControl congestion control by name, or null for the stack's
 * @param sendBuffering send-buffering policy by name, or null for the stack's (ignored when noDelay)
 * @param retransmission retransmission policy by name, or null for the stack's
 * @param connectTimeout how long connect may take before it fails
 */
public record TcpSocketOptions(int sendBuffer, int receiveBuffer, boolean noDelay, boolean keepAlive,
                               String congestionControl, String sendBuffering, String retransmission,
                               Duration connectTimeout) {
    /** The default send and receive buffer, in bytes: 256 KiB. */
    public static final int DEFAULT_BUFFER = 256 * 1024;
    /** 256 KiB buffers, Nagle, no keepalive, the stack's policies, a 75 s connect timeout. */
    public static final TcpSocketOptions DEFAULT = new TcpSocketOptions(DEFAULT_BUFFER, DEFAULT_BUFFER, false, false,
            null, null, null, Duration.ofSeconds(75));

    /**
     * Checks the buffer sizes.
     *
     * @throws IllegalArgumentException if a buffer is under one byte or over 1 GiB
     */
    public TcpSocketOptions {
        if (sendBuffer < 1 || receiveBuffer < 1) {
            throw new IllegalArgumentException("buffers must hold at least one byte");
        }
        if (sendBuffer > (1 << 30) || receiveBuffer > (1 << 30)) {
            throw new IllegalArgumentException("buffers are limited to 1 GiB (RFC 7323 window scale 14)");
        }
    }

    /**
     * {@link #DEFAULT}: 256 KiB buffers, Nagle, no keepalive, the stack's policies, a 75 s connect timeout.
     */
    public static TcpSocketOptions defaults() {
        return DEFAULT;
    }

    /** The same options with a send buffer of {@code bytes}. */
    public TcpSocketOptions withSendBuffer(int bytes) {
        return new TcpSocketOptions(bytes, receiveBuffer, noDelay, keepAlive, congestionControl, sendBuffering, retransmission, connectTimeout);
    }

    /** The same options with a receive buffer of {@code bytes} (the largest window advertised). */
    public TcpSocketOptions withReceiveBuffer(int bytes) {
        return new TcpSocketOptions(sendBuffer, bytes, noDelay, keepAlive, congestionControl, sendBuffering, retransmission, connectTimeout);
    }

    /** The same options with {@code TCP_NODELAY} on or off. */
    public TcpSocketOptions withNoDelay(boolean on) {
        return new TcpSocketOptions(sendBuffer, receiveBuffer, on, keepAlive, congestionControl, sendBuffering, retransmission, connectTimeout);
    }

    /** The same options with keepalive on or off. */
    public TcpSocketOptions withKeepAlive(boolean on) {
        return new TcpSocketOptions(sendBuffer, receiveBuffer, noDelay, on, congestionControl, sendBuffering, retransmission, connectTimeout);
    }

    /** The same options with the congestion control called {@code name} (null: the stack's). */
    public TcpSocketOptions withCongestionControl(String name) {
        return new TcpSocketOptions(sendBuffer, receiveBuffer, noDelay, keepAlive, name, sendBuffering, retransmission, connectTimeout);
    }

    /** The same options with the send-buffering policy called {@code name} (null: the stack's). */
    public TcpSocketOptions withSendBuffering(String name) {
        return new TcpSocketOptions(sendBuffer, receiveBuffer, noDelay, keepAlive, congestionControl, name, retransmission, connectTimeout);
    }

    /** The same options with the retransmission policy called {@code name} (null: the stack's). */
    public TcpSocketOptions withRetransmission(String name) {
        return new TcpSocketOptions(sendBuffer, receiveBuffer, noDelay, keepAlive, congestionControl, sendBuffering, name, connectTimeout);
    }

    /** The same options with another connect timeout. */
    public TcpSocketOptions withConnectTimeout(Duration timeout) {
        return new TcpSocketOptions(sendBuffer, receiveBuffer, noDelay, keepAlive, congestionControl, sendBuffering, retransmission, timeout);
    }
}
