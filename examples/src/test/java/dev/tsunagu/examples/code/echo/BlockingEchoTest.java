package dev.tsunagu.examples.code.echo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.examples.code.MainOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockingEchoTest {
    @Test
    void everyConcurrentClientGetsBackExactlyWhatItSent() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // From empty to several segments and more than one send-buffer window's worth of work overall.
            int length = i == 0 ? 0 : random.nextInt(i % 10 == 0 ? 300_000 : 3_000);
            StringBuilder sb = new StringBuilder(length);
            for (int k = 0; k < length; k++) {
                sb.append((char) ('a' + random.nextInt(26)));
            }
            messages.add(i + ":" + sb);
        }

        List<String> echoed = BlockingEcho.run("examples-blocking-echo", messages);

        assertThat(echoed).as("replies (seed %d)", seed).hasSize(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            assertThat(echoed.get(i)).as("client %d's reply (seed %d)", i, seed).isEqualTo(messages.get(i));
        }
    }

    @Test
    void mainPrintsEachClientsReply() throws Exception {
        String out = MainOutput.of(BlockingEcho::main);
        assertThat(out).contains("client 0 got back 5 chars: hello")
                .contains("client 1 got back 20 chars: つなぐ means to connect")
                .contains("client 2 got back 100000 chars: xxxx");
    }
}
