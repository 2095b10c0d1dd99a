package dev.tsunagu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LinkDriversTest {

    /** A driver that only remembers the spec it was made from. */
    record FakeDriver(String name, DriverSpec spec) implements LinkDriver {
        @Override
        public DriverCapabilities capabilities() {
            return DriverCapabilities.ethernet(spec.intParameter("mtu", 1500));
        }

        @Override
        public void open(DriverContext context) {}

        @Override
        public boolean transmit(PacketBuffer frame) {
            frame.release();
            return false;
        }

        @Override
        public void close() {}
    }

    /** A provider whose availability and failure are set by the test. */
    static final class FakeProvider implements LinkDriverProvider {
        final String name;
        final String unavailable;
        final RuntimeException failure;
        final List<DriverSpec> created = new ArrayList<>();

        FakeProvider(String name) {
            this(name, null, null);
        }

        FakeProvider(String name, String unavailable, RuntimeException failure) {
            this.name = name;
            this.unavailable = unavailable;
            this.failure = failure;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "fake " + name;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.ofNullable(unavailable);
        }

        @Override
        public LinkDriver create(DriverSpec spec) throws DriverException {
            created.add(spec);
            if (failure != null) {
                throw failure;
            }
            if (spec.argument().equals("missing")) {
                throw new DriverException("device " + spec.argument() + " does not exist");
            }
            return new FakeDriver(spec.toString(), spec);
        }
    }

    @Test
    void createsByNameAndPassesTheParsedSpec() throws Exception {
        FakeProvider cable = new FakeProvider("cable");
        FakeProvider tap = new FakeProvider("tap");
        LinkDrivers drivers = LinkDrivers.of(cable, tap);

        LinkDriver d = drivers.create("cable:lan0,mtu=9000");
        assertThat(d).isInstanceOf(FakeDriver.class);
        assertThat(d.name()).isEqualTo("cable:lan0,mtu=9000");
        assertThat(d.capabilities().mtu()).isEqualTo(9000);
        assertThat(cable.created).containsExactly(DriverSpec.parse("cable:lan0,mtu=9000"));
        assertThat(tap.created).isEmpty();

        drivers.create("tap:tsu0");
        assertThat(tap.created).extracting(DriverSpec::argument).containsExactly("tsu0");
    }

    @Test
    void providersAreListedInOrderAndFoundByName() {
        FakeProvider a = new FakeProvider("a");
        FakeProvider b = new FakeProvider("b");
        LinkDrivers drivers = LinkDrivers.of(b, a);
        assertThat(drivers.providers()).containsExactly(b, a);
        assertThat(drivers.provider("a")).isSameAs(a);
        assertThat(drivers.provider("zzz")).isNull();
        drivers.providers().clear(); // a copy
        assertThat(drivers.providers()).hasSize(2);
    }

    @Test
    void duplicateNamesKeepTheFirst() throws Exception {
        FakeProvider first = new FakeProvider("cable");
        FakeProvider second = new FakeProvider("cable");
        LinkDrivers drivers = LinkDrivers.of(first, second);
        assertThat(drivers.providers()).containsExactly(first);
        drivers.create("cable:x");
        assertThat(first.created).hasSize(1);
        assertThat(second.created).isEmpty();
    }

    @Test
    void unknownNameListsTheInstalledDrivers() {
        LinkDrivers drivers = LinkDrivers.of(new FakeProvider("cable"), new FakeProvider("tap"));
        assertThatThrownBy(() -> drivers.create("pcap:eth0"))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("'pcap'")
                .hasMessageContaining("cable, tap");
        assertThatThrownBy(() -> LinkDrivers.of().create("pcap:eth0"))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("'pcap'");
    }

    @Test
    void anUnavailableProviderSaysWhyAndIsNotAskedToCreate() {
        FakeProvider tap = new FakeProvider("tap", "no /dev/net/tun on this machine", null);
        LinkDrivers drivers = LinkDrivers.of(tap);
        assertThatThrownBy(() -> drivers.create("tap:tsu0"))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("tap")
                .hasMessageContaining("not available")
                .hasMessageContaining("no /dev/net/tun on this machine");
        assertThat(tap.created).isEmpty();
        // still listed
        assertThat(drivers.provider("tap")).isSameAs(tap);
    }

    @Test
    void anIllegalArgumentFromTheProviderBecomesADriverException() {
        IllegalArgumentException bad = new IllegalArgumentException("mtu must be a number: lots");
        LinkDrivers drivers = LinkDrivers.of(new FakeProvider("cable", null, bad));
        assertThatThrownBy(() -> drivers.create("cable:lan0,mtu=lots"))
                .isInstanceOf(DriverException.class)
                .hasCause(bad)
                .hasMessageContaining("cable:lan0,mtu=lots")
                .hasMessageContaining("mtu must be a number: lots");
    }

    @Test
    void aDriverExceptionFromTheProviderPassesThrough() {
        LinkDrivers drivers = LinkDrivers.of(new FakeProvider("cable"));
        assertThatThrownBy(() -> drivers.create("cable:missing"))
                .isInstanceOf(DriverException.class)
                .hasMessage("device missing does not exist");
    }

    @Test
    void aMalformedSpecBecomesADriverException() {
        LinkDrivers drivers = LinkDrivers.of(new FakeProvider("cable"));
        assertThatThrownBy(() -> drivers.create("cable:lan0,mtu"))
                .isInstanceOf(DriverException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad parameter");
        assertThatThrownBy(() -> drivers.create(""))
                .isInstanceOf(DriverException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void installedDiscoveryDoesNotFail() {
        LinkDrivers installed = LinkDrivers.installed();
        assertThat(installed.providers()).isNotNull();
        assertThat(installed.provider("no-such-driver-xyz")).isNull();
    }

    @Test
    void capabilitiesValidateTheMtu() {
        assertThat(DriverCapabilities.ethernet(1500).maxFrameLength()).isEqualTo(1514);
        assertThat(DriverCapabilities.ethernet(1500).withMtu(9000).mtu()).isEqualTo(9000);
        assertThatThrownBy(() -> DriverCapabilities.ethernet(67)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriverCapabilities.ethernet(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThat(DriverCapabilities.ethernet(68).mtu()).isEqualTo(68);
        assertThat(DriverCapabilities.ethernet(65535).mtu()).isEqualTo(65535);
    }
}
