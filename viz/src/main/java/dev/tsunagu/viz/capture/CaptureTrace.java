package dev.tsunagu.viz.capture;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import dev.tsunagu.link.capture.CapturedFrame;
import dev.tsunagu.link.capture.LinkType;
import dev.tsunagu.link.capture.PcapReader;
import dev.tsunagu.link.ethernet.EthernetFrame;
import dev.tsunagu.link.ethernet.EthernetRepr;
import dev.tsunagu.net.Endpoint;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.tcp.wire.TcpHeader;
import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.RetransmitReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The TCP conversations of a capture file (pcap or pcapng, read by stack-link's
 * {@link PcapReader}; Ethernet, raw IP or Linux cooked frames; IPv4, or IPv6 with TCP as the
 * first next header) as trace events, so a capture of a live run draws the ladder and the
 * time-sequence graph as a traced run does.
 *
 * <p>A capture sees each segment once, where it was taken. Each becomes a {@code SENT} event at
 * its source and a {@code RECEIVED} event at its destination, both at the time of capture: each
 * endpoint is a "stack" named by its address (by address and port when both ends share one). A
 * segment carrying data below the highest sequence number its sender had been seen to send is
 * a retransmission of unknown reason: the sender's decision is not on the wire, nor its
 * congestion window, slow-start threshold or timers. Windows are scaled as the handshake
 * agreed, when the capture holds the handshake. Times start at the first frame.
 *
 * <p>A frame that is not TCP, is a fragment, or is cut before the end of the TCP header is
 * passed over and counted; a damaged file ends the reading with the file's
 * {@link PcapReader.MalformedCaptureException} (what was read before is lost with it).
 */
public final class CaptureTrace {
    private static final int SLL_HEADER_LENGTH = 16;
    private static final int SLL_PROTOCOL = 14;

    private CaptureTrace() {
    }

    /**
     * What a capture held.
     *
     * @param events the trace events, in capture order
     * @param frames frames in the file
     * @param segments TCP segments read
     * @param skipped frames passed over: not TCP, a fragment, cut short, or of an unknown link type
     * @param dropped segments past the limit, not turned into events
     */
    public record Result(List<TcpTraceEvent> events, long frames, long segments, long skipped, long dropped) {
    }

    /** One segment as the capture shows it. */
    private record Seen(InetSocketAddress from, InetSocketAddress to, int seq, int ack, int flags, int window,
                        int length, int windowScale, List<TcpTraceEvent.SackBlock> sack) {
    }

    /** One direction of a connection: its name for the trace, what it agreed and what it sent. */
    private static final class Flow {
        final TcpConnectionId id;
        Flow reverse;
        int synScale = -1;
        boolean scaling;
        boolean sentAny;
        int highestEnd;

        Flow(TcpConnectionId id) {
            this.id = id;
        }
    }

    /** The TCP segments of {@code file}, at most {@code limit} (each gives two or three events). */
    public static Result read(Path file, int limit) throws IOException {
        List<TcpTraceEvent> events = new ArrayList<>();
        Map<List<InetSocketAddress>, Flow> flows = new HashMap<>();
        TcpHeader.Options options = new TcpHeader.Options();
        long frames = 0;
        long segments = 0;
        long skipped = 0;
        long dropped = 0;
        long t0 = Long.MIN_VALUE;
        try (PcapReader reader = PcapReader.open(file)) {
            for (CapturedFrame f = reader.next(); f != null; f = reader.next()) {
                frames++;
                Seen s = parse(f, options);
                if (s == null) {
                    skipped++;
                    continue;
                }
                segments++;
                if (segments > limit) {
                    dropped++;
                    continue;
                }
                if (t0 == Long.MIN_VALUE) {
                    t0 = f.timestampNanos();
                }
                add(events, flows, f.timestampNanos() - t0, s);
            }
        }
        return new Result(List.copyOf(events), frames, segments, skipped, dropped);
    }

    private static void add(List<TcpTraceEvent> events, Map<List<InetSocketAddress>, Flow> flows, long t, Seen s) {
        Flow out = flows.get(List.of(s.from(), s.to()));
        if (out == null) {
            boolean oneHost = s.from().getAddress().equals(s.to().getAddress());
            out = new Flow(new TcpConnectionId(name(s.from(), oneHost), s.from(), s.to()));
            Flow in = new Flow(new TcpConnectionId(name(s.to(), oneHost), s.to(), s.from()));
            out.reverse = in;
            in.reverse = out;
            flows.put(List.of(s.from(), s.to()), out);
            flows.put(List.of(s.to(), s.from()), in);
        }
        boolean syn = (s.flags() & TcpHeader.SYN) != 0;
        long window = s.window();
        if (syn) {
            out.synScale = s.windowScale();
            if ((s.flags() & TcpHeader.ACK) != 0) {
                // RFC 7323 2.2: scaling holds only if both SYNs carried the option.
                out.scaling = out.synScale >= 0 && out.reverse.synScale >= 0;
                out.reverse.scaling = out.scaling;
            }
        } else if (out.scaling) {
            window <<= out.synScale;
        }
        int sequenceLength = s.length() + (syn ? 1 : 0) + ((s.flags() & TcpHeader.FIN) != 0 ? 1 : 0);
        if (sequenceLength > 0) {
            int end = s.seq() + sequenceLength;
            if (out.sentAny && s.seq() - out.highestEnd < 0) {
                events.add(new TcpTraceEvent.Retransmission(t, out.id, s.seq(), s.length(), RetransmitReason.UNKNOWN));
            }
            if (!out.sentAny || end - out.highestEnd > 0) {
                out.highestEnd = end;
                out.sentAny = true;
            }
        }
        events.add(new TcpTraceEvent.Segment(t, out.id, Direction.SENT, s.seq(), s.ack(), s.flags(), window, s.length(),
                s.sack()));
        events.add(new TcpTraceEvent.Segment(t, out.reverse.id, Direction.RECEIVED, s.seq(), s.ack(), s.flags(), window,
                s.length(), s.sack()));
    }

    private static String name(InetSocketAddress a, boolean withPort) {
        return withPort ? Endpoint.format(a) : Endpoint.host(a.getAddress());
    }

    /** The TCP segment in {@code f}, or null if it holds none that can be read whole. */
    private static Seen parse(CapturedFrame f, TcpHeader.Options options) throws UnknownHostException {
        PacketBuffer b = PacketBuffer.copyOf(f.data(), 0);
        int etherType;
        switch (f.linkType()) {
            case LinkType.ETHERNET -> {
                EthernetRepr eth = EthernetRepr.parse(b);
                if (eth == null) {
                    return null;
                }
                etherType = eth.etherType();
                b.consume(EthernetFrame.HEADER_LENGTH);
            }
            case LinkType.LINUX_SLL -> {
                if (b.length() < SLL_HEADER_LENGTH) {
                    return null;
                }
                etherType = b.getU16(SLL_PROTOCOL);
                b.consume(SLL_HEADER_LENGTH);
            }
            case LinkType.RAW, LinkType.RAW_IPV4, LinkType.RAW_IPV6 -> {
                if (b.length() < 1) {
                    return null;
                }
                etherType = (b.getU8(0) >>> 4) == 6 ? EtherType.IPV6 : EtherType.IPV4;
            }
            default -> {
                return null;
            }
        }
        byte[] source;
        byte[] destination;
        if (etherType == EtherType.IPV4) {
            if (Ipv4Header.check(b) != Ipv4Header.Problem.OK || Ipv4Header.isFragment(b)
                    || Ipv4Header.protocol(b) != IpProtocol.TCP) {
                return null;
            }
            source = bytes(b, Ipv4Header.SOURCE, 4);
            destination = bytes(b, Ipv4Header.DESTINATION, 4);
            b.truncate(Ipv4Header.totalLength(b));
            b.consume(Ipv4Header.headerLength(b));
        } else if (etherType == EtherType.IPV6) {
            if (Ipv6Header.check(b) != Ipv6Header.Problem.OK || Ipv6Header.nextHeader(b) != IpProtocol.TCP) {
                return null;
            }
            source = bytes(b, Ipv6Header.SOURCE, 16);
            destination = bytes(b, Ipv6Header.DESTINATION, 16);
            b.truncate(Ipv6Header.HEADER_LENGTH + Ipv6Header.payloadLength(b));
            b.consume(Ipv6Header.HEADER_LENGTH);
        } else {
            return null;
        }
        if (b.length() < TcpHeader.HEADER_LENGTH || TcpHeader.headerLength(b) < TcpHeader.HEADER_LENGTH
                || TcpHeader.headerLength(b) > b.length()) {
            return null;
        }
        if (!TcpHeader.parseOptions(b, options)) {
            options.sackCount = 0; // malformed options: the segment still counts, without them
            options.windowScale = -1;
        }
        List<TcpTraceEvent.SackBlock> sack = new ArrayList<>(options.sackCount);
        for (int i = 0; i < options.sackCount; i++) {
            sack.add(new TcpTraceEvent.SackBlock(options.sackBlocks[2 * i], options.sackBlocks[2 * i + 1]));
        }
        return new Seen(new InetSocketAddress(InetAddress.getByAddress(source), TcpHeader.sourcePort(b)),
                new InetSocketAddress(InetAddress.getByAddress(destination), TcpHeader.destinationPort(b)),
                TcpHeader.sequence(b), TcpHeader.acknowledgment(b), TcpHeader.flags(b), TcpHeader.window(b),
                TcpHeader.payloadLength(b), options.windowScale, List.copyOf(sack));
    }

    private static byte[] bytes(PacketBuffer b, int offset, int length) {
        byte[] out = new byte[length];
        b.getBytes(offset, out, 0, length);
        return out;
    }
}
