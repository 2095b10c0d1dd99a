package dev.tsunagu.tcp.conformance;

import static dev.tsunagu.testkit.tcp.TcpPeer.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.tcp.TcpOptions.EcnMode;
import dev.tsunagu.testkit.tcp.TcpPeer;
import dev.tsunagu.testkit.tcp.TcpPeer.Seen;
import dev.tsunagu.testkit.wire.TcpOptions;
import dev.tsunagu.testkit.wire.TcpRepr;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 3168 6.1, ECN in TCP, one test per rule, against a raw peer that sets the IP ECN field
 * and the ECE and CWR flags itself: the negotiation in SYN and SYN-ACK (6.1.1) and its fallback
 * (6.1.1.1), which segments are ECT (6.1.1, 6.1.4–6.1.6), the receiver's echo (6.1.3) and the
 * sender's response (6.1.2).
 */
class TcpEcnConformanceTest {
    private static final int SYN = TcpRepr.SYN, ACK = TcpRepr.ACK, PSH = TcpRepr.PSH, ECE = TcpRepr.ECE, CWR = TcpRepr.CWR;
    private static final int NOT_ECT = 0, ECT_0 = 2, CE = 3;
    private static final int MSS = 1460;

    private TcpPeer peer;

    @AfterEach
    void tearDown() {
        if (peer != null) {
            peer.close();
        }
    }

    private TcpPeer start(EcnMode mode) {
        peer = TcpPeer.start(h -> h.option(dev.tsunagu.tcp.TcpOptions.ECN, mode)
                .option(dev.tsunagu.tcp.TcpOptions.INITIAL_WINDOW, 10));
        return peer;
    }

    private long counter(String name) {
        return peer.counter(name);
    }

    private String detail(String key) {
        return peer.stack.sockets().stream().filter(r -> r.remote() != null).findFirst().orElseThrow().details().get(key);
    }

    /** The stack connects; returns its SYN, unanswered. */
    private Seen stackSyn(CompletableFuture<TcpSocket> connecting) {
        Seen syn = peer.next(Duration.ZERO);
        assertThat(syn.tcp().control()).isEqualTo(TcpRepr.Control.SYN);
        peer.stackPort = syn.tcp().sourcePort();
        peer.ack = syn.seq() + 1;
        return syn;
    }

    private CompletableFuture<TcpSocket> connect(TcpSocketOptions options) {
        return peer.stack.tcp().connectAsync(new InetSocketAddress(TcpPeer.PEER_ADDRESS, peer.port), options);
    }

    /** The stack connects and the peer answers its SYN with a SYN-ACK of {@code synAckFlags}; returns the socket. */
    private TcpSocket connectAnswering(int synAckFlags, TcpSocketOptions options) {
        CompletableFuture<TcpSocket> f = connect(options);
        stackSyn(f);
        return answerSyn(f, synAckFlags);
    }

    private TcpSocket answerSyn(CompletableFuture<TcpSocket> f, int synAckFlags) {
        peer.sendWithOptions(peer.sndNxt, synAckFlags, TcpOptions.syn(MSS, -1, false), new byte[0]);
        peer.sndNxt++;
        Seen ack = peer.next(Duration.ZERO);
        assertThat(ack.isBareAck()).as("the handshake's ACK %s", ack).isTrue();
        assertThat(ack.ecn()).as("a pure ACK is not ECT (6.1.6)").isEqualTo(NOT_ECT);
        assertThat(f).isDone();
        return f.join();
    }

    /** The peer opens to a listener with a SYN of {@code synFlags}; returns the SYN-ACK, the handshake completed. */
    private Seen peerOpens(int synFlags) throws IOException {
        peer.listening(TcpPeer.LISTEN_PORT);
        CompletableFuture<TcpSocket> accepted = peer.listener.acceptAsync();
        peer.sendWithOptions(peer.sndNxt, synFlags, TcpOptions.syn(MSS, -1, false), new byte[0]);
        peer.sndNxt++;
        Seen synAck = peer.next(Duration.ZERO);
        assertThat(synAck.tcp().control()).isEqualTo(TcpRepr.Control.SYN);
        peer.ack = synAck.seq() + 1;
        peer.sendAck();
        assertThat(accepted).isDone();
        peer.socket = accepted.join();
        return synAck;
    }

    /** Data the stack's socket writes, as the segments it sends now. */
    private List<Seen> stackSends(TcpSocket s, int n) {
        s.writeAsync(bytes(n, 1), 0, n);
        return peer.takeNow().stream().filter(x -> x.length() > 0).toList();
    }

    /** A bare ACK from the peer of everything up to {@code ack}, with these flags. */
    private void peerAcks(int ack, int flags) {
        peer.ack = ack;
        peer.sendWithOptions(peer.sndNxt, ACK | flags, TcpOptions.NONE, new byte[0]);
    }

    private long cwnd() {
        return Long.parseLong(detail("cwnd"));
    }

    // ---- 6.1.1: negotiation ----

    @Test
    void rfc3168_6_1_1_byDefaultOurSynDoesNotAskForEcn() {
        start(EcnMode.ACCEPT);
        Seen syn = stackSyn(connect(TcpSocketOptions.DEFAULT));
        assertThat(syn.flags() & (ECE | CWR)).as("Linux's default, tcp_ecn=2: accept, do not ask").isZero();
    }

    @Test
    void rfc3168_6_1_1_anEcnSetupSynCarriesEceAndCwrAndIsNotEct() {
        start(EcnMode.ON);
        Seen syn = stackSyn(connect(TcpSocketOptions.DEFAULT));
        assertThat(syn.has(SYN | ECE | CWR)).as("an ECN-setup SYN: %s", Integer.toHexString(syn.flags())).isTrue();
        assertThat(syn.ecn()).as("a SYN is not ECT").isEqualTo(NOT_ECT);
    }

    @Test
    void rfc3168_6_1_1_anEcnSetupSynAckTurnsEcnOnAndNewDataGoesEct0() {
        start(EcnMode.ON);
        TcpSocket s = connectAnswering(SYN | ACK | ECE, TcpSocketOptions.DEFAULT);
        assertThat(counter("EcnConnections")).isEqualTo(1);
        assertThat(detail("opts")).contains("ecn");
        List<Seen> data = stackSends(s, 3 * MSS);
        assertThat(data).hasSize(3).allSatisfy(d -> {
            assertThat(d.ecn()).as("new data is ECT(0), not ECT(1)").isEqualTo(ECT_0);
            assertThat(d.flags() & (ECE | CWR)).as("no echo, no reduction yet").isZero();
        });
    }

    @Test
    void rfc3168_6_1_1_aSynAckWithEceAndCwrOrWithoutEceIsNoEcnSetup() {
        start(EcnMode.ON);
        TcpSocket both = connectAnswering(SYN | ACK | ECE | CWR, TcpSocketOptions.DEFAULT);
        assertThat(stackSends(both, MSS)).singleElement().satisfies(d -> assertThat(d.ecn()).isEqualTo(NOT_ECT));
        peer.port++;
        peer.sndNxt = peer.iss;
        TcpSocket none = connectAnswering(SYN | ACK, TcpSocketOptions.DEFAULT);
        assertThat(stackSends(none, MSS)).singleElement().satisfies(d -> assertThat(d.ecn()).isEqualTo(NOT_ECT));
        assertThat(counter("EcnConnections")).isZero();
    }

    @Test
    void rfc3168_6_1_1_anEcnSetupSynIsAnsweredWithEceAloneAndTheConnectionUsesEcn() throws IOException {
        start(EcnMode.ACCEPT);
        Seen synAck = peerOpens(SYN | ECE | CWR);
        assertThat(synAck.has(ECE)).as("an ECN-setup SYN-ACK has ECE").isTrue();
        assertThat(synAck.has(CWR)).as("and not CWR").isFalse();
        assertThat(synAck.ecn()).as("a SYN-ACK is not ECT").isEqualTo(NOT_ECT);
        assertThat(stackSends(peer.socket, MSS)).singleElement().satisfies(d -> assertThat(d.ecn()).isEqualTo(ECT_0));
    }

    @Test
    void rfc3168_6_1_1_withEcnOffAnEcnSetupSynIsAnsweredWithoutIt() throws IOException {
        start(EcnMode.OFF);
        Seen synAck = peerOpens(SYN | ECE | CWR);
        assertThat(synAck.flags() & (ECE | CWR)).isZero();
        assertThat(stackSends(peer.socket, MSS)).singleElement().satisfies(d -> assertThat(d.ecn()).isEqualTo(NOT_ECT));
    }

    @Test
    void rfc3168_6_1_1_aSynWithEceAloneIsNoEcnSetup() throws IOException {
        start(EcnMode.ACCEPT);
        Seen synAck = peerOpens(SYN | ECE);
        assertThat(synAck.flags() & (ECE | CWR)).isZero();
        assertThat(counter("EcnConnections")).isZero();
    }

    @Test
    void rfc3168_6_1_1_1_aSynSentAgainAfterATimeoutGoesWithoutEcnAndEcnStaysOff() {
        start(EcnMode.ON);
        CompletableFuture<TcpSocket> f = connect(TcpSocketOptions.DEFAULT);
        Seen first = stackSyn(f);
        assertThat(first.has(ECE | CWR)).isTrue();
        Seen again = peer.next(Duration.ofSeconds(2));
        assertThat(again.tcp().control()).isEqualTo(TcpRepr.Control.SYN);
        assertThat(again.flags() & (ECE | CWR)).as("a middlebox may drop ECN-setup SYNs: the next goes plain").isZero();
        assertThat(counter("EcnSynFallbacks")).isEqualTo(1);
        // The peer answers the first SYN with an ECN-setup SYN-ACK: too late, the stack asked no more.
        TcpSocket s = answerSyn(f, SYN | ACK | ECE);
        assertThat(stackSends(s, MSS)).singleElement().satisfies(d -> assertThat(d.ecn()).isEqualTo(NOT_ECT));
    }

    // ---- 6.1.4-6.1.6: what is ECT ----

    @Test
    void rfc3168_6_1_5_retransmissionsAreNotEct() {
        start(EcnMode.ON);
        TcpSocket s = connectAnswering(SYN | ACK | ECE, TcpSocketOptions.DEFAULT);
        Seen sent = stackSends(s, MSS).getFirst();
        assertThat(sent.ecn()).isEqualTo(ECT_0);
        Seen again = peer.next(Duration.ofSeconds(2)); // the retransmission timeout
        assertThat(again.seq()).isEqualTo(sent.seq());
        assertThat(again.ecn()).as("a retransmission is not ECT (6.1.5)").isEqualTo(NOT_ECT);
        assertThat(again.flags() & CWR).as("nor does it carry the timeout's CWR: new data does").isZero();
        peerAcks(sent.seq() + MSS, 0);
        Seen next = stackSends(s, MSS).getFirst();
        assertThat(next.ecn()).isEqualTo(ECT_0);
        assertThat(next.has(CWR)).as("the timeout reduced the window: CWR on the next new data (6.1.2)").isTrue();
    }

    @Test
    void rfc3168_6_1_4_and_6_1_6_windowProbesAndPureAcksAreNotEct() {
        start(EcnMode.ON);
        TcpSocket s = connectAnswering(SYN | ACK | ECE, TcpSocketOptions.DEFAULT);
        peer.sendData(bytes(100, 2));
        Seen ack = peer.next(Duration.ofSeconds(1));
        assertThat(ack.isBareAck()).isTrue();
        assertThat(ack.ecn()).as("a pure ACK").isEqualTo(NOT_ECT);
        peer.window = 0;
        peer.sendAck();
        s.writeAsync(bytes(100, 3), 0, 100);
        Seen probe = peer.next(Duration.ofSeconds(5));
        assertThat(probe.length()).as("a zero-window probe: %s", probe).isEqualTo(1);
        assertThat(probe.ecn()).as("a window probe").isEqualTo(NOT_ECT);
    }

    // ---- 6.1.3: the receiver ----

    @Test
    void rfc3168_6_1_3_aCeSegmentIsEchoedAtOnceAndOnEveryAckUntilCwr() throws IOException {
        start(EcnMode.ACCEPT);
        peerOpens(SYN | ECE | CWR);
        peer.tos = CE;
        peer.sendData(bytes(100, 4));
        peer.tos = ECT_0;
        Seen first = peer.next(Duration.ZERO);
        assertThat(first.has(ACK | ECE)).as("the echo starts with an ACK at once").isTrue();
        assertThat(first.ack()).isEqualTo(peer.sndNxt);
        assertThat(counter("EcnCeReceived")).isEqualTo(1);

        peer.sendData(bytes(100, 5)); // not marked: the echo goes on
        Seen second = peer.next(Duration.ofSeconds(1));
        assertThat(second.has(ECE)).as("ECE on every ACK until CWR").isTrue();
        // Data of the stack's own carries the ACK, so it carries ECE too.
        assertThat(stackSends(peer.socket, 100)).singleElement().satisfies(d -> assertThat(d.has(ACK | ECE)).isTrue());

        peer.sendWithOptions(peer.sndNxt, ACK | PSH | CWR, TcpOptions.NONE, bytes(100, 6));
        peer.sndNxt += 100;
        Seen after = peer.next(Duration.ofSeconds(1));
        assertThat(after.ack()).isEqualTo(peer.sndNxt);
        assertThat(after.has(ECE)).as("CWR ends the echo").isFalse();
    }

    @Test
    void rfc3168_6_1_3_aCeOnTheCwrSegmentStartsTheNextEcho() throws IOException {
        start(EcnMode.ACCEPT);
        peerOpens(SYN | ECE | CWR);
        peer.tos = CE;
        peer.sendData(bytes(100, 4));
        assertThat(peer.next(Duration.ZERO).has(ECE)).isTrue();
        peer.sendWithOptions(peer.sndNxt, ACK | PSH | CWR, TcpOptions.NONE, bytes(100, 6));
        peer.sndNxt += 100;
        assertThat(peer.next(Duration.ofSeconds(1)).has(ECE)).as("CWR taken, then the new CE").isTrue();
        assertThat(counter("EcnCeReceived")).isEqualTo(2);
    }

    @Test
    void rfc3168_6_1_3_withoutEcnACeIsNotEchoed() throws IOException {
        start(EcnMode.ACCEPT);
        peerOpens(SYN);
        peer.tos = CE;
        peer.sendData(bytes(100, 4));
        Seen ack = peer.next(Duration.ofSeconds(1));
        assertThat(ack.has(ECE)).isFalse();
        assertThat(counter("EcnCeReceived")).isZero();
    }

    @Test
    void rfc3168_6_1_5_aCeOnASegmentOutsideTheWindowIsIgnored() throws IOException {
        start(EcnMode.ACCEPT);
        peerOpens(SYN | ECE | CWR);
        peer.sendData(bytes(100, 4));
        peer.next(Duration.ofSeconds(1));
        peer.tos = CE;
        peer.sendDataAt(peer.sndNxt - 100, bytes(100, 4)); // old data again, marked on the way
        Seen dupAck = peer.next(Duration.ZERO);
        assertThat(dupAck.ack()).isEqualTo(peer.sndNxt);
        assertThat(dupAck.has(ECE)).as("a mark on an unacceptable segment is no news of ours").isFalse();
        assertThat(counter("EcnCeReceived")).isZero();
    }

    // ---- 6.1.2: the sender ----

    @Test
    void rfc3168_6_1_2_anEceReducesTheWindowOncePerWindowAndTheNextNewDataCarriesCwr() {
        start(EcnMode.ON);
        TcpSocket s = connectAnswering(SYN | ACK | ECE, TcpSocketOptions.DEFAULT.withCongestionControl("newreno"));
        List<Seen> flight = stackSends(s, 40 * MSS);
        assertThat(flight).hasSize(10); // the initial window
        int una = flight.getFirst().seq();
        int sndMax = flight.getLast().seq() + MSS;
        long before = cwnd();

        peerAcks(una + 2 * MSS, ECE);
        assertThat(counter("EcnReductions")).isEqualTo(1);
        long reduced = cwnd();
        assertThat(reduced).as("NewReno halves: ssthresh = max(FlightSize / 2, 2 SMSS)").isEqualTo(4L * MSS);
        assertThat(reduced).isLessThan(before);
        assertThat(counter("RetransSegs")).as("nothing was lost: nothing is resent").isZero();
        assertThat(peer.takeNow()).as("8 segments still out, a window of 4: nothing leaves").isEmpty();

        // More echoes of the same window: the receiver has not seen CWR yet. No second reduction.
        peerAcks(una + 6 * MSS, ECE);
        peerAcks(sndMax, ECE);
        assertThat(counter("EcnReductions")).as("once per window of data").isEqualTo(1);
        List<Seen> next = peer.takeNow().stream().filter(x -> x.length() > 0).toList();
        assertThat(next).isNotEmpty();
        assertThat(next.getFirst().has(CWR)).as("CWR on the first new data after the reduction").isTrue();
        assertThat(next.subList(1, next.size())).allSatisfy(d -> assertThat(d.has(CWR)).isFalse());
        assertThat(next).allSatisfy(d -> assertThat(d.ecn()).isEqualTo(ECT_0));

        // An echo for data sent after the reduction is news: the window comes down again.
        int newMax = next.getLast().seq() + next.getLast().length();
        long grown = cwnd();
        peerAcks(next.getFirst().seq() + MSS, ECE);
        assertThat(counter("EcnReductions")).isEqualTo(2);
        assertThat(cwnd()).isLessThan(grown);
        assertThat(newMax).isGreaterThan(sndMax);
    }

    @Test
    void rfc3168_6_1_2_anEceInLossRecoveryChangesNothingMore() {
        start(EcnMode.ON);
        TcpSocket s = connectAnswering(SYN | ACK | ECE, TcpSocketOptions.DEFAULT.withCongestionControl("newreno"));
        List<Seen> flight = stackSends(s, 10 * MSS);
        int una = flight.getFirst().seq();
        // The first segment is lost: three duplicate ACKs start fast retransmit.
        peer.ack = una;
        for (int i = 0; i < 3; i++) {
            peer.sendWithOptions(peer.sndNxt, ACK, TcpOptions.NONE, new byte[0]);
        }
        assertThat(counter("FastRetransmits")).isEqualTo(1);
        long inRecovery = cwnd();
        peerAcks(una, ECE);
        assertThat(counter("EcnReductions")).as("the loss already reduced this window").isZero();
        assertThat(cwnd()).isGreaterThanOrEqualTo(inRecovery);
    }
}
