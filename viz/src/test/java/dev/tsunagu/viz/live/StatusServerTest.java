package dev.tsunagu.viz.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.ThreadedEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The live view serves its page and a JSON status of a running stack, on the loopback address only. */
class StatusServerTest {
    @Test
    void servesThePageAndTheStacksStatus() throws Exception {
        Cable lan = new Cable("live");
        try (ThreadedEventLoop loop = new ThreadedEventLoop("live");
             NetworkStack a = NetworkStack.builder().name("live-a").eventLoop(loop)
                     .addInterface(InterfaceConfig.of(lan.attach()).address("10.0.0.1/24")).build();
             NetworkStack b = NetworkStack.builder().name("live-b").eventLoop(loop)
                     .addInterface(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24")).build();
             StatusServer status = StatusServer.start(a, 0);
             TcpServerSocket listener = b.tcp().listen(80);
             TcpSocket c = a.tcp().connect(new InetSocketAddress("10.0.0.2", 80))) {
            c.write(new byte[200_000]);
            TcpSocket s = listener.accept();
            byte[] buf = new byte[65536];
            int total = 0;
            while (total < 200_000) {
                total += s.read(buf, 0, buf.length);
            }
            assertThat(status.address().getAddress().isLoopbackAddress()).isTrue();

            String page = get(status.url());
            assertThat(page).contains("<script>", "status.json", "id=\"window\"");

            String json = get(status.url() + "status.json");
            assertThat(json).startsWith("{\"stack\":\"live-a\"").contains("\"state\":\"ESTABLISHED\"")
                    .contains("\"remote\":\"10.0.0.2:80\"").contains("\"tcp\":{").contains("\"ActiveOpens\":1");
            String conn = "live-a 10.0.0.1:" + c.localAddress().getPort() + " -> 10.0.0.2:80";
            assertThat(json).contains("\"selected\":\"" + conn + "\"");
            String samples = json.substring(json.indexOf("\"samples\":[") + 11);
            assertThat(samples.split("\\],\\[").length).as("samples of %s", samples).isGreaterThan(3);

            String chosen = get(status.url() + "status.json?conn=" + java.net.URLEncoder.encode(conn, StandardCharsets.UTF_8));
            assertThat(chosen).contains("\"selected\":\"" + conn + "\"");
            assertThat(code(status.url() + "nothing")).isEqualTo(404);
        }
    }

    static String get(String url) throws IOException {
        HttpURLConnection h = (HttpURLConnection) URI.create(url).toURL().openConnection();
        assertThat(h.getResponseCode()).isEqualTo(200);
        try (InputStream in = h.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int code(String url) throws IOException {
        HttpURLConnection h = (HttpURLConnection) URI.create(url).toURL().openConnection();
        return h.getResponseCode();
    }
}
