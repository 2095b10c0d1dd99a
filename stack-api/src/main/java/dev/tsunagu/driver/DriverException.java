package dev.tsunagu.driver;

/** A driver could not be created or opened; the message says why and, where possible, what to do. */
public class DriverException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A failure explained by {@code message}, which names the cause and, where possible, the remedy. */
    public DriverException(String message) {
        super(message);
    }

    /** A failure explained by {@code message}, caused by {@code cause} (an errno, an I/O error). */
    public DriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
