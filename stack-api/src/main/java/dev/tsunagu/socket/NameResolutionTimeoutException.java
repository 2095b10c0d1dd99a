package dev.tsunagu.socket;

import java.net.UnknownHostException;

/**
 * A lookup that failed because no name server answered in time, on any attempt: the name may
 * well exist, unlike a {@link NoSuchHostException}.
 */
public class NameResolutionTimeoutException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    /** A failure explained by {@code message}, which names the host and how long was waited. */
    public NameResolutionTimeoutException(String message) {
        super(message);
    }
}
