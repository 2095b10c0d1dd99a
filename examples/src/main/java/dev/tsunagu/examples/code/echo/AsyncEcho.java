package dev.tsunagu.examples.code.echo;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The same TCP echo as {@link BlockingEcho}, with the non-blocking API: no thread ever waits.
 * Every step ({@code acceptAsync}, {@code readAsync}, {@code writeAsync}) returns a
 * {@link CompletableFuture} that completes on the stack's event loop, and the next step is a
 * callback. This is the style for code that lives on the event loop itself (a protocol built on
 * TCP, a proxy) or that must serve very many connections without threads at all.
 *
 * <p>Two rules the callbacks follow:
 * <ul>
 *   <li>Never block inside one: it runs on the loop, and a blocked loop stops the whole stack
 *       (a blocking call there fails with "blocking call on the event loop thread").</li>
 *   <li>Hand each next step to the loop ({@code whenCompleteAsync(..., loop)}) rather than
 *       running it inline: a read that completes at once would otherwise call the next read
 *       from inside itself, and a long stream would grow the call stack without bound.</li>
 * </ul>
 * A buffer passed to {@code readAsync} or {@code writeAsync} belongs to the stack until that
 * future completes; after that the application may reuse it (as both loops here do).
 */
public final class AsyncEcho {
    /** The echo port of RFC 862. */
    public static final int PORT = 7;

    private AsyncEcho() {}

    public static void main(String[] args) throws Exception {
        List<String> echoed = run("echo-async", List.of("hello", "without a single blocked thread", "y".repeat(50_000)));
        for (int i = 0; i < echoed.size(); i++) {
            String s = echoed.get(i);
            System.out.println("client " + i + " got back " + s.length() + " chars: "
                    + (s.length() > 40 ? s.substring(0, 40) + "…" : s));
        }
    }

    /** Starts the server and one client per message at once; returns each reply, in order. */
    public static List<String> run(String cable, List<String> messages) throws Exception {
        try (NetworkStack server = NetworkStack.builder().name("server")
                     .addInterface("cable:" + cable, "10.0.0.2/24").build();
             NetworkStack client = NetworkStack.builder().name("client")
                     .addInterface("cable:" + cable, "10.0.0.1/24").build();
             TcpServerSocket listener = server.tcp().listen(PORT)) {
            acceptNext(listener, server.loop()); // returns at once: the server lives in callbacks

            InetSocketAddress address = new InetSocketAddress("10.0.0.2", PORT);
            List<CompletableFuture<String>> replies = new ArrayList<>();
            for (String message : messages) {
                replies.add(echo(client, address, message));
            }
            // Only the example's main thread waits, to print the outcome.
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            return replies.stream().map(CompletableFuture::join).toList();
        }
    }

    // ---- the server ----

    /** Accepts one connection, starts echoing on it, and posts the next accept. */
    private static void acceptNext(TcpServerSocket listener, EventLoop loop) {
        listener.acceptAsync().whenCompleteAsync((connection, error) -> {
            if (error != null) {
                return; // the listener closed: stop accepting
            }
            echoLoop(connection, new byte[8192], loop);
            acceptNext(listener, loop);
        }, loop);
    }

    /** Reads a chunk, writes it back, repeats; closes once the client has half-closed. */
    private static void echoLoop(TcpSocket connection, byte[] buffer, EventLoop loop) {
        connection.readAsync(buffer, 0, buffer.length)
                .thenCompose(n -> n < 0
                        ? CompletableFuture.completedFuture(-1)
                        : connection.writeAsync(buffer, 0, n).thenApply(written -> n))
                .whenCompleteAsync((n, error) -> {
                    if (error != null) {
                        connection.abort(); // reset by the peer, or the stack closed
                    } else if (n < 0) {
                        connection.close(); // the client's FIN came and everything was echoed: ours follows
                    } else {
                        echoLoop(connection, buffer, loop);
                    }
                }, loop);
    }

    // ---- the client ----

    /** Connects, sends {@code message}, half-closes and collects the echo until the server closes. */
    private static CompletableFuture<String> echo(NetworkStack client, InetSocketAddress server, String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        EventLoop loop = client.loop();
        return client.tcp().connectAsync(server, TcpSocketOptions.DEFAULT).thenComposeAsync(socket -> {
            CompletableFuture<String> reply = new CompletableFuture<>();
            socket.writeAsync(bytes, 0, bytes.length).whenCompleteAsync((written, error) -> {
                if (error != null) {
                    reply.completeExceptionally(error);
                    return;
                }
                shutdownOutput(socket); // on the loop this takes effect at once; it never waits
                readAll(socket, new ByteArrayOutputStream(), new byte[8192], reply, loop);
            }, loop);
            return reply.whenComplete((text, error) -> socket.close());
        }, loop);
    }

    /** Appends what arrives to {@code into} until end of stream, then completes {@code reply}. */
    private static void readAll(TcpSocket socket, ByteArrayOutputStream into, byte[] buffer,
                                CompletableFuture<String> reply, EventLoop loop) {
        socket.readAsync(buffer, 0, buffer.length).whenCompleteAsync((n, error) -> {
            if (error != null) {
                reply.completeExceptionally(error);
            } else if (n < 0) {
                reply.complete(into.toString(StandardCharsets.UTF_8));
            } else {
                into.write(buffer, 0, n);
                readAll(socket, into, buffer, reply, loop);
            }
        }, loop);
    }

    private static void shutdownOutput(TcpSocket socket) {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
