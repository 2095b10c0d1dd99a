package dev.tsunagu.link.cable;

import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;

/**
 * {@code cable:NAME[,mtu=N][,offload=on|off]}: a port on the in-memory cable called NAME (default
 * {@code default}, MTU 1500, offloads off; see {@link Cable}).
 */
public final class CableDriverProvider implements LinkDriverProvider {
    @Override
    public String name() {
        return "cable";
    }

    @Override
    public String description() {
        return "in-memory Ethernet segment shared by stacks in this JVM (cable:NAME[,mtu=N][,offload=on|off])";
    }

    @Override
    public LinkDriver create(DriverSpec spec) {
        String cableName = spec.argument().isEmpty() ? "default" : spec.argument();
        spec.requireKnownParameters("mtu", "offload");
        boolean offloads = spec.switchParameter("offload", false);
        return Cables.named(cableName, spec.intParameter("mtu", Cable.DEFAULT_MTU), offloads).attach();
    }
}
