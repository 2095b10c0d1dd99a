package dev.tsunagu.testkit.link;

import dev.tsunagu.link.cable.Cable;

/**
 * The IP-only cable keeps the driver contract, with the kit's IP test packets (no Ethernet
 * header): the kit's IP-only path checked on every build, where the TUN's needs root.
 */
class IpOnlyCableDriverContractTest extends CableDriverContractTest {
    @Override
    protected Cable newCable() {
        return Cable.ipOnly("contract-ip", 1500);
    }
}
