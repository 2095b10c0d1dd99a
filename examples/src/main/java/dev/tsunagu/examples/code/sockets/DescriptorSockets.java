package dev.tsunagu.examples.code.sockets;

import static dev.tsunagu.tcp.SocketLibrary.SOCK_DGRAM;
import static dev.tsunagu.tcp.SocketLibrary.SOCK_STREAM;

import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.SocketLibrary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The seeds' socket library: BSD-style calls with integer descriptors ({@code socket},
 * {@code bind}, {@code listen}, {@code accept}, {@code connect}, {@code read}, {@code write},
 * {@code close}), for code ported from C or for teaching how a socket API sits on a stack.
 *
 * <p>A server uppercases one line and closes; a client sends the line and reads to the end.
 * Then a datagram socket sends one message the other way round. The descriptors are the
 * stack's own, so {@code netstat} (the socket table) shows the same numbers the program holds.
 * Each stack numbers from 3, as a Unix process does after stdin, stdout and stderr.
 *
 * <p>Calls block the calling thread, so the server runs on a virtual thread of its own. Host
 * names given to {@code connect} go through the stack's DNS resolver; this example uses
 * addresses, as there is no DNS server on its cable.
 */
public final class DescriptorSockets {
    /** The stream server's port. */
    public static final int STREAM_PORT = 5000;
    /** The datagram receiver's port. */
    public static final int DATAGRAM_PORT = 5001;

    /**
     * What happened.
     *
     * @param log the calls made, as {@code who: call = result} lines (the two sides interleave)
     * @param reply what the client read from the stream server
     * @param netstat the client's socket table while it was connected
     * @param datagram what the server read from its datagram socket
     * @param afterClose what reading a closed descriptor said
     */
    public record Transcript(List<String> log, String reply, String netstat, String datagram, String afterClose) {}

    private DescriptorSockets() {}

    public static void main(String[] args) throws Exception {
        Transcript t = run("descriptor-sockets", "hello from the seeds");
        t.log().forEach(System.out::println);
        System.out.print("client's socket table while connected:\n" + t.netstat());
        System.out.println("reply: " + t.reply());
        System.out.println("datagram: " + t.datagram());
        System.out.println("read after close: " + t.afterClose());
    }

    public static Transcript run(String cable, String line) throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        try (NetworkStack serverStack = NetworkStack.builder().name("server")
                     .addInterface("cable:" + cable, "10.0.0.2/24").build();
             NetworkStack clientStack = NetworkStack.builder().name("client")
                     .addInterface("cable:" + cable, "10.0.0.1/24").build()) {
            SocketLibrary server = SocketLibrary.of(serverStack);
            SocketLibrary client = SocketLibrary.of(clientStack);

            // The server: listen before the client connects, then accept on a virtual thread.
            int listening = server.socket(SOCK_STREAM);
            server.bind(listening, STREAM_PORT);
            server.listen(listening, 8);
            log.add("server: socket(SOCK_STREAM) = " + listening + "; bind; listen(" + listening + ", 8)");
            int datagrams = server.socket(SOCK_DGRAM);
            server.bind(datagrams, DATAGRAM_PORT);
            log.add("server: socket(SOCK_DGRAM) = " + datagrams + "; bind(" + datagrams + ", " + DATAGRAM_PORT + ")");
            CompletableFuture<String> received = new CompletableFuture<>();
            Thread.ofVirtual().name("server").start(() -> {
                try {
                    serveOneLine(server, listening, log);
                    byte[] buffer = new byte[1500];
                    int n = server.read(datagrams, buffer, 0, buffer.length); // one whole datagram
                    log.add("server: read(" + datagrams + ") = " + n);
                    server.close(datagrams);
                    received.complete(new String(buffer, 0, n, StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException e) {
                    received.completeExceptionally(e);
                }
            });

            // The client: a stream socket to the server.
            int fd = client.socket(SOCK_STREAM);
            log.add("client: socket(SOCK_STREAM) = " + fd);
            client.connect(fd, "10.0.0.2", STREAM_PORT); // the three-way handshake happens here
            log.add("client: connect(" + fd + ", 10.0.0.2, " + STREAM_PORT + ") = 0");
            // The table now, while the server waits for our line: the connection is ESTABLISHED.
            String netstat = client.netstat();
            byte[] request = (line + "\n").getBytes(StandardCharsets.UTF_8);
            log.add("client: write(" + fd + ") = " + client.write(fd, request, 0, request.length));
            String reply = readToEnd(client, fd).strip();
            log.add("client: read(" + fd + ") until -1: the server closed");
            client.close(fd);
            log.add("client: close(" + fd + ")");
            String afterClose;
            try {
                client.read(fd, new byte[1], 0, 1);
                afterClose = "no error";
            } catch (IOException e) {
                afterClose = e.getMessage(); // EBADF: the number names nothing any more
            }

            // A datagram socket: connect() only fixes the peer; write() sends one datagram.
            int udp = client.socket(SOCK_DGRAM);
            client.connect(udp, "10.0.0.2", DATAGRAM_PORT);
            byte[] message = "one datagram".getBytes(StandardCharsets.UTF_8);
            client.write(udp, message, 0, message.length);
            log.add("client: socket(SOCK_DGRAM) = " + udp + "; connect; write(" + udp + ") = " + message.length);
            String datagram = received.get(30, TimeUnit.SECONDS);
            client.close(udp);
            return new Transcript(List.copyOf(log), reply, netstat, datagram, afterClose);
        }
    }

    /** accept, read one line, write it back in upper case, close. */
    private static void serveOneLine(SocketLibrary server, int listening, List<String> log) throws IOException {
        int connection = server.accept(listening);
        log.add("server: accept(" + listening + ") = " + connection);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffer = new byte[512];
        while (line.size() == 0 || line.toByteArray()[line.size() - 1] != '\n') {
            int n = server.read(connection, buffer, 0, buffer.length);
            if (n < 0) {
                break;
            }
            line.write(buffer, 0, n);
        }
        byte[] reply = line.toString(StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        server.write(connection, reply, 0, reply.length);
        server.close(connection); // FIN after the reply: the client's read returns -1
        server.close(listening);
        log.add("server: write(" + connection + "); close(" + connection + "); close(" + listening + ")");
    }

    private static String readToEnd(SocketLibrary lib, int fd) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[512];
        int n;
        while ((n = lib.read(fd, buffer, 0, buffer.length)) >= 0) {
            got.write(buffer, 0, n);
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
