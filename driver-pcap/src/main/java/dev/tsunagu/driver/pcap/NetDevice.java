package dev.tsunagu.driver.pcap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * What the kernel says about a network interface, read from {@code /sys/class/net/NAME}
 * (the namespace sysfs was mounted for, which is the process's own unless someone played
 * tricks): whether it exists, its MTU, whether it is up. Where sysfs is missing every answer
 * is "unknown" and libpcap's own errors speak instead. Set-up paths only.
 */
final class NetDevice {
    static final Path SYS_CLASS_NET = Path.of("/sys/class/net");
    private static final int IFF_UP = 0x1;

    private NetDevice() {}

    /** Whether sysfs can answer at all. */
    static boolean known() {
        return Files.isDirectory(SYS_CLASS_NET);
    }

    static boolean exists(String name) {
        return Files.isDirectory(SYS_CLASS_NET.resolve(name));
    }

    /** The interface's MTU, or empty if sysfs does not say. */
    static OptionalInt mtu(String name) {
        String v = read(name, "mtu");
        if (v == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** Whether the interface is administratively up ({@code IFF_UP}); true if unknown. */
    static boolean isUp(String name) {
        String v = read(name, "flags");
        if (v == null) {
            return true;
        }
        try {
            return (Integer.decode(v) & IFF_UP) != 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static String read(String name, String attribute) {
        try {
            return Files.readString(SYS_CLASS_NET.resolve(name).resolve(attribute)).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
