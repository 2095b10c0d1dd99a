package dev.tsunagu.apps.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real kernel {@code curl} session, replayed without root: {@code curl-small-session.pcap} is a
 * capture {@code tcpdump} took on the kernel's side while curl (Linux TCP: timestamps, SACK,
 * window scaling) fetched {@code small.txt} from our HTTP server on a veth at 10.87.0.2; it is
 * what {@link PcapHttpInteropTest} records, kept with
 * {@code -Dtsunagu.pcap.keepRecording=PATH}. Replayed ({@code pcap-file:}) into a fresh stack at
 * that address serving the same file, the recorded SYN must get a SYN+ACK and the recorded
 * request the file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordedCurlSessionReplayTest {
    @TempDir
    Path www;
    @TempDir
    Path work;

    @Test
    void theRecordedKernelSessionGetsItsAnswers() throws Exception {
        Path fixture = fixture("curl-small-session.pcap");
        List<byte[]> frames = CurlReplay.frames(fixture);
        assertThat(frames).as("the fixture holds a whole session").anyMatch(f -> CurlReplay.isTcp(f)
                && CurlReplay.flags(f) == CurlReplay.SYN);
        Files.writeString(www.resolve("small.txt"), CurlReplay.SMALL);
        CurlReplay.assertAnswersLikeTheRecordedServer(fixture, "10.87.0.2", null, www, work);
    }

    private static Path fixture(String name) throws URISyntaxException {
        var url = RecordedCurlSessionReplayTest.class.getResource(name);
        assertThat(url).as("test resource %s", name).isNotNull();
        return Path.of(url.toURI());
    }
}
