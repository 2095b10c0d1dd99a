package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.apps.http.HttpFileServer;
import dev.tsunagu.link.capture.CapturedFrame;
import dev.tsunagu.link.capture.PcapReader;
import dev.tsunagu.ipv6.Ipv6Options;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.host.WireCheck;
import dev.tsunagu.viz.capture.CaptureTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code http-get} against the HTTP file server on a peer stack. */
class HttpGetCommandTest {
    @TempDir
    Path www;
    @TempDir
    Path tmp;

    @Test
    void fetchesToStdoutAndToAFile() throws Exception {
        Files.writeString(www.resolve("a.txt"), "alpha\n");
        byte[] big = ServeCommandTest.random(300_000, 7);
        Files.write(www.resolve("big.bin"), big);
        try (Cli cli = new Cli("get"); HttpFileServer server = HttpFileServer.serve(cli.peer(), 80, www)) {
            Cli.Result toStdout = Cli.run(cli.cmd("http-get", "http://" + Cli.PEER + "/a.txt"));
            assertThat(toStdout.exit()).as(toStdout.err()).isZero();
            assertThat(toStdout.out()).isEqualTo("alpha\n");
            assertThat(toStdout.err()).as("no progress bar off a terminal").isEmpty();

            Path file = tmp.resolve("big.bin");
            Cli.Result toFile = Cli.run(cli.cmd("http-get", "-o", file.toString(), "http://" + Cli.PEER + ":80/big.bin"));
            assertThat(toFile.exit()).as(toFile.err()).isZero();
            assertThat(Files.readAllBytes(file)).isEqualTo(big);
            assertThat(toFile.errLines()).singleElement().asString()
                    .isEqualTo("http-get: 200 OK, 300000 bytes saved to " + file);
            assertThat(toFile.out()).isEmpty();
        }
    }

    @Test
    void ipGivenTwiceGivesBothFamiliesAndABracketedUrlGoesOverIpv6() throws Exception {
        Files.writeString(www.resolve("a.txt"), "over six\n");
        try (Cli cli = new Cli("get-v6");
             NetworkStack peer = NetworkStack.builder().name("peer-v6")
                     .addInterface(InterfaceConfig.of(cli.driver()).address(Cli.PEER + "/24").address("fd00:7::1/64"))
                     .option(Ipv6Options.DAD_TRANSMITS, 0).buildUnchecked();
             HttpFileServer server = HttpFileServer.serve(peer, 8080, www)) {
            Path pcap = tmp.resolve("v6.pcap");
            Cli.Result r = Cli.run(cli.cmd("http-get", "--ip", "fd00:7::2/64", "--pcap", pcap.toString(),
                    "http://[fd00:7::1]:8080/a.txt"));

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("over six\n");
            try (PcapReader reader = PcapReader.open(pcap)) {
                // the fetch went over IPv6: TCP (next header 6) in frames of EtherType 0x86DD
                assertThat(reader.readAll()).anySatisfy(f -> {
                    byte[] d = f.data();
                    assertThat((d[12] & 0xFF) << 8 | (d[13] & 0xFF)).isEqualTo(0x86DD);
                    assertThat(d[14 + 6]).isEqualTo((byte) 6);
                });
            }
            // The project's capture reader finds the one conversation, its ends printed as the socket table does.
            CaptureTrace.Result trace = CaptureTrace.read(pcap, 10_000);
            assertThat(trace.segments()).isPositive();
            assertThat(trace.events()).extracting(e -> e.connection().toString()).allSatisfy(id -> assertThat(id)
                    .containsPattern("\\[fd00:7::(1|2)\\]:\\d+ -> \\[fd00:7::(1|2)\\]:\\d+").contains("[fd00:7::1]:8080"));
            // And Wireshark reads the same file: nothing malformed, every checksum of the stack's good, the request
            // seen (WireCheck turns tshark's HTTP dissector off, so by its bytes).
            WireCheck wire = WireCheck.check(pcap, WireCheck.sourceMac(pcap, "ipv6.src == fd00:7::2"));
            if (wire != null) {
                assertThat(wire.count("tcp.payload contains \"GET /a.txt\" && ipv6.dst == fd00:7::1", true)).isEqualTo(1);
                assertThat(wire.count("icmpv6.type == 135 || icmpv6.type == 136", false))
                        .as("Neighbor Discovery, not ARP, for the IPv6 peer").isPositive();
            }
        }
    }

    @Test
    void mtuLimitsEveryFrameTheCommandSendsAndReceives() throws Exception {
        Files.write(www.resolve("big.bin"), ServeCommandTest.random(40_000, 8));
        Path pcap = tmp.resolve("get.pcap");
        try (Cli cli = new Cli("get-mtu"); HttpFileServer server = HttpFileServer.serve(cli.peer(), 80, www)) {
            Cli.Result r = Cli.run(cli.cmd("http-get", "--mtu", "576", "--pcap", pcap.toString(), "-o",
                    tmp.resolve("out").toString(), "http://" + Cli.PEER + "/big.bin"));
            assertThat(r.exit()).as(r.err()).isZero();
        }
        try (PcapReader reader = PcapReader.open(pcap)) {
            var frames = reader.readAll();
            // 40 kB in segments of at most 576 - 40 bytes: the peer learnt our MSS from the SYN.
            assertThat(frames.size()).isGreaterThan(40_000 / 536);
            assertThat(frames).allSatisfy(f -> assertThat(f.originalLength()).isLessThanOrEqualTo(576 + 14));
            assertThat(frames.stream().mapToInt(CapturedFrame::originalLength).max().orElseThrow()).isEqualTo(576 + 14);
        }
    }

    @Test
    void aStatusOtherThan2xxIsExitOneAfterTheBody() throws Exception {
        try (Cli cli = new Cli("get-404"); HttpFileServer server = HttpFileServer.serve(cli.peer(), 80, www)) {
            Cli.Result r = Cli.run(cli.cmd("http-get", "http://" + Cli.PEER + "/nope"));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).contains("404");
            assertThat(r.errLines()).singleElement().asString().isEqualTo("tsunagu: http-get: the server answered 404 Not Found");
        }
    }

    @Test
    void refusedAndBadUrlsAreOneLine() {
        try (Cli cli = new Cli("get-errors")) {
            NetworkStack peer = cli.peer();
            Cli.Result refused = Cli.run(cli.cmd("http-get", "http://" + Cli.PEER + ":8081/"));
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.errLines()).singleElement().asString().startsWith("tsunagu: 10.7.0.1:8081: ").contains("refused");

            for (String bad : new String[] {"https://" + Cli.PEER + "/", "not a url", "http:///nohost", "10.7.0.1/x"}) {
                Cli.Result r = Cli.run(cli.cmd("http-get", bad));
                assertThat(r.exit()).as(bad).isEqualTo(2);
                assertThat(r.errLines()).as(bad).singleElement().asString().startsWith("tsunagu: bad URL ");
            }
            assertThat(peer.isClosed()).isFalse();
        }
    }

    @Test
    void progressBarLine() {
        assertThat(HttpGetCommand.ProgressBar.line(50, 100)).startsWith("[====================>").endsWith("]  50%  50 B");
        assertThat(HttpGetCommand.ProgressBar.line(100, 100)).isEqualTo("[" + "=".repeat(40) + "] 100%  100 B");
        assertThat(HttpGetCommand.ProgressBar.line(3 << 20, -1)).isEqualTo("3.0 MiB received");
    }

}
