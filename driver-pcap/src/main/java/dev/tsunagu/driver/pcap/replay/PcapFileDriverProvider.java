package dev.tsunagu.driver.pcap.replay;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;
import dev.tsunagu.net.MacAddress;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code pcap-file:PATH[,out=PATH][,pace=recorded|fast][,mac=MAC][,mtu=N][,acks=rewrite|as-recorded][,start=now|manual]}:
 * replays a capture into the stack and records what it sends. See {@link PcapFileDriver}.
 * (Paths cannot contain commas: the spec's separator.)
 */
public final class PcapFileDriverProvider implements LinkDriverProvider {
    @Override
    public String name() {
        return "pcap-file";
    }

    @Override
    public String description() {
        return "offline replay of a pcap/pcapng capture into the stack, its answers to a pcap "
                + "(pcap-file:PATH[,out=PATH][,pace=recorded|fast][,mac=MAC][,acks=rewrite|as-recorded][,start=now|manual])";
    }

    @Override
    public LinkDriver create(DriverSpec spec) throws DriverException {
        spec.requireKnownParameters("out", "pace", "mac", "mtu", "acks", "start");
        if (spec.argument().isEmpty()) {
            throw new IllegalArgumentException("the pcap-file driver needs a capture: pcap-file:PATH[,out=PATH]");
        }
        String out = spec.parameters().get("out");
        MacAddress mac = spec.macParameter("mac");
        boolean rewrite = switch (spec.parameters().getOrDefault("acks", "rewrite").toLowerCase(Locale.ROOT)) {
            case "rewrite" -> true;
            case "as-recorded" -> false;
            default -> throw new IllegalArgumentException("pcap-file parameter acks= wants rewrite or as-recorded: "
                    + spec.parameters().get("acks"));
        };
        boolean manual = switch (spec.parameters().getOrDefault("start", "now").toLowerCase(Locale.ROOT)) {
            case "now" -> false;
            case "manual" -> true;
            default -> throw new IllegalArgumentException("pcap-file parameter start= wants now or manual: "
                    + spec.parameters().get("start"));
        };
        PcapFileDriver d = PcapFileDriver.open(Path.of(spec.argument()), out == null ? null : Path.of(out),
                PcapFileDriver.Pace.parse(spec.parameters().getOrDefault("pace", "recorded")), mac,
                spec.intParameter("mtu", 1500), rewrite);
        if (manual) {
            d.holdUntilStarted();
        }
        return d;
    }
}
