package dev.tsunagu.examples.udponly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.ip.icmp.PingResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class UdpOnlyTest {
    @Test
    void udpAndPingWorkWhileTcpIsAbsentAndTheErrorNamesTheArtifact() throws Exception {
        UdpOnly.Result r = UdpOnly.run("udp-only-test", List.of("one", "two", "つなぐ"));

        assertThat(r.echoed()).containsExactly("one", "two", "つなぐ");
        assertThat(r.ping()).isInstanceOf(PingResult.Reply.class);
        assertThat(r.layers()).contains("udp").noneMatch(l -> l.contains("tcp"));
        assertThat(r.tcp()).isEqualTo("this stack has no TCP: add the Maven artifact dev.tsunagu:tsunagu-stack-tcp"
                + " (JPMS module dev.tsunagu.tcp) to the class path or module path");
    }

    @Test
    void tcpIsNotOnTheClassPathAtAll() {
        // Not merely unused: the classes are not there (the enforcer rule in the pom keeps it so).
        assertThatThrownBy(() -> Class.forName("dev.tsunagu.tcp.TcpLayer")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("dev.tsunagu.tcp.SocketLibrary")).isInstanceOf(ClassNotFoundException.class);
    }
}
