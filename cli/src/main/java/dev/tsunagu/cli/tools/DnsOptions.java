package dev.tsunagu.cli.tools;

import picocli.CommandLine.Option;

/** {@code --dns}, for the commands that take host names. */
public final class DnsOptions {
    @Option(names = "--dns", paramLabel = "ADDR[:PORT]", split = ",",
            description = "DNS server(s) for names, IPv4 or IPv6 ([fd00::53]:53 with a port; none by default: literals only)."
                    + " Repeat or separate with commas.")
    java.util.List<String> servers = java.util.List.of();
}
