package dev.tsunagu.examples.code.driver;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;
import java.util.Set;

/**
 * A third-party driver kind, {@code pipe:NAME[,mtu=N]}: the first stack to open
 * {@code pipe:NAME} gets one end, the second gets the other, and frames cross between them
 * through a pair of bounded in-memory queues, like a crossover cable or a Linux veth pair.
 *
 * <p>How it is found: this class is listed in
 * {@code META-INF/services/dev.tsunagu.driver.LinkDriverProvider} (for the class path) and in
 * {@code module-info.java} as {@code provides dev.tsunagu.driver.LinkDriverProvider with ...}
 * (for the module path, where {@code ./tsunagu} runs). {@link java.util.ServiceLoader} does
 * the rest: {@code NetworkStack.builder().addInterface("pipe:p0", "10.0.0.1/24")} works with
 * no change to the stack, and {@code ./tsunagu plugins} lists it.
 */
public final class PipeDriverProvider implements LinkDriverProvider {
    private static final Set<String> PARAMETERS = Set.of("mtu");

    /** Public with no arguments: {@link java.util.ServiceLoader} makes it. */
    public PipeDriverProvider() {}

    @Override
    public String name() {
        return "pipe";
    }

    @Override
    public String description() {
        return "example: two stacks back to back through a pair of bounded queues (pipe:NAME[,mtu=N])";
    }

    @Override
    public LinkDriver create(DriverSpec spec) throws DriverException {
        // Reject what we do not understand with one clear line, rather than ignore it.
        for (String key : spec.parameters().keySet()) {
            if (!PARAMETERS.contains(key)) {
                throw new DriverException("pipe: unknown parameter '" + key + "' (known: mtu)");
            }
        }
        if (spec.argument().isEmpty()) {
            throw new DriverException("pipe: name the pipe, e.g. pipe:p0 (both ends use the same name)");
        }
        return Pipe.attach(spec.argument(), spec.intParameter("mtu", 1500));
    }
}
