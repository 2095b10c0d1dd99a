package dev.tsunagu.testkit.host;

import dev.tsunagu.testkit.LinkDriverContractTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's end of a TAP or a veth as a contract-test peer: a small Python process inside the
 * namespace holds an {@code AF_PACKET} raw socket bound to the device and talks to us over
 * its stdin and stdout, one frame per line in hex ({@code S <hex>} to send, {@code R <hex>}
 * for each frame received).
 *
 * <p>Why a helper process: a JVM thread cannot simply enter another network namespace, and the
 * device must sit in a fresh namespace so test frames never reach the machine's own interfaces.
 * Frames the socket sees going out (its own sends, kernel chatter) are skipped, so what
 * {@link #receive} returns is exactly what the driver wrote.
 */
public final class PacketPeer implements LinkDriverContractTest.Peer {
    private static final String SCRIPT = """
            import socket, sys, threading
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            s.bind((sys.argv[1], 0))
            lock = threading.Lock()
            def emit(line):
                with lock:
                    sys.stdout.write(line + "\\n")
                    sys.stdout.flush()
            def rx():
                while True:
                    try:
                        data, addr = s.recvfrom(65536)
                    except OSError as e:
                        emit("E recv " + str(e))
                        return
                    if addr[2] != socket.PACKET_OUTGOING:
                        emit("R " + data.hex())
            threading.Thread(target=rx, daemon=True).start()
            emit("READY")
            for line in sys.stdin:
                if line.startswith("S "):
                    try:
                        s.send(bytes.fromhex(line[2:].strip()))
                    except OSError as e:
                        emit("E send " + str(e))
            """;

    private final Process process;
    private final Writer toPeer;
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile boolean closed;

    private PacketPeer(Process process) {
        this.process = process;
        this.toPeer = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        Thread.ofPlatform().daemon(true).name("packet-peer-out").start(this::readLines);
    }

    /** Starts the helper on {@code device} inside {@code ns} and waits until its socket is bound. */
    public static PacketPeer start(NetNs ns, String device) throws IOException, InterruptedException {
        PacketPeer peer = new PacketPeer(ns.start("python3", "-u", "-c", SCRIPT, device));
        if (!peer.ready.await(15, TimeUnit.SECONDS)) {
            peer.close();
            throw new IOException("the AF_PACKET helper did not start: " + peer.errors);
        }
        return peer;
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("READY")) {
                    ready.countDown();
                } else if (line.startsWith("R ")) {
                    received.add(HexFormat.of().parseHex(line.substring(2)));
                } else {
                    errors.add(line);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                errors.add(e.toString());
            }
        }
    }

    @Override
    public synchronized void send(byte[] frame) throws IOException {
        toPeer.write("S " + HexFormat.of().formatHex(frame) + "\n");
        toPeer.flush();
    }

    @Override
    public byte[] receive(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Lines the helper printed that were not frames (errors from its socket). */
    public List<String> errors() {
        return errors;
    }

    @Override
    public void close() {
        closed = true;
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
