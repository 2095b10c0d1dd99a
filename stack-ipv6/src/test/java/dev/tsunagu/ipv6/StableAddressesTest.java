package dev.tsunagu.ipv6;

import static dev.tsunagu.ipv6.RawV6Lan.RAW_LINK_LOCAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.stack.NetworkStack;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * RFC 7217 stable privacy addresses for SLAAC, with {@code ipv6.addressGeneration=STABLE}: the
 * identifier is SHA-256 over the prefix, the interface, the DAD counter and a secret, the same
 * for the same network and secret (a restart), unrelated on another prefix or with another
 * secret, never the MAC's; a duplicate gets the next DAD counter, three times at most. EUI-64
 * stays the default, and the link-local address keeps it.
 */
class StableAddressesTest {
    private static final String SECRET = "sixteen+ bytes of secret";
    private static final Ipv6Prefix NET_A = Ipv6Prefix.parse("2001:db8:a::/64");
    private static final Ipv6Prefix NET_B = Ipv6Prefix.parse("2001:db8:b::/64");

    private static Consumer<NetworkStack.Builder> stable(String secret) {
        return b -> b.option(Ipv6Options.ADDRESS_GENERATION, Ipv6Options.AddressGeneration.STABLE)
                .option(Ipv6Options.STABLE_SECRET, secret);
    }

    /** A Router Advertisement from the raw host with one autonomous /64 prefix. */
    private static byte[] routerAdvert(Ipv6Prefix prefix) {
        ByteBuffer b = ByteBuffer.allocate(12 + 32);
        b.put((byte) 64).put((byte) 0).putShort((short) 0).putInt(0).putInt(0);
        b.put((byte) 3).put((byte) 4).put((byte) prefix.length()).put((byte) 0xC0)
                .putInt(86400).putInt(14400).putInt(0).put(prefix.address().toBytes());
        return V6.packet(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 58, 255,
                V6.icmp(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 134, 0, b.array()));
    }

    /** The host's autoconfigured addresses after a Router Advertisement of {@code prefix} (DAD off). */
    private static List<Ipv6Address> slaacAddresses(RawV6Lan lan, Ipv6Prefix prefix) {
        lan.sendTo(Ipv6Addresses.ALL_NODES, routerAdvert(prefix));
        lan.loop.runUntilIdle();
        return autoconfigured(lan);
    }

    private static List<Ipv6Address> autoconfigured(RawV6Lan lan) {
        return lan.host.call(() -> lan.v6().interfaceState(lan.host.primaryInterface()).addresses().stream()
                .filter(Ipv6Interface.Address::autoconfigured).map(Ipv6Interface.Address::address).toList());
    }

    /** RFC 7217 5's F() written out here independently: SHA-256(prefix | "eth0" | counter | secret), first 64 bits. */
    private static long expectedIdentifier(Ipv6Prefix prefix, String iface, int counter, String secret) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(ByteBuffer.allocate(8).putLong(prefix.address().high()).array());
        sha.update(iface.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) counter);
        sha.update(secret.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha.digest()).getLong();
    }

    @Test
    void byDefaultSlaacUsesTheModifiedEui64Identifier() {
        try (RawV6Lan lan = new RawV6Lan("eui64")) {
            assertThat(slaacAddresses(lan, NET_A))
                    .containsExactly(Ipv6Addresses.withInterfaceIdentifier(NET_A.address(), lan.hostMac()));
        }
    }

    @Test
    void rfc7217_5_theStableIdentifierIsTheHashOfPrefixInterfaceCounterAndSecretNotTheMac() throws Exception {
        try (RawV6Lan lan = new RawV6Lan("stable", stable(SECRET))) {
            List<Ipv6Address> a = slaacAddresses(lan, NET_A);
            String iface = lan.host.primaryInterface().name();
            assertThat(a).containsExactly(new Ipv6Address(NET_A.address().high(), expectedIdentifier(NET_A, iface, 0, SECRET)));
            assertThat(a.getFirst().low()).isNotEqualTo(Ipv6Addresses.interfaceIdentifier(lan.hostMac()));
            assertThat(lan.host.call(() -> lan.v6().interfaceState(lan.host.primaryInterface()).addresses()))
                    .as("the link-local address keeps the EUI-64 identifier")
                    .anyMatch(x -> x.address().equals(Ipv6Addresses.linkLocal(lan.hostMac())));
            // A second advertisement of the same prefix finds the address made: no second one.
            assertThat(slaacAddresses(lan, NET_A)).isEqualTo(a);
        }
    }

    @Test
    void rfc7217_stableOnTheSameNetworkAcrossRestartsAndUnrelatedOnAnotherPrefixOrSecret() {
        Ipv6Address first;
        try (RawV6Lan lan = new RawV6Lan("stable1", stable(SECRET))) {
            first = slaacAddresses(lan, NET_A).getFirst();
        }
        try (RawV6Lan lan = new RawV6Lan("stable2", stable(SECRET))) {
            assertThat(slaacAddresses(lan, NET_A)).as("after a restart: the same address").containsExactly(first);
            List<Ipv6Address> both = slaacAddresses(lan, NET_B);
            Ipv6Address onB = both.stream().filter(x -> x.high() == NET_B.address().high()).findFirst().orElseThrow();
            assertThat(onB.low()).as("another network: another identifier, so no tracking across them")
                    .isNotEqualTo(first.low());
        }
        try (RawV6Lan lan = new RawV6Lan("stable3", stable("another secret, also long"))) {
            assertThat(slaacAddresses(lan, NET_A).getFirst()).isNotEqualTo(first);
        }
    }

    @Test
    void rfc7217_6_aDuplicateIsMadeAgainWithTheNextDadCounterAtMostThreeTimes() throws Exception {
        try (RawV6Lan lan = new RawV6Lan("stable-dad", stable(SECRET).andThen(b -> b.option(Ipv6Options.DAD_TRANSMITS, 1)))) {
            lan.loop.advance(Duration.ofSeconds(2)); // the configured addresses' DAD
            lan.sent();
            String iface = lan.host.primaryInterface().name();
            lan.sendTo(Ipv6Addresses.ALL_NODES, routerAdvert(NET_A));
            lan.loop.runUntilIdle();
            for (int counter = 0; counter <= StableInterfaceIdentifiers.IDGEN_RETRIES; counter++) {
                Ipv6Address tentative = new Ipv6Address(NET_A.address().high(), expectedIdentifier(NET_A, iface, counter, SECRET));
                assertThat(autoconfigured(lan)).as("DAD_Counter %d", counter).containsExactly(tentative);
                // Another node answers DAD's solicitation: it has the address.
                Ipv6Address allNodes = Ipv6Addresses.ALL_NODES;
                lan.sendTo(allNodes, V6.packet(tentative, allNodes, 58, 255,
                        V6.icmp(tentative, allNodes, 136, 0, V6.ndBody(0x20, tentative, 2, RawV6Lan.RAW_MAC))));
                lan.loop.runUntilIdle();
            }
            assertThat(autoconfigured(lan)).as("given up after IDGEN_RETRIES").isEmpty();
            assertThat(lan.count("nd", "DadDuplicates")).isEqualTo(4);
        }
    }

    @Test
    void rfc7217_5_aSecretShorterThan128BitsIsRefused() {
        assertThatThrownBy(() -> new RawV6Lan("short", stable("short"))).satisfies(e -> {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            assertThat(root).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
        });
    }

    @Test
    void rfc5453_reservedIdentifiersAreNeverUsed() {
        assertThat(StableInterfaceIdentifiers.reserved(0)).isTrue();
        assertThat(StableInterfaceIdentifiers.reserved(0xFDFF_FFFF_FFFF_FF80L)).isTrue();
        assertThat(StableInterfaceIdentifiers.reserved(0xFDFF_FFFF_FFFF_FFFFL)).isTrue();
        assertThat(StableInterfaceIdentifiers.reserved(0x0200_5EFF_FE00_5213L)).isTrue();
        assertThat(StableInterfaceIdentifiers.reserved(0xFDFF_FFFF_FFFF_FF7FL)).isFalse();
        assertThat(StableInterfaceIdentifiers.reserved(0x1234_5678_9ABC_DEF0L)).isFalse();
    }
}
