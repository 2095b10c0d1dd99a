package dev.tsunagu.link.cable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The JVM-wide registry behind {@code cable:NAME} specs: the first spec to name a cable
 * creates it, later ones plug into the same one, and it is forgotten when its last port
 * closes. Tests that want isolation make their own {@link Cable} instead.
 */
public final class Cables {
    private static final ConcurrentMap<String, Cable> CABLES = new ConcurrentHashMap<>();

    private Cables() {}

    /**
     * The cable called {@code name}, created with {@code mtu} if new.
     *
     * @throws IllegalArgumentException if it exists with another MTU
     */
    public static Cable named(String name, int mtu) {
        return named(name, mtu, false);
    }

    /**
     * The cable called {@code name}, created with {@code mtu} and {@code offloads} if new.
     *
     * @throws IllegalArgumentException if it exists with another MTU or other offloads
     */
    public static Cable named(String name, int mtu, boolean offloads) {
        return named(name, mtu, offloads, false);
    }

    /**
     * The cable called {@code name}, created with {@code mtu}, {@code offloads} and medium if new.
     *
     * @param ipOnly whether it carries bare IP packets ({@link Cable#ipOnly}, no offloads) rather than Ethernet
     * @throws IllegalArgumentException if it exists with another MTU, other offloads or the other medium
     */
    public static Cable named(String name, int mtu, boolean offloads, boolean ipOnly) {
        if (ipOnly && offloads) {
            throw new IllegalArgumentException("cable " + name + ": an IP-only cable has no offloads");
        }
        Cable c = CABLES.computeIfAbsent(name, n -> ipOnly ? Cable.ipOnly(n, mtu) : new Cable(n, mtu, offloads));
        if (c.mtu() != mtu) {
            throw new IllegalArgumentException("cable " + name + " exists with MTU " + c.mtu() + ", not " + mtu);
        }
        if (c.isIpOnly() != ipOnly) {
            throw new IllegalArgumentException("cable " + name + " exists with the other medium (medium="
                    + (c.isIpOnly() ? "ip" : "ethernet") + ")");
        }
        if (c.offloads() != offloads) {
            throw new IllegalArgumentException("cable " + name + " exists with offloads " + (c.offloads() ? "on" : "off"));
        }
        return c;
    }

    /** The cable called {@code name} if it exists. */
    public static Cable find(String name) {
        return CABLES.get(name);
    }

    static void released(Cable cable) {
        if (cable.portCount() == 0) {
            CABLES.remove(cable.name(), cable);
        }
    }
}
