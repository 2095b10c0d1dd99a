package dev.tsunagu.udp.dns;

import java.net.UnknownHostException;

/**
 * A lookup that failed because no DNS server answered in time, on any attempt: distinct from a
 * server's definite "no such name", which is a plain {@link UnknownHostException}.
 */
public final class ResolverTimeoutException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    public ResolverTimeoutException(String message) {
        super(message);
    }
}
