package dev.tsunagu.udp.dns;

import dev.tsunagu.socket.NameResolutionTimeoutException;

/**
 * A lookup that failed because no DNS server answered in time, on any attempt: distinct from a
 * server's definite "no such name", a {@link dev.tsunagu.socket.NoSuchHostException}. The
 * DNS resolver's own name for {@link NameResolutionTimeoutException}.
 */
public final class ResolverTimeoutException extends NameResolutionTimeoutException {
    private static final long serialVersionUID = 1L;

    public ResolverTimeoutException(String message) {
        super(message);
    }
}
