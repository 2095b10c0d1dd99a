package dev.tsunagu.link.cable;

import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;

/**
 * {@code cable:NAME[,mtu=N][,offload=on|off][,medium=ethernet|ip]}: a port on the in-memory cable
 * called NAME (default {@code default}, MTU 1500, offloads off, Ethernet; see {@link Cable});
 * {@code medium=ip} makes it carry bare IP packets, as a TUN device does ({@link Cable#ipOnly}).
 */
public final class CableDriverProvider implements LinkDriverProvider {
    @Override
    public String name() {
        return "cable";
    }

    @Override
    public String description() {
        return "in-memory Ethernet segment (or IP-only link) shared by stacks in this JVM "
                + "(cable:NAME[,mtu=N][,offload=on|off][,medium=ethernet|ip])";
    }

    @Override
    public LinkDriver create(DriverSpec spec) {
        String cableName = spec.argument().isEmpty() ? "default" : spec.argument();
        spec.requireKnownParameters("mtu", "offload", "medium");
        boolean offloads = spec.switchParameter("offload", false);
        String medium = spec.parameters().getOrDefault("medium", "ethernet");
        boolean ipOnly = switch (medium) {
            case "ethernet" -> false;
            case "ip" -> true;
            default -> throw new IllegalArgumentException("cable parameter medium= wants ethernet or ip: " + medium);
        };
        return Cables.named(cableName, spec.intParameter("mtu", Cable.DEFAULT_MTU), offloads, ipOnly).attach();
    }
}
