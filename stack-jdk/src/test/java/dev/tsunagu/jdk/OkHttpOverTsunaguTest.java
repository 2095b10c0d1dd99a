package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OkHttp, unmodified, with nothing but {@code socketFactory(TsunaguSocketFactory.of(stack))}:
 * 10 MB over the cable from a small HTTP/1.1 server on a {@link TsunaguServerSocket} of the other
 * stack, checked by SHA-256, on one kept-alive connection reused for a second request.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OkHttpOverTsunaguTest {
    private static final long SEED = 2026;

    @Test
    void okHttpFetchesTenMegabytesThroughTheSocketFactory() throws Exception {
        try (TwoStacks stacks = new TwoStacks("okhttp");
             ServerSocket listener = TsunaguServerSocketFactory.of(stacks.server).createServerSocket(0);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<String> served = new ArrayList<>();
            Future<?> server = threads.submit(() -> {
                try (Socket s = listener.accept()) {
                    serve(s, served);
                }
                return null;
            });
            OkHttpClient http = new OkHttpClient.Builder()
                    .socketFactory(TsunaguSocketFactory.of(stacks.client))
                    .proxy(Proxy.NO_PROXY)
                    .readTimeout(Duration.ofSeconds(30))
                    .build();
            String url = "http://" + TwoStacks.SERVER_IP + ":" + listener.getLocalPort();
            try {
                String expected;
                try (Response r = http.newCall(new Request.Builder().url(url + "/blob").build()).execute()) {
                    assertThat(r.code()).isEqualTo(200);
                    assertThat(r.body().contentLength()).isEqualTo(Blobs.TEN_MB);
                    long[] count = {0};
                    String got = Blobs.readToEnd(r.body().byteStream(), count);
                    assertThat(count[0]).isEqualTo(Blobs.TEN_MB);
                    expected = r.header("X-SHA-256");
                    assertThat(got).isEqualTo(expected);
                }
                try (Response r = http.newCall(new Request.Builder().url(url + "/small").build()).execute()) {
                    assertThat(r.code()).isEqualTo(200);
                    assertThat(r.body().string()).isEqualTo("small");
                }
                server.get(60, TimeUnit.SECONDS);
                assertThat(served).as("both requests on one connection: OkHttp kept it alive")
                        .containsExactly("GET /blob HTTP/1.1", "GET /small HTTP/1.1");
                assertThat(expected).hasSize(64);
            } finally {
                http.dispatcher().executorService().shutdown();
                http.connectionPool().evictAll();
            }
        }
    }

    /** HTTP/1.1 on one connection: /blob is 10 MB with its SHA-256 in a header, anything else "small". */
    private static void serve(Socket s, List<String> served) throws IOException {
        s.setSoTimeout(30_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        OutputStream out = s.getOutputStream();
        String requestLine;
        while ((requestLine = in.readLine()) != null && !requestLine.isEmpty()) {
            served.add(requestLine);
            String header;
            while ((header = in.readLine()) != null && !header.isEmpty()) {
                // headers are not needed
            }
            if (requestLine.startsWith("GET /blob ")) {
                // The digest goes in a header, so it is computed first by writing into a digest-only sink.
                String sha = Blobs.write(OutputStream.nullOutputStream(), SEED, Blobs.TEN_MB);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + Blobs.TEN_MB
                        + "\r\nX-SHA-256: " + sha + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                Blobs.write(out, SEED, Blobs.TEN_MB);
            } else {
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nsmall"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return;
            }
        }
    }
}
