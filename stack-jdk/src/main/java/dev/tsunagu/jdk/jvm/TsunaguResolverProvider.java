package dev.tsunagu.jdk.jvm;

import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;

/**
 * Makes {@code InetAddress.getByName} and every lookup of the JVM resolve through the JVM's
 * Tsunagu stack ({@link JvmStack#resolver()}: the {@value StackProperties#HOSTS} entries, then the
 * stack's DNS at {@value StackProperties#DNS}) when the JVM is switched to Tsunagu
 * ({@value StackProperties#DRIVER} set), and leaves the JDK's own resolver in place otherwise:
 * being on the class or module path is not enough to take over a JVM's names.
 *
 * <p>The JDK finds it with {@code ServiceLoader} at the first lookup and asks it once. The
 * stack is not built then but at the first lookup that needs DNS; a lookup the JDK makes while
 * this provider is being asked goes to the JDK's built-in resolver (the JDK's own guard).
 */
public final class TsunaguResolverProvider extends InetAddressResolverProvider {
    @Override
    public InetAddressResolver get(Configuration configuration) {
        return JvmStack.selected() ? JvmStack.resolver() : configuration.builtinResolver();
    }

    @Override
    public String name() {
        return "tsunagu";
    }
}
