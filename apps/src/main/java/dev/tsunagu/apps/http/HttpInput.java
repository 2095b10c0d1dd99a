package dev.tsunagu.apps.http;

import dev.tsunagu.socket.TcpSocket;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;

/**
 * Buffered reading from a TCP socket, the way HTTP/1.1 needs it: lines for the start line and
 * the headers, then raw bytes for the body, both from one buffer so nothing read ahead is lost.
 * Every wait for the peer is bounded by {@code timeout}
 * ({@link java.net.SocketTimeoutException} when it passes).
 */
final class HttpInput {
    private final TcpSocket socket;
    private final Duration timeout;
    private final byte[] buffer;
    private int position;
    private int limit;

    HttpInput(TcpSocket socket, int bufferSize, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
        this.buffer = new byte[bufferSize];
    }

    /**
     * Reads one line, ended by LF (a CR before it is dropped; RFC 9112 2.2 lets a recipient
     * accept a bare LF), decoded as ISO-8859-1.
     *
     * @return the line, or null if the stream ended before its first byte
     * @throws ProtocolException if the line is longer than {@code max} bytes
     * @throws EOFException if the stream ends inside the line
     */
    String readLine(int max) throws IOException {
        StringBuilder line = new StringBuilder();
        boolean any = false;
        while (true) {
            if (position == limit && !fill()) {
                if (!any) {
                    return null;
                }
                throw new EOFException("connection closed in the middle of a line");
            }
            any = true;
            byte b = buffer[position++];
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= max) {
                throw new ProtocolException("line longer than " + max + " bytes");
            }
            line.append((char) (b & 0xFF));
        }
    }

    /** Reads up to {@code length} bytes: what is buffered first, then straight from the socket. @return -1 at end of stream */
    int read(byte[] b, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (position < limit) {
            int n = Math.min(length, limit - position);
            System.arraycopy(buffer, position, b, offset, n);
            position += n;
            return n;
        }
        return socket.read(b, offset, length, timeout);
    }

    private boolean fill() throws IOException {
        int n = socket.read(buffer, 0, buffer.length, timeout);
        if (n < 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }
}
