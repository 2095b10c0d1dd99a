package dev.tsunagu.packetdrill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.packetdrill.Script.Packet;
import dev.tsunagu.packetdrill.Script.Syscall;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The language, line by line, on snippets written here (the corpus itself is parsed by {@link CorpusTest}). */
class ScriptParserTest {
    private static Script parse(String text) throws Exception {
        return ScriptParser.parse(Path.of("t.pkt"), text);
    }

    @Test
    void optionsInitCommandAndTimes() throws Exception {
        Script s = parse("""
                --tolerance_usecs=7000
                --strict_segments
                `../common/defaults.sh
                 sysctl -q net.ipv4.tcp_sack=0`
                // a comment
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +.25 close(3) = 0   // trailing comment
                1.5~+2 close(3) = -1 EBADF (Bad file number)
                * close(3) = 0
                """);
        assertThat(s.options()).containsEntry("tolerance_usecs", "7000").containsEntry("strict_segments", "");
        assertThat(s.events()).hasSize(5);
        assertThat(((Script.Shell) s.events().get(0).action()).command()).contains("tcp_sack=0");
        assertThat(s.events().get(1).line()).isEqualTo(6);
        assertThat(s.events().get(2).time().relative()).isTrue();
        assertThat(s.events().get(2).time().startMicros()).isEqualTo(250_000);
        assertThat(s.events().get(3).time().range()).isTrue();
        assertThat(s.events().get(3).time().endMicros()).isEqualTo(2_000_000);
        assertThat(((Syscall) s.events().get(3).action()).errno()).isEqualTo("EBADF");
        assertThat(s.events().get(4).time().any()).isTrue();
    }

    @Test
    void systemCallArgumentsOfEveryShape() throws Exception {
        Script s = parse("""
                +0...0.300 sendmsg(4, {msg_name(...)=...,
                     msg_iov(2)=[{..., 10}, {..., 20}], msg_flags=0}, MSG_MORE|MSG_DONTWAIT) = 30
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 poll([{fd=4, events=POLLIN, revents=POLLOUT}], 1, 0x10) = 1
                +0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
                +0 write(3, "ab\\"c"..., -1) = -1 EFAULT
                """);
        Syscall send = (Syscall) s.events().get(0).action();
        assertThat(send.blocking()).isTrue();
        assertThat(send.blockingEndMicros()).isEqualTo(300_000);
        assertThat(send.args()).hasSize(3);
        assertThat(send.args().get(1).toString()).isEqualTo("{msg_name(...)=..., msg_iov(2)=[{..., 10}, {..., 20}], msg_flags=0}");
        assertThat(send.args().get(2)).isEqualTo(new Expr.Or(new Expr.Word("MSG_MORE"), new Expr.Word("MSG_DONTWAIT")));
        Syscall poll = (Syscall) s.events().get(2).action();
        assertThat(poll.args().get(2)).isEqualTo(new Expr.Int(16));
        Syscall write = (Syscall) s.events().get(4).action();
        assertThat(write.args().get(1)).isEqualTo(new Expr.Str("ab\"c", true));
        assertThat(write.args().get(2)).isEqualTo(new Expr.Int(-1));
        assertThat(write.result()).isEqualTo(new Expr.Int(-1));
        assertThat(write.errno()).isEqualTo("EFAULT");
    }

    @Test
    void packetsWithFlagsRangesAndOptions() throws Exception {
        Script s = parse("""
                +0 < S 0:0(0) win 65535 <mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 7>
                +0 > S. 0:0(0) ack 1 <...>
                +0 < . 1:1(0) ack 1001 win 257 <sack 2001:3001 4001:5001,nop,nop>
                +0 > [ect0] P. 1:1461(1460) ack 1
                +0 < - 1:1(0) win 10 urg 3
                +0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]
                """);
        PacketSpec syn = ((Packet) s.events().get(0).action()).spec();
        assertThat(syn.inbound()).isTrue();
        assertThat(syn.has('S')).isTrue();
        assertThat(syn.ack()).isNull();
        assertThat(syn.window()).isEqualTo(65535);
        assertThat(syn.options()).extracting(PacketSpec.TcpOption::kind).containsExactly("mss", "sackOK", "TS", "nop", "wscale");
        assertThat(syn.options().get(2).values()).containsExactly(5, 0);
        PacketSpec synAck = ((Packet) s.events().get(1).action()).spec();
        assertThat(synAck.inbound()).isFalse();
        assertThat(synAck.optionsAny()).isTrue();
        assertThat(synAck.ack()).isEqualTo(1L);
        PacketSpec sack = ((Packet) s.events().get(2).action()).spec();
        assertThat(sack.options().get(0).values()).containsExactly(2001, 3001, 4001, 5001);
        PacketSpec data = ((Packet) s.events().get(3).action()).spec();
        assertThat(data.ecn()).isEqualTo("ect0");
        assertThat(data.length()).isEqualTo(1460);
        assertThat(data.endSeq()).isEqualTo(1461);
        PacketSpec none = ((Packet) s.events().get(4).action()).spec();
        assertThat(none.flags()).isEmpty();
        assertThat(none.urgent()).isEqualTo(3);
        assertThat(((Packet) s.events().get(5).action()).spec().protocol()).isEqualTo("icmp");
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> parse("0 socket(..., SOCK_STREAM) = 3\n+0 < S 0:5(0) win 1\n"))
                .isInstanceOf(ScriptParser.ParseException.class).hasMessageContaining("line 2")
                .hasMessageContaining("not 0 bytes");
        assertThatThrownBy(() -> parse("0 socket(..., SOCK_STREAM = 3\n"))
                .hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> parse("+0 < S. 0:0(0) ack 1 <mss 1000,bogus 3>\n"))
                .hasMessageContaining("unknown TCP option 'bogus 3'");
    }
}
