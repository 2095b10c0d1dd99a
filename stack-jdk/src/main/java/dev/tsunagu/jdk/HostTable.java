package dev.tsunagu.jdk;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Static host entries, what {@code /etc/hosts} is to the kernel's resolver: names that a
 * {@link TsunaguResolver} answers without asking DNS (a test's servers, a name on a network
 * without a DNS server). Names match without regard to case; a name may have several addresses,
 * kept in the order given.
 *
 * <pre>{@code
 * HostTable hosts = HostTable.parse("www.example.test=10.0.0.1, db.example.test=10.0.0.5");
 * }</pre>
 */
public final class HostTable {
    private static final HostTable EMPTY = new HostTable(Map.of());

    private final Map<String, List<InetAddress>> byName; // keys in lower case

    private HostTable(Map<String, List<InetAddress>> byName) {
        this.byName = byName;
    }

    /** No entries. */
    public static HostTable empty() {
        return EMPTY;
    }

    /**
     * Entries written {@code NAME=ADDR}, separated by commas (spaces around them ignored); a name
     * given twice has both addresses. Addresses are IP literals: a host table never resolves.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code NAME=ADDR}
     */
    public static HostTable parse(String entries) {
        Map<String, List<InetAddress>> table = new LinkedHashMap<>();
        for (String entry : entries.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            String name = eq < 0 ? "" : e.substring(0, eq).strip();
            String address = eq < 0 ? "" : e.substring(eq + 1).strip();
            if (name.isEmpty() || address.isEmpty()) {
                throw new IllegalArgumentException("host entry '" + e + "': want NAME=ADDR");
            }
            table.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(literal(name, address));
        }
        table.replaceAll((k, v) -> List.copyOf(v));
        return table.isEmpty() ? EMPTY : new HostTable(Map.copyOf(table));
    }

    /** The addresses of {@code name}, each carrying the name; empty if the table does not know it. */
    public List<InetAddress> lookup(String name) {
        return byName.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The first name whose entry has {@code address}, for a reverse lookup. */
    public Optional<String> nameOf(byte[] address) {
        for (List<InetAddress> addresses : byName.values()) {
            for (InetAddress a : addresses) {
                if (Arrays.equals(a.getAddress(), address)) {
                    return Optional.of(a.getHostName());
                }
            }
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    private static InetAddress literal(String name, String address) {
        try {
            // ofLiteral never asks a resolver (this table may be part of the JVM's); the copy carries the name.
            return InetAddress.getByAddress(name, InetAddress.ofLiteral(address).getAddress());
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw new IllegalArgumentException("host entry " + name + "=" + address + ": not an IP address literal", e);
        }
    }

    @Override
    public String toString() {
        return byName.toString();
    }
}
