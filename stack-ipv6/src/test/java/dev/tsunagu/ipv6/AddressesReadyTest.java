package dev.tsunagu.ipv6;

import static dev.tsunagu.ipv6.RawV6Lan.HOST;
import static dev.tsunagu.ipv6.RawV6Lan.RAW_LINK_LOCAL;
import static dev.tsunagu.ipv6.RawV6Lan.RAW_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The end of Duplicate Address Detection as a signal (RFC 4862 5.4): {@code addressesReady()}
 * completes when no address is tentative any more, on the virtual clock. One DAD solicitation
 * per address, RetransTimer 1 s: the addresses become preferred 1 s after the stack starts.
 */
class AddressesReadyTest {
    private final RawV6Lan lan = new RawV6Lan("ready", b -> b.option(Ipv6Options.DAD_TRANSMITS, 1));

    @AfterEach
    void tearDown() {
        lan.close();
    }

    private Ipv6Interface state() {
        return lan.v6().interfaceState(lan.host.primaryInterface());
    }

    private boolean anyTentative() {
        return lan.host.call(() -> state().addresses().stream()
                .anyMatch(a -> a.state() == Ipv6Interface.AddressState.TENTATIVE));
    }

    @Test
    void rfc4862_5_4_readyWhenDadHasFoundEveryAddressUnique() {
        CompletableFuture<Void> ready = lan.host.addressesReady();
        lan.loop.advance(Duration.ofMillis(900));
        assertThat(ready).as("both addresses still tentative").isNotDone();
        assertThat(anyTentative()).isTrue();

        lan.loop.advance(Duration.ofMillis(200));

        assertThat(ready).isCompletedWithValue(null);
        assertThat(anyTentative()).isFalse();
        assertThat(lan.host.addressesReady()).as("asked after DAD: at once").isDone();
    }

    @Test
    void rfc4862_5_4_5_anAddressGivenUpAsADuplicateDoesNotHoldTheWait() {
        CompletableFuture<Void> ready = lan.host.addressesReady();
        lan.sendTo(Ipv6Addresses.ALL_NODES, V6.packet(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 58, 255,
                V6.icmp(RAW_LINK_LOCAL, Ipv6Addresses.ALL_NODES, 136, 0, V6.ndBody(0x20, HOST, 2, RAW_MAC))));
        lan.loop.runUntilIdle();
        assertThat(state().addresses()).extracting(Ipv6Interface.Address::address).doesNotContain(HOST);
        assertThat(ready).as("the link-local address is still tentative").isNotDone();

        lan.loop.advance(Duration.ofMillis(1100));

        assertThat(ready).isDone();
    }

    @Test
    void rfc4862_5_5_3_anAddressARouterAdvertAddsIsWaitedForAfresh() {
        lan.loop.advance(Duration.ofMillis(1100));
        CompletableFuture<Void> before = lan.host.addressesReady();
        assertThat(before).isDone();

        lan.sendTo(Ipv6Addresses.ALL_NODES, routerAdvert(Ipv6Prefix.parse("2001:db8:1::/64")));
        lan.loop.runUntilIdle();
        CompletableFuture<Void> slaac = lan.host.addressesReady();
        assertThat(anyTentative()).as("the autoconfigured address runs DAD").isTrue();
        assertThat(slaac).isNotDone();

        lan.loop.advance(Duration.ofMillis(1100));
        assertThat(slaac).isDone();
        assertThat(anyTentative()).isFalse();
    }

    @Test
    void rfc4862_5_4_awaitAddressesReadyWaitsForDadWithinItsLimit() {
        long start = lan.loop.now();
        assertThat(lan.host.awaitAddressesReady(Duration.ofMillis(500))).as("DAD takes a second").isFalse();
        assertThat(lan.host.awaitAddressesReady(Duration.ofSeconds(5))).isTrue();
        assertThat(lan.loop.now() - start).isBetween(Duration.ofSeconds(1).toNanos(), Duration.ofMillis(1100).toNanos());
        assertThat(anyTentative()).isFalse();
    }

    /** A Router Advertisement from the raw host with one autonomous /64 prefix. */
    private static byte[] routerAdvert(Ipv6Prefix prefix) {
        ByteBuffer b = ByteBuffer.allocate(12 + 32);
        b.put((byte) 64).put((byte) 0).putShort((short) 0).putInt(0).putInt(0);
        b.put((byte) 3).put((byte) 4).put((byte) prefix.length()).put((byte) 0xC0)
                .putInt(86400).putInt(14400).putInt(0).put(prefix.address().toBytes());
        Ipv6Address src = RAW_LINK_LOCAL;
        return V6.packet(src, Ipv6Addresses.ALL_NODES, 58, 255, V6.icmp(src, Ipv6Addresses.ALL_NODES, 134, 0, b.array()));
    }
}
