package dev.tsunagu.testkit.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.testkit.Tshark;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A capture of a stack's interface checked as Wireshark sees it, for the interop tests against
 * the kernel (the {@link TapRig}'s, and the CLI's commands run with {@code --pcap}): frames were
 * captured, none is malformed, and every IPv4, ICMP, ICMPv6, UDP and TCP checksum in the frames
 * the stack sent verifies (IPv6 has no header checksum; its UDP, TCP and ICMPv6 checksums cover
 * its pseudo-header). Bad checksums in the kernel's frames are reported, not failed: they are
 * not ours. Afterwards, {@link #count} answers more questions in the display-filter language.
 */
public final class WireCheck {
    private final Path pcap;
    private final String stackMac;

    private WireCheck(Path pcap, String stackMac) {
        this.pcap = pcap;
        this.stackMac = stackMac;
    }

    /**
     * Checks {@code pcap}, whose frames from {@code stackMac} are the stack's.
     *
     * @return the capture, for more questions; null (after one loud line) where tshark is missing
     */
    public static WireCheck check(Path pcap, String stackMac) throws IOException, InterruptedException {
        if (!Tshark.installed() || stackMac == null) {
            System.err.println("SKIPPED (wire check): tshark is not installed, so the wire is not checked (Debian package tshark; ./check installs it as root)");
            return null;
        }
        WireCheck w = new WireCheck(pcap, stackMac.toLowerCase(Locale.ROOT));
        w.checkFrames();
        return w;
    }

    /**
     * The Ethernet source of the first frame matching {@code displayFilter}, e.g. the MAC a
     * command's stack chose, from {@code ipv6.src == ITS_ADDRESS}; null where tshark is missing.
     */
    public static String sourceMac(Path pcap, String displayFilter) throws IOException, InterruptedException {
        if (!Tshark.installed()) {
            return null;
        }
        List<String> macs = new WireCheck(pcap, "").tshark("-Y", displayFilter, "-T", "fields", "-e", "eth.src");
        assertThat(macs).as("frames matching %s in %s", displayFilter, pcap).isNotEmpty();
        return macs.getFirst();
    }

    private void checkFrames() throws IOException, InterruptedException {
        List<Tshark.Frame> frames = Tshark.read(pcap, FAST);
        assertThat(frames).as("frames captured in " + pcap).isNotEmpty();
        assertThat(frames.stream().filter(Tshark.Frame::malformed).toList()).as("frames tshark finds malformed").isEmpty();

        // Status values (tshark -G values): 0 Bad, 1 Good, 2 Unverified, 3 Not present.
        List<String[]> rows = new ArrayList<>();
        for (String line : tshark("-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
                "-e", "frame.number", "-e", "eth.src", "-e", "ip.checksum.status", "-e", "icmp.checksum.status",
                "-e", "udp.checksum.status", "-e", "tcp.checksum.status", "-e", "icmpv6.checksum.status")) {
            rows.add(line.split("\t", -1));
        }
        List<String> badFromStack = new ArrayList<>();
        List<String> badFromKernel = new ArrayList<>();
        int goodIp = 0;
        int goodTransport = 0;
        int ipv4FromStack = 0;
        for (String[] r : rows) {
            boolean fromStack = r.length > 1 && r[1].equalsIgnoreCase(stackMac);
            if (fromStack && r.length > 2 && !r[2].isEmpty()) {
                ipv4FromStack++;
            }
            boolean bad = false;
            for (int i = 2; i < r.length; i++) {
                for (String status : r[i].split(",")) {
                    if (status.equals("0")) {
                        bad = true;
                    } else if (status.equals("1") && fromStack) {
                        if (i == 2) {
                            goodIp++;
                        } else {
                            goodTransport++;
                        }
                    }
                }
            }
            if (bad) {
                (fromStack ? badFromStack : badFromKernel).add(String.join(" ", r));
            }
        }
        if (!badFromKernel.isEmpty()) {
            System.err.println("driver-tap: tshark finds bad checksums in " + badFromKernel.size()
                    + " frame(s) from the kernel (not ours), e.g. " + badFromKernel.getFirst());
        }
        assertThat(badFromStack).as("frames from the stack (%s) with a bad IPv4/ICMP/ICMPv6/UDP/TCP checksum", stackMac)
                .isEmpty();
        if (ipv4FromStack > 0) { // a case over IPv6 alone may send no IPv4 at all (ARP has no checksum)
            assertThat(goodIp).as("IPv4 header checksums from the stack that tshark verified").isPositive();
        }
        assertThat(goodTransport).as("ICMP/ICMPv6/UDP/TCP checksums from the stack that tshark verified").isPositive();
    }

    /**
     * Frames matching {@code displayFilter} (checksums verified, so {@code tcp.checksum.status == 1}
     * means good); {@code fromStack} limits them to frames the stack sent.
     */
    public int count(String displayFilter, boolean fromStack) throws IOException, InterruptedException {
        String filter = fromStack ? "eth.src == " + stackMac + " && (" + displayFilter + ")" : displayFilter;
        return tshark("-Y", filter, "-T", "fields", "-e", "frame.number").size();
    }

    /**
     * The sum of a numeric field (e.g. {@code tcp.len}) over the frames matching {@code displayFilter}:
     * bytes rather than frames, which is what a transfer's check wants when the stack may hand the
     * device segments of many MSS (TSO) that a capture records whole.
     */
    public long sum(String field, String displayFilter, boolean fromStack) throws IOException, InterruptedException {
        String filter = fromStack ? "eth.src == " + stackMac + " && (" + displayFilter + ")" : displayFilter;
        long total = 0;
        for (String line : tshark("-Y", filter, "-T", "fields", "-e", field)) {
            if (!line.isBlank()) {
                total += Long.parseLong(line.strip());
            }
        }
        return total;
    }

    /**
     * What the wire checks need of tshark is per frame (headers, checksums); TCP's sequence
     * analysis and stream reassembly cost minutes on a 50 MB transfer and decide nothing here.
     * Without reassembly HTTP is not dissected either: a lone segment of a response body that
     * happens to start like an HTTP message would be "malformed HTTP", which says nothing about
     * the stack's frames.
     */
    private static final String[] FAST = {"-o", "tcp.analyze_sequence_numbers:FALSE",
            "-o", "tcp.desegment_tcp_streams:FALSE", "--disable-protocol", "http"};

    private List<String> tshark(String... args) throws IOException, InterruptedException {
        // Checksum verification is off by default in Wireshark: on for every layer, always.
        List<String> c = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE",
                "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"));
        c.addAll(List.of(FAST));
        c.addAll(List.of(args));
        Process p = new ProcessBuilder(c).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        var out = Sh.drain(p.getInputStream());
        // A lossy 50 MB run's capture (two transfers, some 200 MB) takes tshark a minute or more
        // on a loaded two-core machine (seen: over 60 s while other builds ran): allow five.
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tshark did not finish: " + String.join(" ", c));
        }
        String text;
        try {
            text = out.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("tshark output not read", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", c) + "' exited with " + p.exitValue() + ": " + text);
        }
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

}
