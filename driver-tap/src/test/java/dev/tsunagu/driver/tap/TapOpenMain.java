package dev.tsunagu.driver.tap;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDrivers;

/**
 * Opens a driver from a spec in a child JVM, for tests that need another namespace or fewer
 * privileges than the test JVM has: prints {@code OPEN <name> <mtu>} or {@code FAILED <message>},
 * then holds the driver until its stdin closes.
 */
public final class TapOpenMain {
    private TapOpenMain() {}

    public static void main(String[] args) throws Exception {
        try (LinkDriver d = LinkDrivers.installed().create(args[0])) {
            System.out.println("OPEN " + d.name() + " " + d.capabilities().mtu());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the device until the test lets go
            }
        } catch (DriverException e) {
            System.out.println("FAILED " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }
}
