package dev.tsunagu.driver;

import dev.tsunagu.buffer.PacketBuffer;

/**
 * A LAN driver: moves whole link-layer frames between the stack and something outside it
 * (an in-memory cable, a TAP device, a NIC through libpcap, a capture file).
 *
 * <p>Contract, checked by the driver contract test kit that every driver's tests subclass:
 * <ul>
 *   <li>{@link #open} starts delivery: every received frame goes to
 *       {@link DriverContext#receive}, from whatever thread the driver reads on;</li>
 *   <li>{@link #transmit} is called on the event loop, takes ownership of the frame, never
 *       blocks and never throws for a bad frame or a dead device: it returns {@code false}
 *       (the frame was dropped) and reports what went wrong through the context;</li>
 *   <li>frames longer than {@code capabilities().maxFrameLength()} are not sent;</li>
 *   <li>{@link #close} stops delivery and releases every resource; it is idempotent.</li>
 * </ul>
 */
public interface LinkDriver extends AutoCloseable {
    /** A readable name, usually the spec it was made from ({@code cable:lan0}). */
    String name();

    /** What this driver offers; valid from construction. */
    DriverCapabilities capabilities();

    /** Starts delivering frames to {@code context}. Called once, by the stack. */
    void open(DriverContext context) throws DriverException;

    /**
     * Sends one frame; called on the event loop. Ownership of {@code frame} passes to the
     * driver whatever the outcome.
     *
     * @return whether the frame was handed to the medium
     */
    boolean transmit(PacketBuffer frame);

    /** Stops delivery and frees everything; safe to call more than once. */
    @Override
    void close();
}
