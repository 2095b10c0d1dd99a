package dev.tsunagu.ip;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.icmp.EchoRequests;
import dev.tsunagu.ip.icmp.Ipv6PingService;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.ip.wire.IcmpHeader;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
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
 * ICMP echo requests (RFC 792), the stack's ping entry point: IPv4 targets are sent here, IPv6
 * ones handed to the IPv6 layer's {@link Ipv6PingService} when the stack has one. The requests
 * in flight are kept by {@link EchoRequests}.
 */
final class Pinger implements PingService {
    private final Ipv4Layer ip;
    private final StackContext ctx;
    private final EventLoop loop;
    private final dev.tsunagu.buffer.BufferPool buffers;
    private final EchoRequests requests;
    private final Counter outEchos;

    Pinger(Ipv4Layer ip, StackContext ctx) {
        this.ip = ip;
        this.ctx = ctx;
        this.loop = ctx.loop();
        this.buffers = ctx.buffers();
        this.requests = new EchoRequests(loop, ctx.random().nextInt(0x10000));
        this.outEchos = ctx.counters("icmp").counter("OutEchos", "echo requests sent");
    }

    @Override
    public CompletableFuture<PingResult> ping(InetAddress target, int payloadSize, int ttl, Duration timeout) {
        if (!(IpAddress.of(target) instanceof Ipv4Address v4)) {
            // The IPv6 layer, if the stack has one, answers for its family.
            var v6 = ctx.service(Ipv6PingService.class);
            if (v6.isPresent()) {
                return v6.get().ping(target, payloadSize, ttl, timeout);
            }
            CompletableFuture<PingResult> f = new CompletableFuture<>();
            f.completeExceptionally(new NoRouteToHostException("cannot ping " + target.getHostAddress()
                    + ": this stack has no IPv6 layer (ICMPv6 echo needs one); it pings IPv4 addresses only"));
            return f;
        }
        if (payloadSize < 0 || payloadSize > 65507) {
            throw new IllegalArgumentException("ICMP payload must be 0..65507 bytes: " + payloadSize);
        }
        return EchoRequests.onLoop(loop, f -> send(v4, payloadSize, ttl, timeout, f));
    }

    private void send(Ipv4Address target, int size, int ttl, Duration timeout, CompletableFuture<PingResult> f) {
        int seq = requests.start(target, timeout.toNanos(), f);
        if (seq < 0) {
            return;
        }
        PacketBuffer b = requests.newRequest(buffers, IcmpHeader.TYPE_ECHO_REQUEST, seq, size, loop.now());
        b.setU16(IcmpHeader.CHECKSUM, InternetChecksum.compute(b.array(), b.start(), b.length()));
        outEchos.increment();
        if (ip.send(b, 0, target.bits(), IpProtocol.ICMP, ttl, 0, false) == IpService.NO_ROUTE) {
            requests.abandon(seq, new NoRouteToHostException("no route to host " + target));
        }
    }

    void onReply(IpPacketInfo info, PacketBuffer p) {
        requests.reply(info, p);
    }

    /** An ICMP error quoting one of our echo requests ({@code quoted} starts at its ICMP header). */
    void onError(IcmpErrorInfo error, PacketBuffer quoted) {
        requests.error(error, quoted, IcmpHeader.TYPE_ECHO_REQUEST);
    }

    void close() {
        requests.close();
    }
}
