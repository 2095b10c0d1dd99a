package dev.tsunagu.ipv6;

import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.stack.NetInterface;
import java.util.ArrayList;
import java.util.List;

/**
 * What the IPv6 layer keeps per interface: its addresses with their RFC 4862 states, the link
 * MTU (a Router Advertisement may lower it) and the hop limit routers advertise. Only interfaces
 * configured with an IPv6 address (and loopback) take part in IPv6: the others send no
 * Neighbor Discovery and get no link-local address, so a stack configured for IPv4 alone puts
 * the same frames on the wire with this layer present as without it. Loop thread only.
 */
public final class Ipv6Interface {
    /** An address's state (RFC 4862 5.4 and 2: tentative while DAD runs, then preferred). */
    public enum AddressState { TENTATIVE, PREFERRED }

    /**
     * One address of the interface.
     *
     * @param autoconfigured whether it came from a Router Advertisement's prefix (SLAAC)
     */
    public static final class Address {
        final Ipv6Prefix prefix;
        final boolean autoconfigured;
        AddressState state;
        int dadProbesLeft;
        /** RFC 7217's DAD_Counter this address was made with (stable SLAAC addresses). */
        int dadCounter;

        Address(Ipv6Prefix prefix, boolean autoconfigured, AddressState state) {
            this.prefix = prefix;
            this.autoconfigured = autoconfigured;
            this.state = state;
        }

        public Ipv6Address address() {
            return prefix.address();
        }

        public Ipv6Prefix prefix() {
            return prefix;
        }

        public AddressState state() {
            return state;
        }

        public boolean autoconfigured() {
            return autoconfigured;
        }

        @Override
        public String toString() {
            return prefix + (state == AddressState.TENTATIVE ? " tentative" : "") + (autoconfigured ? " autoconf" : "");
        }
    }

    private final NetInterface iface;
    final List<Address> addresses = new ArrayList<>();
    int linkMtu;

    Ipv6Interface(NetInterface iface) {
        this.iface = iface;
        this.linkMtu = iface.mtu();
    }

    public NetInterface iface() {
        return iface;
    }

    /** The addresses, tentative ones included (a copy). */
    public List<Address> addresses() {
        return List.copyOf(addresses);
    }

    /** The MTU IPv6 uses on this link (RFC 4861 6.3.4: an RA's MTU option may lower the interface's). */
    public int linkMtu() {
        return linkMtu;
    }

    /** The entry for {@code a}, any state, or null. */
    Address find(Ipv6Address a) {
        for (Address x : addresses) {
            if (x.prefix.address().equals(a)) {
                return x;
            }
        }
        return null;
    }

    /** Whether {@code a} is one of this interface's preferred (usable) addresses. */
    boolean hasPreferred(Ipv6Address a) {
        Address x = find(a);
        return x != null && x.state == AddressState.PREFERRED;
    }

    /** Whether {@code group} is the solicited-node group of one of our addresses, tentative ones included. */
    boolean joinedSolicitedNode(Ipv6Address group) {
        for (Address x : addresses) {
            if (Ipv6Addresses.solicitedNode(x.prefix.address()).equals(group)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The source address towards {@code destination} (RFC 6724 reduced to what a host with a few
     * addresses needs): a link-local destination gets the link-local address; otherwise the
     * preferred global address sharing the longest prefix with the destination (rule 8), else
     * the link-local one. Null if nothing is preferred yet.
     */
    Ipv6Address sourceFor(Ipv6Address destination) {
        boolean linkScope = Ipv6Addresses.isLinkLocal(destination) || Ipv6Addresses.isLinkScopeMulticast(destination)
                || destination.isLoopback();
        Ipv6Address linkLocal = null;
        Ipv6Address global = null;
        int globalMatch = -1;
        for (Address x : addresses) {
            if (x.state != AddressState.PREFERRED) {
                continue;
            }
            Ipv6Address a = x.prefix.address();
            if (Ipv6Addresses.isLinkLocal(a) || a.isLoopback()) {
                if (linkLocal == null) {
                    linkLocal = a;
                }
            } else {
                int match = commonPrefixLength(a, destination);
                if (match > globalMatch) {
                    global = a;
                    globalMatch = match;
                }
            }
        }
        if (linkScope) {
            return linkLocal != null ? linkLocal : global;
        }
        return global != null ? global : linkLocal;
    }

    private static int commonPrefixLength(Ipv6Address a, Ipv6Address b) {
        long high = a.high() ^ b.high();
        return high != 0 ? Long.numberOfLeadingZeros(high) : 64 + Long.numberOfLeadingZeros(a.low() ^ b.low());
    }

    @Override
    public String toString() {
        return iface.name() + " " + addresses + " mtu " + linkMtu;
    }
}
