package dev.tsunagu.examples.code.echo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.examples.code.MainOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AsyncEchoTest {
    @Test
    void everyClientGetsBackExactlyWhatItSentWithoutBlockingAThread() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // Long ones (many reads, each followed by a write) exercise the loop hand-off between steps.
            int length = i == 0 ? 0 : random.nextInt(i % 7 == 0 ? 500_000 : 2_000);
            StringBuilder sb = new StringBuilder(length);
            for (int k = 0; k < length; k++) {
                sb.append((char) ('A' + random.nextInt(26)));
            }
            messages.add(i + ":" + sb);
        }

        List<String> echoed = AsyncEcho.run("examples-async-echo", messages);

        assertThat(echoed).as("replies (seed %d)", seed).hasSize(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            assertThat(echoed.get(i)).as("client %d's reply (seed %d)", i, seed).isEqualTo(messages.get(i));
        }
    }

    @Test
    void mainPrintsEachClientsReply() throws Exception {
        String out = MainOutput.of(AsyncEcho::main);
        assertThat(out).contains("client 0 got back 5 chars: hello")
                .contains("client 1 got back 31 chars: without a single blocked thread")
                .contains("client 2 got back 50000 chars: yyyy");
    }
}
