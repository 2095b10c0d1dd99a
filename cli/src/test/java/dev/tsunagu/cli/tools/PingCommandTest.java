package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.IpOptions;
import dev.tsunagu.link.capture.CapturedFrame;
import dev.tsunagu.link.capture.PcapReader;
import dev.tsunagu.stack.NetworkStack;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PingCommandTest {
    @TempDir
    Path tmp;

    @Test
    void pingsAPeerOnTheCableLikeIputils() {
        try (Cli cli = new Cli("ping")) {
            cli.peer();
            Cli.Result r = Cli.run(cli.cmd("ping", "-c", "3", "-i", "0.05", Cli.PEER));

            assertThat(r.exit()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines.getFirst()).isEqualTo("PING 10.7.0.1 (10.7.0.1) 56(84) bytes of data.");
            for (int seq = 1; seq <= 3; seq++) {
                assertThat(lines.get(seq)).matches("64 bytes from 10\\.7\\.0\\.1: icmp_seq=" + seq + " ttl=64 time=[0-9.]+ ms");
            }
            assertThat(r.out()).contains("--- 10.7.0.1 ping statistics ---")
                    .containsPattern("3 packets transmitted, 3 received, 0% packet loss, time \\d+ms")
                    .containsPattern("rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms");
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void sizeSetsTheDataBytesAndTheCaptureSeesEveryFrame() throws Exception {
        Path pcap = tmp.resolve("ping.pcap");
        try (Cli cli = new Cli("ping-size")) {
            cli.peer();
            Cli.Result r = Cli.run(cli.cmd("ping", "-c", "2", "-i", "0.01", "-s", "3000", "--pcap", pcap.toString(), Cli.PEER));

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("PING 10.7.0.1 (10.7.0.1) 3000(3028) bytes of data.")
                    .containsPattern("3008 bytes from 10\\.7\\.0\\.1: icmp_seq=1 ");
        }
        // ARP request and reply, and 2 requests and 2 replies of 3000 bytes, each in 3 fragments at MTU 1500.
        try (PcapReader reader = PcapReader.open(pcap)) {
            List<CapturedFrame> frames = reader.readAll();
            assertThat(frames.size()).isGreaterThanOrEqualTo(2 + 2 * 2 * 3);
        }
    }

    @Test
    void gatewayReachesAnotherSubnetThroughARouter() {
        try (Cli cli = new Cli("ping-gw")) {
            String far = "cable:" + cli.cable + "-far";
            // The peer routes between the command's cable (10.7.0.1) and another (10.8.0.254).
            NetworkStack router = NetworkStack.builder().name("router")
                    .addInterface(cli.driver(), Cli.PEER + "/24").addInterface(far, "10.8.0.254/24")
                    .option(IpOptions.FORWARDING, true).buildUnchecked();
            NetworkStack host = NetworkStack.builder().name("far-host").addInterface(far, "10.8.0.1/24")
                    .gateway("10.8.0.254").buildUnchecked();
            try (router; host) {
                Cli.Result r = Cli.run(cli.cmd("ping", "--gateway", Cli.PEER, "-c", "1", "10.8.0.1"));

                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).containsPattern("64 bytes from 10\\.8\\.0\\.1: icmp_seq=1 ttl=63 ");
            }
        }
    }

    @Test
    void noReplyMeansExitOneWithTheLossInTheSummary() {
        try (Cli cli = new Cli("ping-none")) {
            cli.peer();
            Cli.Result r = Cli.run(cli.cmd("ping", "-c", "2", "-i", "0", "-W", "0.2", "10.7.0.99"));

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).contains("no answer yet for icmp_seq=1", "no answer yet for icmp_seq=2",
                    "2 packets transmitted, 0 received, 100% packet loss").doesNotContain("rtt min");
        }
    }

    @Test
    void anAddressOffTheSubnetWithoutAGatewayIsOneLineAndExitOne() {
        try (Cli cli = new Cli("ping-noroute")) {
            Cli.Result r = Cli.run(cli.cmd("ping", "-c", "1", "192.0.2.1"));

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.errLines()).singleElement().asString().startsWith("tsunagu: ping 192.0.2.1: ");
        }
    }
}
