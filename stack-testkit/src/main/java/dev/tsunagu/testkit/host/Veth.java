package dev.tsunagu.testkit.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A veth pair for the live tests: our end ({@link #host}) stays in this JVM's namespace, where
 * libpcap can open it, with no IPv4 address and IPv6 off, so the host's kernel neither answers
 * for the stack's address nor chatters on the wire; the far end ({@link #FAR}) sits in a fresh
 * namespace of its own, where the kernel under test lives. Checksum offload is off on the far
 * end (else the kernel hands the wire TCP segments with unfinished checksums and 64 KB GSO
 * super-packets that no real NIC would send) and GRO on ours. {@link #close} deletes both ends
 * and the namespace, pass or fail.
 */
public final class Veth implements AutoCloseable {
    /** The far end's name, inside {@link #ns}. */
    public static final String FAR = "vp0";

    public final String host;
    public final NetNs ns;

    private Veth(String host, NetNs ns) {
        this.host = host;
        this.ns = ns;
    }

    /** Makes the pair, both ends up (skipping the test loudly where that is not possible). */
    public static Veth create() throws IOException, InterruptedException {
        PcapTests.assumeLiveCapture();
        PcapTests.assumeCommand("ethtool", "ethtool");
        NetNs ns = NetNs.create();
        String host = PcapTests.uniqueName("tsuh");
        Veth v = new Veth(host, ns);
        try {
            Sh.run("ip", "link", "add", host, "type", "veth", "peer", "name", FAR, "netns", ns.name).check();
            Path v6 = Path.of("/proc/sys/net/ipv6/conf", host, "disable_ipv6");
            if (Files.exists(v6)) {
                Files.writeString(v6, "1");
            }
            Sh.run("ethtool", "-K", host, "gro", "off").check();
            ns.exec("ethtool", "-K", FAR, "tx", "off").check();
            Sh.run("ip", "link", "set", host, "up").check();
            ns.exec("ip", "link", "set", FAR, "up").check();
        } catch (IOException | InterruptedException | RuntimeException e) {
            v.close();
            throw e;
        }
        return v;
    }

    @Override
    public void close() {
        try {
            Sh.run("ip", "link", "del", host); // takes the far end with it; fails harmlessly if already gone
        } catch (IOException e) {
            System.err.println("driver-pcap tests: could not delete veth " + host + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ns.close();
        }
    }

    @Override
    public String toString() {
        return "veth " + host + " <-> " + ns.name + ":" + FAR;
    }
}
