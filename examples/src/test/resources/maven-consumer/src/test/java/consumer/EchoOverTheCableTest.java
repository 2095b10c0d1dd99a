package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tsunagu.jdk.TsunaguJdk;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A user's test: two stacks on an in-memory cable, an echo between them through java.net's API. */
class EchoOverTheCableTest {
    @Test
    void echo() throws Exception {
        try (NetworkStack a = NetworkStack.builder().name("a").addInterface("cable:consumer", "10.0.0.1/24").build();
             NetworkStack b = NetworkStack.builder().name("b").addInterface("cable:consumer", "10.0.0.2/24").build();
             ServerSocket server = TsunaguJdk.of(b).serverSocketFactory().createServerSocket(7)) {
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(s.getInputStream().readNBytes(5));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket c = TsunaguJdk.of(a).socketFactory().createSocket("10.0.0.2", 7)) {
                c.getOutputStream().write("hello".getBytes());
                assertEquals("hello", new String(c.getInputStream().readNBytes(5)));
            }
            echo.get(20, TimeUnit.SECONDS);
        }
    }
}
