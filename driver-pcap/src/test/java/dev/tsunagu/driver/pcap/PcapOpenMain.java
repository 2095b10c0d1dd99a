package dev.tsunagu.driver.pcap;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;

/**
 * Opens a driver from a spec in a child JVM, for tests that need fewer privileges than the
 * test JVM has: prints {@code OPEN <name> <mtu>} or {@code FAILED <message>} and exits.
 */
public final class PcapOpenMain {
    private PcapOpenMain() {}

    public static void main(String[] args) {
        try (LinkDriver d = LinkDrivers.installed().create(args[0])) {
            System.out.println("OPEN " + d.name() + " " + d.capabilities().mtu());
        } catch (DriverException e) {
            System.out.println("FAILED " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
