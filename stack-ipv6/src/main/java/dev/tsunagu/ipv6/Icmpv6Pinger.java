package dev.tsunagu.ipv6;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.icmp.EchoRequests;
import dev.tsunagu.ip.icmp.Ipv6PingService;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ipv6.wire.Icmpv6Header;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stats.Counter;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * ICMPv6 echo requests (RFC 4443 4.1) behind the stack's one ping entry point: stack-ip's
 * {@code PingService} hands IPv6 targets here. The requests in flight are kept by stack-ip's
 * {@link EchoRequests}, as for ICMPv4; this builds and sends them.
 */
final class Icmpv6Pinger implements Ipv6PingService {
    /** 65535 minus the ICMPv6 header: the largest echo payload without jumbograms. */
    static final int MAX_PAYLOAD = 65527;

    private final Ipv6Layer ip;
    private final EventLoop loop;
    private final BufferPool buffers;
    private final StackContext ctx;
    /**
     * Made at the first ping, when its identifier is drawn: a draw at construction would shift the
     * random choices of every stack, IPv6 or not (see {@code Ipv6Layer}'s fragment id). Loop only.
     */
    private EchoRequests requests;
    private final Counter outEchos;

    Icmpv6Pinger(Ipv6Layer ip, StackContext ctx) {
        this.ip = ip;
        this.loop = ctx.loop();
        this.buffers = ctx.buffers();
        this.ctx = ctx;
        this.outEchos = ctx.counters("icmpv6").counter("OutEchos", "echo requests sent");
    }

    @Override
    public CompletableFuture<PingResult> ping(InetAddress target, int payloadSize, int ttl, Duration timeout) {
        if (payloadSize < 0 || payloadSize > MAX_PAYLOAD) {
            throw new IllegalArgumentException("ICMPv6 payload must be 0.." + MAX_PAYLOAD + " bytes: " + payloadSize);
        }
        if (!(IpAddress.of(target) instanceof Ipv6Address v6)) {
            CompletableFuture<PingResult> f = new CompletableFuture<>();
            f.completeExceptionally(new NoRouteToHostException("the IPv6 ping was given an IPv4 address: " + target));
            return f;
        }
        return EchoRequests.onLoop(loop, f -> send(v6, payloadSize, ttl, timeout, f));
    }

    private void send(Ipv6Address target, int size, int hopLimit, Duration timeout, CompletableFuture<PingResult> f) {
        Ipv6Address source = (Ipv6Address) ip.sourceAddressFor(target);
        if (source == null) {
            f.completeExceptionally(new NoRouteToHostException("no route to host " + target));
            return;
        }
        if (requests == null) {
            requests = new EchoRequests(loop, ctx.random().nextInt(0x10000));
        }
        int seq = requests.start(target, timeout.toNanos(), f);
        if (seq < 0) {
            return;
        }
        PacketBuffer b = requests.newRequest(buffers, Icmpv6Header.TYPE_ECHO_REQUEST, seq, size, loop.now());
        Icmpv6Header.setChecksum(b, source, target);
        outEchos.increment();
        if (ip.send(b, source, target, IpProtocol.ICMPV6, hopLimit, 0, false) == IpService.NO_ROUTE) {
            requests.abandon(seq, new NoRouteToHostException("no route to host " + target));
        }
    }

    void onReply(IpPacketInfo info, PacketBuffer p) {
        if (requests == null) {
            return; // we never pinged: not our reply
        }
        requests.reply(info, p);
    }

    /** An ICMPv6 error quoting one of our echo requests ({@code quoted} starts at its ICMPv6 header). */
    void onError(IcmpErrorInfo error, PacketBuffer quoted) {
        if (requests != null) {
            requests.error(error, quoted, Icmpv6Header.TYPE_ECHO_REQUEST);
        }
    }

    void close() {
        if (requests != null) {
            requests.close();
        }
    }
}
