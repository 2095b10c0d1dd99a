package dev.tsunagu.driver;

/** A driver could not be created or opened; the message says why and, where possible, what to do. */
public class DriverException extends Exception {
    private static final long serialVersionUID = 1L;

    public DriverException(String message) {
        super(message);
    }

    public DriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
