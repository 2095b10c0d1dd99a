package dev.tsunagu.viz.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TraceRecorder;
import dev.tsunagu.viz.TraceReport;
import dev.tsunagu.viz.Pages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short transfer recorded with the events on (a programmatic {@link Recording}, as
 * {@code -XX:StartFlightRecording} makes one), read back with {@code jdk.jfr.consumer}: the
 * JFR layer is on the class path, so the stacks trace into JFR while the recording runs, and
 * not before.
 */
class JfrTraceTest {
    @TempDir
    Path dir;

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("jfr");
    private final NetworkStack client = TestHosts.host(loop, "client", 1).on(lan, "10.0.0.1/24").build();
    private final NetworkStack server = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24").build();

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    private int transfer(int port) throws IOException {
        try (TcpServerSocket listener = server.tcp().listen(port)) {
            TcpSocket c = client.tcp().connect(new InetSocketAddress("10.0.0.2", port));
            TcpSocket s = listener.accept();
            c.write(new byte[20_000]);
            byte[] got = new byte[20_000];
            int total = 0;
            while (total < got.length) {
                total += s.read(got, total, got.length - total);
            }
            c.close();
            s.close();
            loop.advance(Duration.ofSeconds(120));
            return c.localAddress().getPort();
        }
    }

    @Test
    void aRecordingGetsTheTraceOfWhatRanWhileItRecorded() throws Exception {
        transfer(81); // before any recording: nothing traced
        TraceRecorder mirror = new TraceRecorder();
        Path file = dir.resolve("tcp.jfr");
        int port;
        try (Recording recording = new Recording()) {
            for (String name : List.of("Segment", "StateChange", "Congestion", "Retransmission", "Timer")) {
                recording.enable("dev.tsunagu.tcp." + name);
            }
            recording.start();
            client.tcp().trace(mirror);
            port = transfer(80);
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.tsunagu.tcp.")).toList();
        assertThat(events).isNotEmpty();
        assertThat(events).allMatch(e -> e.getString("remote").endsWith(":80") || e.getString("local").endsWith(":80"));

        List<RecordedEvent> clientSegments = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.tsunagu.tcp.Segment")
                        && e.getString("stack").equals("client")).toList();
        List<TcpTraceEvent.Segment> mirrored = mirror.events(TcpTraceEvent.Segment.class);
        assertThat(clientSegments).hasSameSizeAs(mirrored);
        for (int i = 0; i < mirrored.size(); i++) {
            RecordedEvent r = clientSegments.get(i);
            TcpTraceEvent.Segment s = mirrored.get(i);
            assertThat(r.getLong("seq")).isEqualTo(Integer.toUnsignedLong(s.seq()));
            assertThat(r.getString("flags")).isEqualTo(TcpTraceEvent.flagsText(s.flags()));
            assertThat(r.getInt("length")).isEqualTo(s.length());
            assertThat(r.getLong("stackNanos")).isEqualTo(s.timeNanos());
            assertThat(r.getString("local")).isEqualTo("10.0.0.1:" + port);
        }
        assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.tsunagu.tcp.StateChange")
                && e.getString("stack").equals("server")).extracting(e -> e.getString("to"))
                .startsWith("SYN_RECEIVED", "ESTABLISHED").endsWith("CLOSED");
        assertThat(events).anyMatch(e -> e.getEventType().getName().equals("dev.tsunagu.tcp.Congestion")
                && e.getLong("cwnd") > 0);
    }

    /**
     * The recording read back ({@link JfrTraceReader}) is the trace itself, event for event, and
     * draws the page a trace draws: well-formed, an arrow per segment sent.
     */
    @Test
    void aRecordingReadBackIsTheTraceAndDrawsItsPage() throws Exception {
        TraceRecorder clientMirror = new TraceRecorder();
        TraceRecorder serverMirror = new TraceRecorder();
        Path file = dir.resolve("tcp.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.tsunagu.tcp.*");
            recording.start();
            client.tcp().trace(clientMirror);
            server.tcp().trace(serverMirror);
            transfer(82);
            recording.stop();
            recording.dump(file);
        }
        JfrTraceReader.Result read = JfrTraceReader.read(file, 1_000_000);
        assertThat(read.dropped()).isZero();
        assertThat(read.events().stream().filter(e -> e.connection().stack().equals("client")).toList())
                .isEqualTo(clientMirror.events());
        assertThat(read.events().stream().filter(e -> e.connection().stack().equals("server")).toList())
                .isEqualTo(serverMirror.events());

        Path html = dir.resolve("jfr.html");
        new TraceReport("from JFR").diagramsOf(read.events()).write(html);
        org.w3c.dom.Document page = Pages.parse(java.nio.file.Files.readString(html));
        long sent = read.events().stream()
                .filter(e -> e instanceof TcpTraceEvent.Segment s && s.direction() == TcpTraceEvent.Direction.SENT).count();
        assertThat(Pages.withClass(Pages.svg(page, "ladder"), "line", "segment")).hasSize((int) sent);
        assertThat(Pages.svgs(page, "time-sequence")).hasSize(1);

        assertThat(JfrTraceReader.read(file, 10).dropped()).isEqualTo(read.events().size() - 10);
    }

    @Test
    void addressesAndFlagsReadBackAsWritten() {
        assertThat(JfrTraceReader.address("10.0.0.1:80")).isEqualTo(new java.net.InetSocketAddress("10.0.0.1", 80));
        assertThat(JfrTraceReader.address("fd00::1:8080").getPort()).isEqualTo(8080);
        assertThat(JfrTraceReader.address("fd00::1:8080").getAddress().getHostAddress()).isEqualTo("fd00:0:0:0:0:0:0:1");
        assertThat(JfrTraceReader.address("[fd00::1]:8080"))
                .isEqualTo(new java.net.InetSocketAddress("fd00::1", 8080)); // as the sink writes it now
        int synAck = TcpTraceEvent.SYN | TcpTraceEvent.ACK;
        assertThat(JfrTraceReader.flags(TcpTraceEvent.flagsText(synAck))).isEqualTo(synAck);
        assertThat(JfrTraceReader.flags("-")).isZero();
    }

    @Test
    void withoutARecordingTheStackIsNotTraced() throws Exception {
        assertThat(JfrLayerProvider.wanted()).isFalse();
    }
}
