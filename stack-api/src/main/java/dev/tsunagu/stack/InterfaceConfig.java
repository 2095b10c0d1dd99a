package dev.tsunagu.stack;

import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.net.IpPrefix;
import dev.tsunagu.net.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to make one interface: its driver (an instance, or a spec the stack resolves through
 * {@link dev.tsunagu.driver.LinkDrivers}), and optionally its name, MAC, MTU and addresses.
 */
public final class InterfaceConfig {
    private final String driverSpec;
    private final LinkDriver driver;
    private String name;
    private MacAddress mac;
    private int mtu;
    private final List<IpPrefix> addresses = new ArrayList<>();

    private InterfaceConfig(String driverSpec, LinkDriver driver) {
        this.driverSpec = driverSpec;
        this.driver = driver;
    }

    /** An interface on the driver a spec names, e.g. {@code cable:lan0} or {@code tap:tsu0}. */
    public static InterfaceConfig of(String driverSpec) {
        return new InterfaceConfig(Objects.requireNonNull(driverSpec, "driverSpec"), null);
    }

    /** An interface on a driver made by the caller (decorated, or wired explicitly in tests). */
    public static InterfaceConfig of(LinkDriver driver) {
        return new InterfaceConfig(null, Objects.requireNonNull(driver, "driver"));
    }

    /** Interface name ({@code eth0} by default, numbered in order of creation). */
    public InterfaceConfig name(String name) {
        this.name = name;
        return this;
    }

    /** The MAC to use; by default the driver's if it insists on one, else a random locally administered one. */
    public InterfaceConfig mac(MacAddress mac) {
        this.mac = mac;
        return this;
    }

    /** The MAC to use, parsed from {@code aa:bb:cc:dd:ee:ff}. */
    public InterfaceConfig mac(String mac) {
        return mac(MacAddress.parse(mac));
    }

    /** A smaller MTU than the driver's (never larger). */
    public InterfaceConfig mtu(int mtu) {
        this.mtu = mtu;
        return this;
    }

    /**
     * Adds an address with prefix, e.g. {@code 10.0.0.2/24} or {@code 2001:db8::2/64} (an IPv6
     * address needs a stack with an IPv6 layer: {@code build()} says so otherwise).
     */
    public InterfaceConfig address(String prefix) {
        return address(IpPrefix.parse(prefix));
    }

    /** Adds an address with prefix, of either family. */
    public InterfaceConfig address(IpPrefix prefix) {
        addresses.add(prefix);
        return this;
    }

    /** The driver spec, or null if a driver instance was given. */
    public String driverSpec() {
        return driverSpec;
    }

    /** The driver instance, or null if a spec was given. */
    public LinkDriver driver() {
        return driver;
    }

    /** The interface name asked for, or null for the next {@code ethN}. */
    public String name() {
        return name;
    }

    /** The MAC asked for, or null to let the driver or the stack choose. */
    public MacAddress mac() {
        return mac;
    }

    /** The MTU asked for, or 0 for the driver's. */
    public int mtu() {
        return mtu;
    }

    /** The addresses to configure, in order (a copy). */
    public List<IpPrefix> addresses() {
        return List.copyOf(addresses);
    }
}
