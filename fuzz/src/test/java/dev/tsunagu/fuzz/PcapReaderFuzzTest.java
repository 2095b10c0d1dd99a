package dev.tsunagu.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tsunagu.link.capture.CapturedFrame;
import dev.tsunagu.link.capture.PcapReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * The capture reader (classic pcap in both byte orders and both resolutions, pcapng's section
 * header, interface description, enhanced and simple packet blocks): any file either reads or
 * fails with an {@link IOException} (a {@link PcapReader.MalformedCaptureException} with its
 * offset), never anything else; no frame is longer than the reader's limit, nor than the file,
 * so a length field cannot make it allocate what the file does not hold.
 */
class PcapReaderFuzzTest {
    @FuzzTest
    void captures(byte[] file) {
        try (PcapReader r = PcapReader.from(new ByteArrayInputStream(file))) {
            for (CapturedFrame f = r.next(); f != null; f = r.next()) {
                int length = f.data().length;
                if (length > PcapReader.MAX_CAPTURED_LENGTH || length > file.length) {
                    throw new AssertionError("a frame of " + length + " bytes from a file of " + file.length);
                }
            }
        } catch (IOException e) {
            // malformed: the expected outcome for most inputs
        }
    }
}
