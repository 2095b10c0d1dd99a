package dev.tsunagu.socket;

import java.net.UnknownHostException;

/**
 * A name server answered that the name does not exist (DNS NXDOMAIN) or has no address of the
 * kind asked (NODATA): a definite answer, unlike {@link NameResolutionTimeoutException}.
 */
public class NoSuchHostException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    /** A failure explained by {@code message}, which names the host and who said so. */
    public NoSuchHostException(String message) {
        super(message);
    }
}
