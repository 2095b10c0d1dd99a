package dev.tsunagu.jdk.jvm;

import dev.tsunagu.jdk.HostTable;
import dev.tsunagu.jdk.TsunaguJdk;
import dev.tsunagu.stack.NetworkStack;
import java.net.spi.InetAddressResolver;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one stack of a JVM switched to Tsunagu by system properties ({@link StackProperties}):
 * built the first time a socket, a channel or a name lookup asks for it, once, and closed when the
 * JVM exits (so a capture is complete on disk). A JVM without {@value StackProperties#DRIVER}
 * never builds it.
 *
 * <p>Everything JVM-wide goes through here: the agent ({@link TsunaguAgent}) routes
 * {@code java.net}'s sockets to {@link #adapters()}, the resolver provider
 * ({@link TsunaguResolverProvider}) answers {@code InetAddress} lookups with {@link #resolver()}.
 * The properties are read when the stack is built, not before, so a program may still set them
 * in {@code main} before it first touches the network. The first use waits (at most 5 s) until
 * the stack's IPv6 addresses have passed Duplicate Address Detection, so the program's first
 * connection over IPv6 has a source address.
 */
public final class JvmStack {
    private static final Logger log = LoggerFactory.getLogger(JvmStack.class);
    private static final TsunaguJdk ADAPTERS = TsunaguJdk.lazy(JvmStack::start);
    /** How long the first use waits for the stack's IPv6 addresses to leave DAD. */
    private static final Duration ADDRESS_WAIT = Duration.ofSeconds(5);

    private JvmStack() {}

    /** Whether this JVM is switched to Tsunagu: {@value StackProperties#DRIVER} is set. */
    public static boolean selected() {
        return StackProperties.selected(System.getProperties());
    }

    /**
     * The JVM's stack, built now if this is the first call.
     *
     * @throws IllegalStateException if the JVM is not switched, or the stack cannot be built (the
     *         same exception to every caller: it is not tried again)
     */
    public static NetworkStack get() {
        return ADAPTERS.stack();
    }

    /** The adapters of the JVM's stack; nothing is built until one of them is used. */
    public static TsunaguJdk adapters() {
        return ADAPTERS;
    }

    /** {@code InetAddress}'s resolver on the JVM's stack, with the {@value StackProperties#HOSTS} entries. */
    static InetAddressResolver resolver() {
        // The host table is read now (the provider is asked once, at the first lookup); a bad one
        // is a failure of every lookup, with the property named, rather than of the JDK's start.
        String hosts = System.getProperty(StackProperties.HOSTS, "");
        return ADAPTERS.resolver(HostTable.parse(hosts));
    }

    private static NetworkStack start() {
        StackProperties p = StackProperties.from(System.getProperties());
        NetworkStack stack = p.build();
        log.info("the JVM's network is Tsunagu stack {} on {} at {}", stack.name(), p.driver(), p.ip());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("tsunagu-jvm-stack-close").unstarted(stack::close));
        // A program's first connect comes right after this: an IPv6 address still in Duplicate
        // Address Detection (RFC 4862 5.4, about a second) could not be its source yet.
        if (!stack.awaitAddressesReady(ADDRESS_WAIT)) {
            log.warn("stack {}: IPv6 addresses still tentative after {}; going on", stack.name(), ADDRESS_WAIT);
        }
        return stack;
    }
}
