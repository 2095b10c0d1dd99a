package dev.tsunagu.fuzz;

import dev.tsunagu.ip.IpOptions;
import dev.tsunagu.ip.Ipv4Service;
import dev.tsunagu.ipv6.Ipv6Options;
import dev.tsunagu.ipv6.Ipv6Service;
import dev.tsunagu.link.arp.ArpOptions;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stats.StatisticsSnapshot;
import java.util.Map;

/**
 * What must hold for a stack whatever frames came in; each target checks it after every frame.
 *
 * <ul>
 *   <li>No exception escaped a layer. The interface catches one, counts it as a loop error and
 *       goes on with the next frame; here it is thrown again, with its stack trace, as the finding.
 *   <li>Every frame is accounted for: Ethernet passed it up or counted why not
 *       ({@code ethernet.Drop*}), and IPv4 delivered each datagram, held it as a fragment or
 *       counted why not ({@code InHdrErrors}, {@code InAddrErrors}, ...).
 *   <li>What may be held is bounded: reassembly of either family within its limits, the ARP
 *       cache within its size, the socket table below {@code maxSockets}.
 * </ul>
 */
final class StackInvariants {
    private final NetworkStack stack;
    private final EventLoop loop;
    private final long errorsBefore;
    private final int maxSockets;

    StackInvariants(NetworkStack stack, EventLoop loop, int maxSockets) {
        this.stack = stack;
        this.loop = loop;
        this.errorsBefore = loop.statistics().errors();
        this.maxSockets = maxSockets;
    }

    StackInvariants(NetworkStack stack, EventLoop loop) {
        this(stack, loop, 64);
    }

    void check() {
        if (loop.statistics().errors() > errorsBefore) {
            Throwable t = loop.statistics().lastError();
            throw new AssertionError("an exception escaped a layer: " + t, t);
        }
        StatisticsSnapshot s = stack.statistics();
        long rx = s.get("if." + stack.primaryInterface().name(), "RxFrames");
        Map<String, Long> eth = s.groups().get("ethernet");
        long ethAccounted = eth.get("InFrames") + eth.get("DropTruncated") + eth.get("DropNotEthernetII")
                + eth.get("DropOtherHost") + eth.get("DropBadSource") + eth.get("DropUnknownEtherType");
        if (ethAccounted != rx) {
            throw new AssertionError("Ethernet lost a frame without counting it: " + rx
                    + " received, " + ethAccounted + " accounted for: " + eth);
        }
        Map<String, Long> ip = s.groups().get("ip");
        long ipAccounted = ip.get("InHdrErrors") + ip.get("InAddrErrors") + ip.get("DropMulticast")
                + ip.get("ReasmReqds") + ip.get("InDelivers") + ip.get("InUnknownProtos") - ip.get("ReasmOKs");
        if (ipAccounted != ip.get("InReceives")) {
            throw new AssertionError("IPv4 lost a datagram without counting it: " + ip);
        }
        checkBounds();
    }

    private void checkBounds() {
        Ipv4Service v4 = stack.service(Ipv4Service.class).orElseThrow();
        if (v4.reassemblyDatagrams() > stack.options().get(IpOptions.REASSEMBLY_MAX_DATAGRAMS)
                || v4.reassemblyBytes() > stack.options().get(IpOptions.REASSEMBLY_MAX_BYTES)) {
            throw new AssertionError("IPv4 reassembly beyond its limits: " + v4.reassemblyDatagrams()
                    + " datagrams, " + v4.reassemblyBytes() + " bytes");
        }
        Ipv6Service v6 = stack.service(Ipv6Service.class).orElse(null);
        if (v6 != null && (v6.reassemblyPackets() > stack.options().get(Ipv6Options.REASSEMBLY_MAX_DATAGRAMS)
                || v6.reassemblyBytes() > stack.options().get(Ipv6Options.REASSEMBLY_MAX_BYTES))) {
            throw new AssertionError("IPv6 reassembly beyond its limits: " + v6.reassemblyPackets()
                    + " packets, " + v6.reassemblyBytes() + " bytes");
        }
        int neighbours = stack.neighbors().size();
        if (neighbours > stack.options().get(ArpOptions.CACHE_SIZE)) {
            throw new AssertionError("ARP cache beyond its size: " + neighbours);
        }
        int sockets = stack.sockets().size();
        if (sockets > maxSockets) {
            throw new AssertionError(sockets + " sockets, more than " + maxSockets + ": " + stack.sockets());
        }
    }

    /** After every timer ran out: reassembly holds nothing. */
    void checkQuiescent() {
        check();
        Ipv4Service v4 = stack.service(Ipv4Service.class).orElseThrow();
        Ipv6Service v6 = stack.service(Ipv6Service.class).orElse(null);
        int held = v4.reassemblyBytes() + (v6 == null ? 0 : v6.reassemblyBytes());
        if (held != 0) {
            throw new AssertionError("reassembly still holds " + held + " bytes after its timeout");
        }
    }
}
