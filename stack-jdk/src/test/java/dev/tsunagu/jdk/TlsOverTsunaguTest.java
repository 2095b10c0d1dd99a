package dev.tsunagu.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS 1.3 by layering: the JDK's {@code SSLSocket} over a Tsunagu socket on each stack, the
 * server side made the way {@link TlsLayering#serverSide} documents. The certificate is made in
 * the test with the JDK's own {@code keytool} (no extra dependency), for the name
 * {@code tls.test}, and the client checks it (trust and host name) before 10 MB go each way.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsOverTsunaguTest {
    private static final String HOST = "tls.test";
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void certificate(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.make(dir, HOST);
        serverContext = tls.server();
        clientContext = tls.client();
    }

    @Test
    void tls13ExchangesTenMegabytesEachWayOverTheCable() throws Exception {
        try (TwoStacks stacks = new TwoStacks("tls");
             TsunaguServerSocket listener = new TsunaguServerSocket(stacks.server);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            listener.bind(null);
            Future<List<String>> server = threads.submit(() -> {
                try (SSLSocket tls = TlsLayering.serverSide(serverContext, listener.accept())) {
                    tls.setSoTimeout(30_000);
                    tls.startHandshake();
                    DataInputStream in = new DataInputStream(tls.getInputStream());
                    long length = in.readLong();
                    String received = Blobs.read(in, length);
                    DataOutputStream out = new DataOutputStream(tls.getOutputStream());
                    out.writeUTF(received);
                    String sent = Blobs.write(out, 2, Blobs.TEN_MB);
                    return List.of(tls.getSession().getProtocol(), received, sent);
                }
            });

            String sentHash;
            String receivedHash;
            TsunaguSocket plain = (TsunaguSocket) TsunaguSocketFactory.of(stacks.client)
                    .createSocket(TwoStacks.serverAddress(), listener.getLocalPort());
            try (SSLSocket tls = TlsLayering.clientSide(clientContext, plain, HOST)) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name tls.test
                tls.setSSLParameters(parameters);
                tls.setSoTimeout(30_000);
                tls.startHandshake();
                assertThat(tls.getSession().getProtocol()).isEqualTo("TLSv1.3");
                assertThat(tls.getSession().getPeerPrincipal().getName()).isEqualTo("CN=" + HOST);

                DataOutputStream out = new DataOutputStream(tls.getOutputStream());
                out.writeLong(Blobs.TEN_MB);
                String sent = Blobs.write(out, 1, Blobs.TEN_MB);
                DataInputStream in = new DataInputStream(tls.getInputStream());
                assertThat(in.readUTF()).as("the server's SHA-256 of what we sent").isEqualTo(sent);
                sentHash = sent;
                receivedHash = Blobs.read(in, Blobs.TEN_MB);
            }
            assertThat(plain.isClosed()).as("closing the TLS socket closed the Tsunagu socket under it").isTrue();
            // Only now: a TLS 1.3 server's close waits for the client's close_notify.
            List<String> serverSaw = server.get(60, TimeUnit.SECONDS);
            assertThat(serverSaw.get(0)).isEqualTo("TLSv1.3");
            assertThat(serverSaw.get(1)).isEqualTo(sentHash);
            assertThat(receivedHash).as("SHA-256 of the server's 10 MB").isEqualTo(serverSaw.get(2));
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() throws Exception {
        try (TwoStacks stacks = new TwoStacks("tls-untrusted");
             TsunaguServerSocket listener = new TsunaguServerSocket(stacks.server);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            listener.bind(null);
            Future<?> server = threads.submit(() -> {
                try (SSLSocket tls = TlsLayering.serverSide(serverContext, listener.accept())) {
                    tls.setSoTimeout(30_000);
                    tls.startHandshake();
                } catch (IOException expected) {
                    // the client aborts the handshake
                }
                return null;
            });
            SSLContext trustsNothingOfOurs = SSLContext.getInstance("TLSv1.3");
            trustsNothingOfOurs.init(null, null, null); // the JDK's default trust store
            try (SSLSocket tls = TlsLayering.clientSide(trustsNothingOfOurs,
                    TsunaguSocketFactory.of(stacks.client).createSocket(TwoStacks.serverAddress(), listener.getLocalPort()), HOST)) {
                tls.setSoTimeout(30_000);
                org.assertj.core.api.Assertions.assertThatThrownBy(tls::startHandshake)
                        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            }
            server.get(60, TimeUnit.SECONDS);
        }
    }
}
