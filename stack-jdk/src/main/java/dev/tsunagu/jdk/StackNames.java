package dev.tsunagu.jdk;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.socket.NameResolver;
import dev.tsunagu.stack.NetworkStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Names and local addresses as a stack sees them: a host name is looked up with the stack's
 * {@link NameResolver} (its DNS), never the JVM's, because the JVM's resolver asks the host's
 * network, which the stack may not even be on.
 */
final class StackNames {
    private StackNames() {}

    /** {@code host}'s first address by the stack's resolver; null is the loopback address, as in {@code java.net}. */
    static InetAddress resolve(NetworkStack stack, String host) throws UnknownHostException {
        if (host == null || host.isEmpty()) {
            return InetAddress.getLoopbackAddress();
        }
        NameResolver resolver = stack.service(NameResolver.class).orElseThrow(() -> new UnknownHostException(
                host + ": stack " + stack.name() + " has no name resolver (add the stack-udp module)"));
        List<InetAddress> addresses = resolver.lookup(host);
        return addresses.getFirst();
    }

    /** {@code address} itself, or resolved with the stack's resolver if it is unresolved. */
    static InetSocketAddress resolve(NetworkStack stack, InetSocketAddress address) throws UnknownHostException {
        if (!address.isUnresolved()) {
            return address;
        }
        return new InetSocketAddress(resolve(stack, address.getHostString()), address.getPort());
    }

    /** Whether {@code address} is one of the stack's own (on any interface, loopback included). */
    static boolean isLocal(NetworkStack stack, InetAddress address) {
        IpAddress a = IpAddress.of(address);
        return stack.interfaces().stream().anyMatch(i -> i.hasAddress(a));
    }

    /** 0.0.0.0: what a socket bound to every address reports as its local address. */
    static InetAddress wildcard() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are an IPv4 address", e);
        }
    }
}
