package dev.tsunagu.driver;

import java.util.Optional;

/**
 * Makes drivers of one kind from a spec string; found with {@link java.util.ServiceLoader}.
 *
 * <p>A spec is {@code NAME[:ARGUMENT][,KEY=VALUE...]}: {@code cable:lan0},
 * {@code cable:lan0,mtu=9000}, {@code tap:tsu0}, {@code pcap:veth1}. The provider whose
 * {@link #name()} equals NAME gets the rest as a {@link DriverSpec}. Third parties register
 * their own providers in {@code META-INF/services/dev.tsunagu.driver.LinkDriverProvider} (or
 * with {@code provides} in their module) and are then usable by name, with no change here.
 */
public interface LinkDriverProvider {
    /** The spec prefix this provider answers to, e.g. {@code cable}. */
    String name();

    /** One line for listings ({@code tsunagu drivers}). */
    String description();

    /**
     * Why this driver cannot work on this machine (no {@code /dev/net/tun}, no libpcap), or
     * empty if it can. Discovery still lists unavailable providers, with this reason.
     */
    default Optional<String> unavailabilityCause() {
        return Optional.empty();
    }

    /** Makes a driver for {@code spec} (whose {@code name()} is this provider's). */
    LinkDriver create(DriverSpec spec) throws DriverException;
}
