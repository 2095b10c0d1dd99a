package dev.tsunagu.stack;

/**
 * Makes one protocol layer for a stack; found with {@link java.util.ServiceLoader}.
 *
 * <p>A stack contains whatever layers are on its class or module path: with
 * {@code stack-link} and {@code stack-ip} but not {@code stack-tcp} it routes and pings but
 * has no TCP. A provider's {@link #create} registers what the layer handles (EtherTypes, IP
 * protocol numbers) and publishes the services it offers through the {@link StackContext}.
 */
public interface LayerProvider {
    /** A short unique name: {@code ethernet}, {@code ipv4}, {@code udp}, {@code tcp}. */
    String name();

    /** Where the layer sits, which fixes the order in which layers are created and started. */
    Layer.Kind kind();

    /** Makes this layer for one stack and registers it with {@code context}. */
    Layer create(StackContext context);
}
