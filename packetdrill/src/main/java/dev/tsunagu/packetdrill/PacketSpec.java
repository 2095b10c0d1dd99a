package dev.tsunagu.packetdrill;

import java.util.List;

/**
 * A packet line: {@code < S. 0:0(0) ack 1 win 32792 <mss 1000,nop,wscale 7>}. Sequence numbers
 * are the script's, relative to the initial sequence numbers (the runner maps them to the wire
 * and back). Fields left out ({@code ack}, {@code win}, the options as {@code <...>}) are not
 * checked on packets the stack sends; {@code null} marks them.
 *
 * @param inbound {@code <}: the runner injects it; {@code >}: the stack must send it
 * @param protocol "tcp", or "udp"/"icmp" (parsed, not run)
 * @param flags the flag letters as written ({@code S}, {@code P.}, {@code F.}, {@code SEW}, {@code -} for none)
 * @param ecn the IP ECN codepoint written in brackets ({@code ect0}, {@code ce}...), or null
 * @param options the TCP options in order, or null for {@code <...>} or none written with {@link #optionsAny}
 */
public record PacketSpec(boolean inbound, String protocol, String flags, long startSeq, long endSeq, int length,
                         Long ack, Integer window, Integer urgent, List<TcpOption> options, boolean optionsAny,
                         String ecn, String text) {
    /** One TCP option as written: {@code mss 1000}, {@code nop}, {@code TS val 100 ecr 0}, {@code sack 1:2 3:4}, {@code FO abcd}. */
    public record TcpOption(String kind, long[] values, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** Whether the flag letter is set: S F R P U E W, and '.' for ACK. */
    public boolean has(char flag) {
        return flags.indexOf(flag) >= 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
