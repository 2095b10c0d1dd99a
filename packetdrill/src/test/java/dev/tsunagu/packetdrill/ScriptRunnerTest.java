package dev.tsunagu.packetdrill;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runner on scripts written here: a handshake, data and a close that the stack must pass,
 * and one wrong field at a time that it must report as FAIL at that line.
 */
class ScriptRunnerTest {
    private static final String PASSIVE_OPEN = """
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
            +0 bind(3, ..., ...) = 0
            +0 listen(3, 1) = 0
            +0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>
            +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
            +.05 < . 1:1(0) ack 1 win 1000
            +0 accept(3, ..., ...) = 4
            """;

    private static Verdict run(String text) throws Exception {
        return ScriptRunner.run(ScriptParser.parse(Path.of("inline.pkt"), text));
    }

    @Test
    void handshakeDataAndCloseThatMatch() throws Exception {
        Verdict v = run(PASSIVE_OPEN + """
                +0 write(4, ..., 3000) = 3000
                +0 > P. 1:3001(3000) ack 1
                +.05 < . 1:1(0) ack 3001 win 1000
                +0 < P. 1:101(100) ack 3001 win 1000
                +0 > . 3001:3001(0) ack 101
                +0...0 read(4, ..., 500) = 100
                +0 close(4) = 0
                +0 > F. 3001:3001(0) ack 101
                +.05 < F. 101:101(0) ack 3002 win 1000
                +0 > . 3002:3002(0) ack 102
                """);
        assertThat(v.result()).as(v.format(null)).isEqualTo(Verdict.Result.PASS);
    }

    @Test
    void aWrongAckIsReportedAtItsLine() throws Exception {
        Verdict v = run(PASSIVE_OPEN + """
                +0 write(4, ..., 1000) = 1000
                +0 > P. 1:1001(1000) ack 2
                """);
        assertThat(v.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(v.line()).isEqualTo(10);
        assertThat(v.message()).contains("ack 1, expected 2");
    }

    @Test
    void aPacketThatNeverLeavesIsReported() throws Exception {
        Verdict v = run(PASSIVE_OPEN + "+.5 > F. 1:1(0) ack 1\n");
        assertThat(v.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(v.message()).contains("nothing sent by");
    }

    @Test
    void wrongOptionsOnTheSynAckAreReported() throws Exception {
        Verdict v = run(PASSIVE_OPEN.replace("wscale 8>", "wscale 6>"));
        assertThat(v.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(v.line()).isEqualTo(6);
        assertThat(v.message()).contains("wscale 8");
    }

    @Test
    void aBlockingCallMustReturnWhenTheScriptSays() throws Exception {
        Verdict early = run(PASSIVE_OPEN + """
                +0...0.100 read(4, ..., 100) = 100
                +.05 < P. 1:101(100) ack 1 win 1000
                """);
        assertThat(early.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(early.message()).contains("read() returned at 0.100 s, expected at 0.150 s");
        Verdict onTime = run(PASSIVE_OPEN + """
                +0...0.050 read(4, ..., 100) = 100
                +.05 < P. 1:101(100) ack 1 win 1000
                """);
        assertThat(onTime.result()).as(onTime.format(null)).isEqualTo(Verdict.Result.PASS);
    }

    @Test
    void errnoOfANonBlockingSocket() throws Exception {
        Verdict v = run("""
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 fcntl(3, F_GETFL) = 0x802
                +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0 > S 0:0(0) <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 8>
                +.01 < S. 0:0(0) ack 1 win 5000 <mss 1000,nop,wscale 0>
                +0 > . 1:1(0) ack 1
                +0 read(3, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)
                +0 < R. 1:1(0) ack 1 win 0
                +0 read(3, ..., 10) = -1 ECONNRESET
                """);
        assertThat(v.result()).as(v.format(null)).isEqualTo(Verdict.Result.PASS);
    }

    @Test
    void whatTheStackLacksIsUnsupportedNotFailed() throws Exception {
        assertThat(run(PASSIVE_OPEN + "+0 setsockopt(4, SOL_TCP, TCP_FOO, [1], 4) = 0\n").message())
                .isEqualTo("setsockopt TCP_FOO");
        Verdict shell = run("`sysctl -q net.ipv4.tcp_no_such_thing=1`\n" + PASSIVE_OPEN);
        assertThat(shell.result()).isEqualTo(Verdict.Result.UNSUPPORTED);
        assertThat(shell.message()).contains("tcp_no_such_thing");
    }

    @Test
    void sysctlsBecomeStackOptions() throws Exception {
        // Without timestamps and SACK the SYN offers only MSS and window scale.
        Verdict v = run("""
                `sysctl -q net.ipv4.tcp_timestamps=0
                 sysctl -q net.ipv4.tcp_sack=0`
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0...0.010 connect(3, ..., ...) = 0
                +0 > S 0:0(0) <mss 1460,nop,wscale 8>
                +.01 < S. 0:0(0) ack 1 win 5000 <mss 1000,nop,wscale 0>
                +0 > . 1:1(0) ack 1
                """);
        assertThat(v.result()).as(v.format(null)).isEqualTo(Verdict.Result.PASS);
    }

    @Test
    void tcpInfoAssertionsAreCheckedWhereTheSocketTableHasTheField() throws Exception {
        String write = PASSIVE_OPEN + """
                +0 write(4, ..., 3000) = 3000
                +0 > P. 1:3001(3000) ack 1
                """;
        Verdict held = run(write + "+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%\n"
                + "+0 %{ assert 999 < tcpi_snd_mss <= 1000 }%\n");
        assertThat(held.result()).as(held.format(null)).isEqualTo(Verdict.Result.PASS);
        assertThat(held.message()).isEqualTo("2 tcp_info assertion blocks held");
        Verdict failed = run(write + "+0 %{\nassert tcpi_snd_cwnd == 9  # a comment\n}%\n");
        assertThat(failed.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(failed.line()).isEqualTo(11);
        assertThat(failed.message()).isEqualTo("assert tcpi_snd_cwnd == 9 failed: tcpi_snd_cwnd = 10");
        Verdict python = run(write + "+0 %{ print(tcpi_rtt) }%\n");
        assertThat(python.message()).isEqualTo("1 %{ python }% block not run");
    }

    @Test
    @Timeout(60)
    void aBlockingCallThatNeverReturnsIsReportedNotWaitedForForEver() throws Exception {
        Verdict v = run(PASSIVE_OPEN + """
                +0...0.100 read(4, ..., 100) = 100
                +.3 < . 1:1(0) ack 1 win 1000
                """);
        assertThat(v.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(v.message()).contains("read() had not returned at 0.154 s, expected at 0.150 s");
    }

    @Test
    void closeDuringConnectSendsNothingAndTheLateSynAckFindsNoSocket() throws Exception {
        Verdict v = run("""
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0 > S 0:0(0) <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 8>
                +0 close(3) = 0
                +.1 < S. 0:0(0) ack 1 win 5000 <mss 1000,nop,wscale 0>
                +0 > R 1:1(0)
                """);
        assertThat(v.result()).as(v.format(null)).isEqualTo(Verdict.Result.PASS);
    }

    @Test
    void aSendBufferSetOnAConnectedSocketHoldsTheWriter() throws Exception {
        String script = PASSIVE_OPEN + """
                +0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [3000], 4) = 0
                +0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [6000], [4]) = 0
                +0...0.090 write(4, ..., 10000) = 10000
                +0 > P. 1:6001(6000) ack 1
                +.09 < . 1:1(0) ack 6001 win 1000
                +0 > P. 6001:10001(4000) ack 1
                """;
        Verdict v = run(script);
        assertThat(v.result()).as(v.format(null)).isEqualTo(Verdict.Result.PASS);
        Verdict early = run(script.replace("+0...0.090 write", "+0 write"));
        assertThat(early.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(early.message()).contains("write() blocked");
    }

    @Test
    void ioctlAndEdgeTriggeredEpollFollowTheReceiveQueue() throws Exception {
        Verdict v = run(PASSIVE_OPEN + """
                +0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 epoll_create(1) = 5
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN|EPOLLOUT|EPOLLET, fd=4}) = 0
                +0 epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +0 < P. 1:501(500) ack 1 win 1000
                +0 > . 1:1(0) ack 501
                +0 ioctl(4, SIOCINQ, [500]) = 0
                +0 epoll_wait(5, {events=EPOLLIN|EPOLLOUT, fd=4}, 1, 0) = 1
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +0 read(4, ..., 200) = 200
                +0 ioctl(4, SIOCINQ, [300]) = 0
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +0 epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLIN, fd=4}) = 0
                +0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1
                +0 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, 0) = 1
                +0 epoll_ctl(5, EPOLL_CTL_DEL, 4, {events=0, fd=4}) = 0
                +0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                """);
        assertThat(v.result()).as(v.format(null)).isEqualTo(Verdict.Result.PASS);
        Verdict wrong = run(PASSIVE_OPEN + """
                +0 < P. 1:501(500) ack 1 win 1000
                +0 > . 1:1(0) ack 501
                +0 ioctl(4, SIOCINQ, [499]) = 0
                """);
        assertThat(wrong.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(wrong.message()).contains("value 500 (expected 499)");
    }

    @Test
    void aPollThatWaitsReturnsWhenDataArrivesOrItsTimeoutRunsOut() throws Exception {
        Verdict arrives = run(PASSIVE_OPEN + """
                +0...0.100 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 1000) = 1
                +.1 < P. 1:101(100) ack 1 win 1000
                """);
        assertThat(arrives.result()).as(arrives.format(null)).isEqualTo(Verdict.Result.PASS);
        Verdict times = run(PASSIVE_OPEN + """
                +0...0.050 poll([{fd=4, events=POLLIN, revents=0}], 1, 50) = 0
                """);
        assertThat(times.result()).as(times.format(null)).isEqualTo(Verdict.Result.PASS);
        Verdict late = run(PASSIVE_OPEN + """
                +0...0.200 poll([{fd=4, events=POLLIN, revents=0}], 1, 50) = 0
                """);
        assertThat(late.result()).isEqualTo(Verdict.Result.FAIL);
        assertThat(late.message()).contains("poll() returned at 0.100 s, expected at 0.250 s");
        Verdict epoll = run(PASSIVE_OPEN + """
                +0 epoll_create(1) = 5
                +0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLIN, fd=4}) = 0
                +0...0.020 epoll_wait(5, {events=EPOLLIN, fd=4}, 1, -1) = 1
                +.02 < P. 1:101(100) ack 1 win 1000
                """);
        assertThat(epoll.result()).as(epoll.format(null)).isEqualTo(Verdict.Result.PASS);
    }
}
