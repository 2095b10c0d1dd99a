package dev.tsunagu.ip.icmp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stack.TransportProtocol;
import java.util.function.BiConsumer;

/**
 * Where an ICMP or ICMPv6 error goes once its family has checked the quote and found it is
 * about a datagram we sent (RFC 1122 4.2.3.9, RFC 4443 2.4 (b)): to the family's pinger when it
 * quotes one of our echo requests, else to the transport whose datagram it quotes
 * ({@link TransportProtocol#receiveError}), and nowhere when no transport has that protocol.
 */
public final class IcmpErrorDelivery {
    private IcmpErrorDelivery() {}

    /**
     * @param quoted the quoted datagram's payload (its IP headers consumed); not owned
     * @param icmpProtocol the family's own ICMP protocol number, whose quotes are echo requests
     * @param pinger what takes errors about the family's echo requests
     */
    public static void deliver(StackContext ctx, IcmpErrorInfo error, int quotedProtocol, PacketBuffer quoted,
                               int icmpProtocol, BiConsumer<IcmpErrorInfo, PacketBuffer> pinger) {
        if (quotedProtocol == icmpProtocol) {
            pinger.accept(error, quoted);
            return;
        }
        TransportProtocol t = ctx.transportProtocol(quotedProtocol);
        if (t != null) {
            t.receiveError(error, quoted);
        }
    }
}
