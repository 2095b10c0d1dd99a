package dev.tsunagu.link.ethernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.arp.ArpRepr;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.MacAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Repr → emit → parse → equal Repr, against literal bytes from a real capture. */
class WireReprTest {
    /** An ARP request as the Linux kernel sends it (who-has 10.0.0.2 tell 10.0.0.1), from tcpdump -xx. */
    private static final byte[] KERNEL_ARP_REQUEST = HexFormat.of().parseHex(
            "ffffffffffff" + "5a4bb0e1c2d3" + "0806"
                    + "0001" + "0800" + "06" + "04" + "0001"
                    + "5a4bb0e1c2d3" + "0a000001"
                    + "000000000000" + "0a000002");

    @Test
    void ethernetHeaderRoundTrips() {
        EthernetRepr repr = new EthernetRepr(MacAddress.BROADCAST, MacAddress.parse("5a:4b:b0:e1:c2:d3"), EtherType.ARP);
        PacketBuffer b = PacketBuffer.allocate(64, 14);
        repr.emit(b);
        assertThat(b.toByteArray()).isEqualTo(java.util.Arrays.copyOf(KERNEL_ARP_REQUEST, 14));
        assertThat(EthernetRepr.parse(b)).isEqualTo(repr);
    }

    @Test
    void aKernelArpRequestParsesAndReEmitsByteForByte() {
        PacketBuffer b = PacketBuffer.copyOf(KERNEL_ARP_REQUEST, 0);
        EthernetRepr eth = EthernetRepr.parse(b);
        assertThat(eth.etherType()).isEqualTo(EtherType.ARP);
        b.consume(14);
        ArpRepr arp = ((ArpRepr.Parsed) ArpRepr.parse(b)).repr();
        assertThat(arp.toString()).isEqualTo("ARP who-has 10.0.0.2 tell 10.0.0.1 (5a:4b:b0:e1:c2:d3)");

        PacketBuffer out = PacketBuffer.allocate(64, 14);
        arp.emit(out);
        eth.emit(out);
        assertThat(out.toByteArray()).isEqualTo(KERNEL_ARP_REQUEST);
    }

    @Test
    void tooShortHeadersParseToNothing() {
        assertThat(EthernetRepr.parse(PacketBuffer.copyOf(new byte[13], 0))).isNull();
        assertThat(ArpRepr.parse(PacketBuffer.copyOf(new byte[27], 0)))
                .isEqualTo(new ArpRepr.Rejected(ArpRepr.ParseError.TRUNCATED));
    }
}
