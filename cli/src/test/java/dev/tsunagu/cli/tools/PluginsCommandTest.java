package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code tsunagu plugins} lists what the command's own modules bring. The examples' toy plugins
 * ({@code pipe}, {@code bounded-nagle}, {@code toy-aimd}) live in the {@code examples} module,
 * which the command does not depend on: they must not ship inside it.
 */
class PluginsCommandTest {
    @Test
    void listsTheStacksOwnPluginsAndNotTheExamplesToys() {
        Cli.Result r = Cli.run("plugins");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("layers:", "  ethernet", "  ipv4", "  udp", "  tcp",
                "link drivers:", "  cable", "  loopback", "  tap", "  pcap",
                "  newreno", "  rfc6298", "  nagle", "  nodelay");
        assertThat(r.out()).doesNotContain("pipe", "bounded-nagle", "toy-aimd", "example");
    }
}
