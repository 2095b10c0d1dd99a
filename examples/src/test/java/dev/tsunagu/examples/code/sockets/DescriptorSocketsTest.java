package dev.tsunagu.examples.code.sockets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.examples.code.MainOutput;
import org.junit.jupiter.api.Test;

class DescriptorSocketsTest {
    @Test
    void theSeedsCallsCarryALineAndADatagramAndTheTableShowsTheDescriptors() throws Exception {
        DescriptorSockets.Transcript t = DescriptorSockets.run("examples-descriptors", "hello, seeds");

        assertThat(t.reply()).isEqualTo("HELLO, SEEDS");
        assertThat(t.datagram()).isEqualTo("one datagram");
        // Descriptors count from 3 on each stack; the server's listener is 3, its datagram socket 4,
        // so the accepted connection is 5. The client's first socket is 3.
        assertThat(t.log()).contains("client: socket(SOCK_STREAM) = 3", "server: accept(3) = 5",
                "client: connect(3, 10.0.0.2, 5000) = 0");
        // The socket table shows the number the program holds, on the connected row.
        assertThat(t.netstat().lines().filter(l -> l.startsWith("TCP")))
                .anySatisfy(l -> assertThat(l).containsPattern("^TCP\\s+3\\s+10\\.0\\.0\\.1:\\d+\\s+10\\.0\\.0\\.2:5000\\s+ESTABLISHED"));
        assertThat(t.afterClose()).contains("bad descriptor 3");
        // A freed number is reused: the datagram socket made after close(3) is 3 again.
        assertThat(t.log()).anyMatch(l -> l.startsWith("client: socket(SOCK_DGRAM) = 3;"));
    }

    @Test
    void mainPrintsTheCallsAndTheTable() throws Exception {
        String out = MainOutput.of(DescriptorSockets::main);
        assertThat(out).contains("reply: HELLO FROM THE SEEDS", "datagram: one datagram",
                "read after close: bad descriptor 3", "Proto   FD Local Address");
    }
}
