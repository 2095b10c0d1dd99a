package dev.tsunagu.ipv6;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ipv6.nd.NeighborCache;
import dev.tsunagu.ipv6.wire.Icmpv6Header;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import dev.tsunagu.ipv6.wire.NdMessage;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.NeighborResolver;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Neighbor Discovery (RFC 4861) and the address autoconfiguration a host does (RFC 4862): IPv6's
 * {@link NeighborResolver} (multicast next hops map straight to {@code 33:33:…}, unicast ones go
 * through the {@link NeighborCache}), the answers to solicitations, Duplicate Address Detection,
 * and what a host takes from Router Advertisements.
 *
 * <p><b>Validity</b> (7.1, 6.1.2): every message must arrive with hop limit 255 (so it cannot
 * have come through a router), code 0, enough length and well-formed options; a Neighbor
 * Solicitation's target must not be multicast, and one from {@code ::} (DAD) must go to a
 * solicited-node group and carry no source link-layer address; an Advertisement to a group must
 * not claim to be solicited; a Router Advertisement must come from a link-local address.
 * Everything else is dropped and counted in the {@code nd} group.
 *
 * <p><b>DAD</b> (RFC 4862 5.4): each address starts TENTATIVE; {@code ipv6.dadTransmits}
 * solicitations from {@code ::} go to its solicited-node group, one RetransTimer apart; an
 * advertisement for it, or another node's DAD solicitation for it, means a duplicate and the
 * address is given up (logged, {@code DadDuplicates}); silence makes it PREFERRED. The random
 * initial delay of 5.4.2 is not applied. When the last tentative address is settled either way,
 * the layer's {@code addressesReady()} futures complete.
 *
 * <p><b>Router Advertisements</b> (6.3.4), unless {@code ipv6.acceptRa} is off or the stack
 * forwards: a non-zero router lifetime makes the sender a default router for that long; the MTU
 * option lowers the link MTU (never below 1280 nor above the interface's); a Prefix Information
 * option with L set adds an on-link route for its valid lifetime, and with A set and a /64
 * prefix forms an address from the interface identifier (SLAAC, 5.5.3), which goes through DAD.
 * A host sends one Router Solicitation when its link-local address becomes usable. Redirects
 * are counted and ignored.
 */
final class NeighborDiscovery implements NeighborResolver {
    private static final Logger log = LoggerFactory.getLogger(NeighborDiscovery.class);

    private final Ipv6Layer ip;
    private final StackContext ctx;
    private final NeighborCache cache;
    private final MulticastListenerDiscovery mld;
    private final int dadTransmits;
    private final long retransNanos;
    private final boolean acceptRa;
    private final boolean stableAddresses;
    private final String stableSecret;
    /**
     * RFC 7217 identifiers, made at the first stable address: a secret drawn from the stack's
     * random generator then, not at construction, leaves every other random choice of a stack
     * that never makes one as its seed had it.
     */
    private StableInterfaceIdentifiers stable;
    /** {@link Ipv6Layer#addressesReady} futures waiting for the last tentative address. */
    private final List<CompletableFuture<Void>> readyWaiters = new ArrayList<>();

    private final Counter inSolicits;
    private final Counter inAdverts;
    private final Counter inRouterSolicits;
    private final Counter inRouterAdverts;
    private final Counter inRedirects;
    private final Counter outSolicits;
    private final Counter outAdverts;
    private final Counter outRouterSolicits;
    private final Counter dropBadHopLimit;
    private final Counter dropBadCode;
    private final Counter dropTruncated;
    private final Counter dropBadOptions;
    private final Counter dropInvalid;
    private final Counter notForUs;
    private final Counter dadDuplicates;
    private final Counter addressConflicts;

    NeighborDiscovery(Ipv6Layer ip, StackContext ctx) {
        this.ip = ip;
        this.ctx = ctx;
        this.dadTransmits = ctx.option(Ipv6Options.DAD_TRANSMITS);
        this.retransNanos = ctx.option(Ipv6Options.RETRANS_TIMER).toNanos();
        this.acceptRa = ctx.option(Ipv6Options.ACCEPT_RA) && !ctx.option(Ipv6Options.FORWARDING);
        this.mld = new MulticastListenerDiscovery(ip, ctx);
        this.stableAddresses = ctx.option(Ipv6Options.ADDRESS_GENERATION) == Ipv6Options.AddressGeneration.STABLE;
        this.stableSecret = ctx.option(Ipv6Options.STABLE_SECRET);
        if (!stableSecret.isEmpty() && stableSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 16) {
            throw new IllegalArgumentException("ipv6.stableSecret must be at least 16 bytes (RFC 7217 5: 128 bits)");
        }
        CounterGroup c = ctx.counters("nd");
        inSolicits = c.counter("InNeighborSolicits", "neighbor solicitations received (valid)");
        inAdverts = c.counter("InNeighborAdverts", "neighbor advertisements received (valid)");
        inRouterSolicits = c.counter("InRouterSolicits", "router solicitations received (a host ignores them)");
        inRouterAdverts = c.counter("InRouterAdverts", "router advertisements received (valid)");
        inRedirects = c.counter("InRedirects", "redirects received (ignored)");
        outSolicits = c.counter("OutNeighborSolicits", "neighbor solicitations sent (DAD included)");
        outAdverts = c.counter("OutNeighborAdverts", "neighbor advertisements sent");
        outRouterSolicits = c.counter("OutRouterSolicits", "router solicitations sent");
        dropBadHopLimit = c.counter("DropBadHopLimit", "messages whose hop limit was not 255 (RFC 4861 7.1)");
        dropBadCode = c.counter("DropBadCode", "messages with a code other than 0");
        dropTruncated = c.counter("DropTruncated", "messages shorter than their type's fixed part");
        dropBadOptions = c.counter("DropBadOptions", "messages with an option of length 0 or past the end");
        dropInvalid = c.counter("DropInvalid", "messages breaking another validity rule (multicast target, DAD form, RA source)");
        notForUs = c.counter("NotForUs", "solicitations for addresses that are not ours (not answered)");
        dadDuplicates = c.counter("DadDuplicates", "addresses given up because another node has them (DAD)");
        addressConflicts = c.counter("AddressConflicts", "advertisements from another node for one of our preferred addresses");
        cache = new NeighborCache(ctx.loop(), ctx.random(), c, this::solicit,
                (iface, p, type, mac) -> ctx.linkLayer().transmit(iface, p, type, mac),
                retransNanos, ctx.option(Ipv6Options.REACHABLE_TIME).toNanos(),
                ctx.option(Ipv6Options.NEIGHBOR_CACHE_SIZE), ctx.option(Ipv6Options.QUEUE_PER_NEIGHBOR));
    }

    NeighborCache cache() {
        return cache;
    }

    MulticastListenerDiscovery mld() {
        return mld;
    }

    // ---- NeighborResolver ----

    @Override
    public AddressFamily family() {
        return AddressFamily.IPV6;
    }

    @Override
    public void send(NetInterface iface, PacketBuffer packet, int etherType, IpAddress nextHop) {
        Ipv6Address a = (Ipv6Address) nextHop;
        if (a.isMulticast()) {
            ctx.linkLayer().transmit(iface, packet, etherType, Ipv6Addresses.multicastMac(a));
        } else {
            cache.send(iface, packet, etherType, a);
        }
    }

    @Override
    public void flush(NetInterface iface) {
        cache.flush(iface);
    }

    void close() {
        cache.clear();
    }

    // ---- addresses and DAD ----

    /** Adds an address to {@code s}: TENTATIVE until DAD has run, unless DAD is off or has run already (start). */
    void addAddress(Ipv6Interface s, Ipv6Prefix prefix, boolean autoconfigured) {
        Ipv6Interface.Address a = new Ipv6Interface.Address(prefix, autoconfigured,
                dadTransmits == 0 ? Ipv6Interface.AddressState.PREFERRED : Ipv6Interface.AddressState.TENTATIVE);
        a.dadProbesLeft = dadTransmits;
        s.addresses.add(a);
    }

    /**
     * Starts DAD for every tentative address (the interfaces are up now), after joining their
     * solicited-node groups with an MLD report (RFC 4862 5.4.2: the join comes first).
     */
    void startDuplicateAddressDetection() {
        for (Ipv6Interface s : ip.interfaceStates()) {
            mld.joined(s, MulticastListenerDiscovery.groups(s));
            for (Ipv6Interface.Address a : s.addresses()) {
                if (a.state == Ipv6Interface.AddressState.TENTATIVE) {
                    probe(s, a);
                } else if (Ipv6Addresses.isLinkLocal(a.address())) {
                    becamePreferred(s, a);
                }
            }
        }
    }

    /** One DAD step: another solicitation, or, when all were sent and a RetransTimer passed in silence, PREFERRED. */
    private void probe(Ipv6Interface s, Ipv6Interface.Address a) {
        if (!s.addresses.contains(a) || a.state != Ipv6Interface.AddressState.TENTATIVE) {
            return; // given up as a duplicate meanwhile
        }
        if (a.dadProbesLeft == 0) {
            a.state = Ipv6Interface.AddressState.PREFERRED;
            log.debug("{}: {} {} is preferred", ctx.stackName(), s.iface().name(), a.prefix());
            becamePreferred(s, a);
            settled();
            return;
        }
        a.dadProbesLeft--;
        sendSolicitation(s.iface(), Ipv6Address.ANY, Ipv6Addresses.solicitedNode(a.address()), a.address(), -1);
        Timer t = ctx.loop().newTimer("dad " + a.address(), () -> probe(s, a));
        t.scheduleAfter(retransNanos);
    }

    private void becamePreferred(Ipv6Interface s, Ipv6Interface.Address a) {
        if (acceptRa && Ipv6Addresses.isLinkLocal(a.address()) && s.iface().needsAddressResolution()) {
            // RFC 4861 6.3.7: ask for a Router Advertisement rather than wait for the next one.
            PacketBuffer b = message(Icmpv6Header.TYPE_ROUTER_SOLICITATION, NdMessage.RS_OPTIONS);
            NdMessage.appendLinkAddress(b, NdMessage.OPTION_SOURCE_LINK_ADDRESS, s.iface().macBits());
            outRouterSolicits.increment();
            ip.sendOnLink(s.iface(), b, a.address(), Ipv6Addresses.ALL_ROUTERS);
        }
    }

    /**
     * DAD found another node with {@code a}: give it up (RFC 4862 5.4.5). A stable SLAAC address
     * is made again with the next DAD_Counter, at most {@link StableInterfaceIdentifiers#IDGEN_RETRIES}
     * times (RFC 7217 6).
     */
    private void duplicate(Ipv6Interface s, Ipv6Interface.Address a) {
        dadDuplicates.increment();
        s.addresses.remove(a);
        log.warn("{}: {} {} is in use by another node on the link: address given up (duplicate address detection)",
                ctx.stackName(), s.iface().name(), a.address());
        if (stableAddresses && a.autoconfigured && a.dadCounter < StableInterfaceIdentifiers.IDGEN_RETRIES) {
            StableInterfaceIdentifiers.Generated g = stable().generate(a.address(), s.iface().name(), a.dadCounter + 1);
            if (g.dadCounter() <= StableInterfaceIdentifiers.IDGEN_RETRIES && s.find(g.address()) == null) {
                autoconfigure(s, g.address(), g.dadCounter());
            }
        }
        settled();
    }

    private StableInterfaceIdentifiers stable() {
        if (stable == null) {
            byte[] secret;
            if (stableSecret.isEmpty()) {
                secret = new byte[16];
                ctx.random().nextBytes(secret);
            } else {
                secret = stableSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            stable = new StableInterfaceIdentifiers(secret);
        }
        return stable;
    }

    /** Completes {@code f} when no address is tentative: now, or when DAD ends for the last one. */
    void whenAddressesReady(CompletableFuture<Void> f) {
        if (anyTentative()) {
            readyWaiters.add(f);
        } else {
            f.complete(null);
        }
    }

    /** An address left TENTATIVE: the waiters are done if it was the last. */
    private void settled() {
        if (!readyWaiters.isEmpty() && !anyTentative()) {
            List<CompletableFuture<Void>> done = List.copyOf(readyWaiters);
            readyWaiters.clear();
            done.forEach(f -> f.complete(null));
        }
    }

    private boolean anyTentative() {
        for (Ipv6Interface s : ip.interfaceStates()) {
            for (Ipv6Interface.Address a : s.addresses()) {
                if (a.state == Ipv6Interface.AddressState.TENTATIVE) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- messages ----

    private PacketBuffer message(int type, int fixedLength) {
        PacketBuffer b = ctx.buffers().acquire(fixedLength + 8);
        b.append(fixedLength);
        b.fill(0, fixedLength, (byte) 0);
        b.setU8(Icmpv6Header.TYPE, type);
        return b;
    }

    /** The NeighborCache's solicitor: an address-resolution (multicast) or reachability (unicast) probe. */
    private void solicit(NetInterface iface, Ipv6Address target, long unicastMac) {
        Ipv6Interface s = ip.interfaceState(iface);
        Ipv6Address source = s == null ? null : s.sourceFor(target);
        if (source == null) {
            return; // nothing preferred yet: the cache retries, and gives up in time
        }
        Ipv6Address destination = unicastMac < 0 ? Ipv6Addresses.solicitedNode(target) : target;
        sendSolicitation(iface, source, destination, target, unicastMac);
    }

    private void sendSolicitation(NetInterface iface, Ipv6Address source, Ipv6Address destination, Ipv6Address target,
                                  long unicastMac) {
        PacketBuffer b = message(Icmpv6Header.TYPE_NEIGHBOR_SOLICITATION, NdMessage.NS_NA_OPTIONS);
        Ipv6Header.setAddress(b, NdMessage.TARGET, target);
        if (!source.isAny()) {
            // RFC 4861 4.3: the source link-layer address, except in DAD (7.2.2 / RFC 4862 5.4.2).
            NdMessage.appendLinkAddress(b, NdMessage.OPTION_SOURCE_LINK_ADDRESS, iface.macBits());
        }
        outSolicits.increment();
        if (unicastMac >= 0) {
            // A reachability probe goes to the MAC we have, not through the cache it is checking.
            Icmpv6Header.setChecksum(b, source, destination);
            Ipv6Header.prepend(b, 0, 0, IpProtocol.ICMPV6, 255, source, destination);
            ctx.linkLayer().transmit(iface, b, EtherType.IPV6, unicastMac);
            return;
        }
        ip.sendOnLink(iface, b, source, destination);
    }

    /** A Neighbor Discovery message of {@code type} (its checksum verified); does not take ownership. */
    void receive(IpPacketInfo info, PacketBuffer p, int type) {
        if (info.ttl() != 255) {
            dropBadHopLimit.increment();
            return;
        }
        if (Icmpv6Header.code(p) != 0) {
            dropBadCode.increment();
            return;
        }
        Ipv6Interface s = ip.interfaceState(info.inInterface());
        if (s == null) {
            dropInvalid.increment();
            return;
        }
        switch (type) {
            case Icmpv6Header.TYPE_NEIGHBOR_SOLICITATION -> solicitation(s, info, p);
            case Icmpv6Header.TYPE_NEIGHBOR_ADVERTISEMENT -> advertisement(s, info, p);
            case Icmpv6Header.TYPE_ROUTER_ADVERTISEMENT -> routerAdvertisement(s, info, p);
            case Icmpv6Header.TYPE_ROUTER_SOLICITATION -> inRouterSolicits.increment();
            default -> inRedirects.increment();
        }
    }

    private boolean checkLength(PacketBuffer p, int fixed) {
        if (p.length() < fixed) {
            dropTruncated.increment();
            return false;
        }
        if (!NdMessage.optionsValid(p, fixed)) {
            dropBadOptions.increment();
            return false;
        }
        return true;
    }

    /** 7.1.1 validity, 7.2.3 handling, 7.2.4 the answer; RFC 4862 5.4.3 for our tentative addresses. */
    private void solicitation(Ipv6Interface s, IpPacketInfo info, PacketBuffer p) {
        if (!checkLength(p, NdMessage.NS_NA_OPTIONS)) {
            return;
        }
        Ipv6Address target = NdMessage.target(p);
        Ipv6Address source = (Ipv6Address) info.source();
        int sllaAt = NdMessage.findOption(p, NdMessage.NS_NA_OPTIONS, NdMessage.OPTION_SOURCE_LINK_ADDRESS);
        if (target.isMulticast()
                || (source.isAny() && (!Ipv6Addresses.isSolicitedNode((Ipv6Address) info.destination()) || sllaAt >= 0))) {
            dropInvalid.increment();
            return;
        }
        inSolicits.increment();
        Ipv6Interface.Address ours = s.find(target);
        if (ours == null) {
            notForUs.increment();
            return;
        }
        if (ours.state == Ipv6Interface.AddressState.TENTATIVE) {
            if (source.isAny()) {
                duplicate(s, ours); // another node is checking the same address
            }
            return;
        }
        long mac = NdMessage.linkAddress(p, sllaAt);
        if (!source.isAny() && mac >= 0) {
            cache.learn(s.iface(), source, mac, false);
        }
        boolean toAll = source.isAny();
        PacketBuffer b = message(Icmpv6Header.TYPE_NEIGHBOR_ADVERTISEMENT, NdMessage.NS_NA_OPTIONS);
        b.setU8(NdMessage.NA_FLAGS, (toAll ? 0 : NdMessage.FLAG_SOLICITED) | NdMessage.FLAG_OVERRIDE
                | (ctx.option(Ipv6Options.FORWARDING) ? NdMessage.FLAG_ROUTER : 0));
        Ipv6Header.setAddress(b, NdMessage.TARGET, target);
        NdMessage.appendLinkAddress(b, NdMessage.OPTION_TARGET_LINK_ADDRESS, s.iface().macBits());
        outAdverts.increment();
        ip.sendOnLink(s.iface(), b, target, toAll ? Ipv6Addresses.ALL_NODES : source);
    }

    /** 7.1.2 validity, 7.2.5 handling; an advertisement for one of our addresses is DAD's duplicate. */
    private void advertisement(Ipv6Interface s, IpPacketInfo info, PacketBuffer p) {
        if (!checkLength(p, NdMessage.NS_NA_OPTIONS)) {
            return;
        }
        Ipv6Address target = NdMessage.target(p);
        int flags = NdMessage.flags(p);
        boolean solicited = (flags & NdMessage.FLAG_SOLICITED) != 0;
        if (target.isMulticast() || (info.destination().isMulticast() && solicited)) {
            dropInvalid.increment();
            return;
        }
        inAdverts.increment();
        Ipv6Interface.Address ours = s.find(target);
        if (ours != null) {
            if (ours.state == Ipv6Interface.AddressState.TENTATIVE) {
                duplicate(s, ours);
            } else {
                addressConflicts.increment();
                log.warn("{}: {} another node advertises our address {}", ctx.stackName(), s.iface().name(), target);
            }
            return;
        }
        long mac = NdMessage.linkAddress(p, NdMessage.findOption(p, NdMessage.NS_NA_OPTIONS,
                NdMessage.OPTION_TARGET_LINK_ADDRESS));
        cache.advertisement(s.iface(), target, mac, solicited, (flags & NdMessage.FLAG_OVERRIDE) != 0,
                (flags & NdMessage.FLAG_ROUTER) != 0);
    }

    /** 6.1.2 validity, 6.3.4 processing (see the class comment for what is taken). */
    private void routerAdvertisement(Ipv6Interface s, IpPacketInfo info, PacketBuffer p) {
        if (!checkLength(p, NdMessage.RA_OPTIONS)) {
            return;
        }
        Ipv6Address router = (Ipv6Address) info.source();
        if (!Ipv6Addresses.isLinkLocal(router)) {
            dropInvalid.increment();
            return;
        }
        inRouterAdverts.increment();
        if (!acceptRa) {
            return;
        }
        NetInterface iface = s.iface();
        long now = ctx.loop().now();
        int curHopLimit = p.getU8(NdMessage.RA_CUR_HOP_LIMIT);
        if (curHopLimit != 0) {
            ip.defaultHopLimit = curHopLimit;
        }
        long mac = NdMessage.linkAddress(p, NdMessage.findOption(p, NdMessage.RA_OPTIONS,
                NdMessage.OPTION_SOURCE_LINK_ADDRESS));
        if (mac >= 0) {
            cache.learn(iface, router, mac, true);
        }
        int lifetime = p.getU16(NdMessage.RA_ROUTER_LIFETIME);
        Ipv6Prefix defaultRoute = Ipv6Prefix.parse("::/0");
        ip.routes().removeIf(r -> r.destination().equals(defaultRoute) && r.gateway().equals(router) && r.iface() == iface);
        if (lifetime > 0) {
            ip.routes().add(new Ipv6Route(defaultRoute, router, iface, 1024, null, now + lifetime * 1_000_000_000L));
        }
        int at = NdMessage.RA_OPTIONS;
        while (at < p.length()) {
            int type = p.getU8(at);
            int len = p.getU8(at + 1) * 8;
            if (type == NdMessage.OPTION_MTU && len == 8) {
                long mtu = p.getU32(at + 4);
                if (mtu >= Ipv6Header.MIN_MTU && mtu <= iface.mtu()) {
                    s.linkMtu = (int) mtu;
                }
            } else if (type == NdMessage.OPTION_PREFIX_INFORMATION && len == 32) {
                prefixInformation(s, p, at, now);
            }
            at += len;
        }
    }

    /** RFC 4861 6.3.4 (on-link prefixes) and RFC 4862 5.5.3 (SLAAC) for one Prefix Information option. */
    private void prefixInformation(Ipv6Interface s, PacketBuffer p, int at, long now) {
        int length = p.getU8(at + NdMessage.PREFIX_LENGTH);
        int flags = p.getU8(at + NdMessage.PREFIX_FLAGS);
        long valid = p.getU32(at + NdMessage.PREFIX_VALID_LIFETIME);
        long preferred = p.getU32(at + NdMessage.PREFIX_PREFERRED_LIFETIME);
        Ipv6Address prefixAddress = new Ipv6Address(p.getI64(at + NdMessage.PREFIX), p.getI64(at + NdMessage.PREFIX + 8));
        if (length > 128 || Ipv6Addresses.isLinkLocal(prefixAddress) || prefixAddress.isMulticast()) {
            return;
        }
        Ipv6Prefix prefix = new Ipv6Prefix(new Ipv6Prefix(prefixAddress, length).network(), length);
        long expires = valid == 0xFFFF_FFFFL ? Long.MAX_VALUE : now + valid * 1_000_000_000L;
        if ((flags & NdMessage.PREFIX_FLAG_ON_LINK) != 0) {
            ip.routes().removeIf(r -> r.destination().equals(prefix) && r.isOnLink() && r.iface() == s.iface()
                    && r.expiresAtNanos() != Long.MAX_VALUE);
            if (valid > 0 && ip.routes().find(prefix, Ipv6Address.ANY, s.iface()) == null) {
                ip.routes().add(new Ipv6Route(prefix, Ipv6Address.ANY, s.iface(), 0, null, expires));
            }
        }
        if ((flags & NdMessage.PREFIX_FLAG_AUTONOMOUS) != 0 && length == 64 && valid > 0 && preferred <= valid) {
            if (!stableAddresses) {
                Ipv6Address address = Ipv6Addresses.withInterfaceIdentifier(prefix.address(), s.iface().macBits());
                if (s.find(address) == null) {
                    autoconfigure(s, address, 0);
                }
            } else if (s.addresses.stream().noneMatch(a -> a.autoconfigured && a.address().high() == prefix.address().high())) {
                // One stable address per prefix: a later advertisement finds it (or its successor after a duplicate).
                StableInterfaceIdentifiers.Generated g = stable().generate(prefix.address(), s.iface().name(), 0);
                if (s.find(g.address()) == null) {
                    autoconfigure(s, g.address(), g.dadCounter());
                }
            }
        }
    }

    /** Adds the SLAAC address {@code address} (RFC 4862 5.5.3): joins its group if new, then DAD. */
    private void autoconfigure(Ipv6Interface s, Ipv6Address address, int dadCounter) {
        Ipv6Address group = Ipv6Addresses.solicitedNode(address);
        boolean newGroup = !MulticastListenerDiscovery.groups(s).contains(group);
        addAddress(s, new Ipv6Prefix(address, 64), true);
        Ipv6Interface.Address a = s.find(address);
        a.dadCounter = dadCounter;
        if (newGroup) {
            mld.joined(s, List.of(group)); // before its DAD (RFC 4862 5.4.2)
        }
        if (a.state == Ipv6Interface.AddressState.TENTATIVE) {
            probe(s, a);
        }
    }
}
