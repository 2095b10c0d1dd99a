package dev.tsunagu.jdk.jvm;

import dev.tsunagu.jdk.TsunaguServerSocket;
import dev.tsunagu.jdk.TsunaguSocket;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.Question;
import dev.tsunagu.udp.dns.ResourceRecord;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The program {@link JvmSwitchTest} runs in a child JVM started with the switch: it uses only
 * {@code java.net} as any program does, after building the other side of the conversation on
 * the same in-memory cable (the cable lives in this JVM): a peer stack at {@link #PEER} with a
 * DNS server for {@code www.example.test}, a TCP echo and a UDP echo. It prints one line per
 * finding, which the test checks.
 */
public final class JvmSwitchChild {
    static final String PEER = "10.78.0.1";

    public static void main(String[] args) throws Exception {
        System.out.println("stack running before the first socket: " + loopRunning());
        NetworkStack peer = NetworkStack.builder().name("peer").addInterface(System.getProperty("tsunagu.driver"), PEER + "/24")
                .build();
        try (UdpSocket dns = peer.udp().open().bind(53);
             TsunaguServerSocket echo = new TsunaguServerSocket(peer);
             UdpSocket udpEcho = peer.udp().open().bind(7)) {
            dns.onReceive(d -> answer(dns, d));
            udpEcho.onReceive(d -> {
                try {
                    udpEcho.send(d.data(), d.source());
                } catch (IOException e) {
                    // the test sees no echo
                }
            });
            echo.bind(new InetSocketAddress(7));
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> echoOnce(echo));

            InetAddress www = InetAddress.getByName("www.example.test");
            System.out.println("www.example.test is " + www.getHostAddress());
            System.out.println("stack running after the first lookup: " + loopRunning());
            System.out.println("static entry: " + InetAddress.getByName("db.example.test").getHostAddress());

            try (Socket s = new Socket("www.example.test", 7)) {
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                byte[] back = s.getInputStream().readNBytes(6);
                System.out.println("tcp echo: " + new String(back, StandardCharsets.US_ASCII).strip()
                        + " from local " + s.getLocalAddress().getHostAddress());
            }
            served.get(20, TimeUnit.SECONDS);

            // NIO, through -Djava.nio.channels.spi.SelectorProvider: the same echo, by a channel.
            CompletableFuture<Void> servedAgain = CompletableFuture.runAsync(() -> echoOnce(echo));
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("www.example.test", 7))) {
                ch.write(ByteBuffer.wrap("again\n".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer back = ByteBuffer.allocate(6);
                while (back.hasRemaining() && ch.read(back) >= 0) {
                    // until the six bytes are back
                }
                System.out.println("channel echo: " + new String(back.array(), StandardCharsets.US_ASCII).strip()
                        + " from local " + ((InetSocketAddress) ch.getLocalAddress()).getAddress().getHostAddress()
                        + " by " + SelectorProvider.provider().getClass().getSimpleName());
            }
            servedAgain.get(20, TimeUnit.SECONDS);

            try (ServerSocket server = new ServerSocket(8080)) {
                CompletableFuture<String> peerSays = CompletableFuture.supplyAsync(() -> {
                    try (Socket c = new TsunaguSocket(peer)) {
                        c.connect(new InetSocketAddress(System.getProperty("tsunagu.ip").split("/")[0], 8080), 10_000);
                        return new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    } catch (IOException e) {
                        return e.toString();
                    }
                });
                try (Socket accepted = server.accept()) {
                    accepted.getOutputStream().write("served".getBytes(StandardCharsets.US_ASCII));
                }
                System.out.println("server socket accepted from " + PEER + ": " + peerSays.get(20, TimeUnit.SECONDS));
            }

            try (DatagramSocket u = new DatagramSocket()) {
                u.setSoTimeout(10_000);
                byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
                u.send(new DatagramPacket(ping, ping.length, InetAddress.getByName(PEER), 7));
                DatagramPacket reply = new DatagramPacket(new byte[64], 64);
                u.receive(reply);
                System.out.println("udp echo: " + new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII)
                        + " from " + reply.getAddress().getHostAddress());
            }
            try {
                InetAddress.getByName("nowhere.example.test");
                System.out.println("nowhere.example.test resolved");
            } catch (java.net.UnknownHostException e) {
                System.out.println("nowhere.example.test: UnknownHostException");
            }
        } finally {
            peer.close();
        }
    }

    private static boolean loopRunning() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("tsunagu-jvm"));
    }

    private static void echoOnce(ServerSocket server) {
        try (Socket s = server.accept()) {
            s.getOutputStream().write(s.getInputStream().readNBytes(6));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** A one-name DNS server: www.example.test is 10.78.0.1, every other name NXDOMAIN. */
    private static void answer(UdpSocket socket, Datagram d) {
        try {
            DnsMessage query = DnsMessage.parse(d.data());
            Question q = query.questions().getFirst();
            boolean known = q.name().equalsIgnoreCase("www.example.test");
            List<ResourceRecord> answers = known && q.type() == DnsMessage.TYPE_A
                    ? List.of(new ResourceRecord.A(q.name(), 60, (Inet4Address) InetAddress.ofLiteral(PEER)))
                    : List.of();
            socket.send(DnsMessage.response(query, known ? DnsMessage.RCODE_NOERROR : DnsMessage.RCODE_NXDOMAIN, answers),
                    d.source());
        } catch (IOException | RuntimeException e) {
            // a query we cannot answer goes unanswered: the resolver's retries and timeout show it
        }
    }
}
