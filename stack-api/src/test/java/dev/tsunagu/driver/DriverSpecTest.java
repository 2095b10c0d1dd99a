package dev.tsunagu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DriverSpecTest {

    @Test
    void nameOnly() {
        DriverSpec s = DriverSpec.parse("loopback");
        assertThat(s.name()).isEqualTo("loopback");
        assertThat(s.argument()).isEmpty();
        assertThat(s.parameters()).isEmpty();
        assertThat(s.toString()).isEqualTo("loopback");
    }

    @Test
    void nameAndArgument() {
        DriverSpec s = DriverSpec.parse("cable:lan0");
        assertThat(s.name()).isEqualTo("cable");
        assertThat(s.argument()).isEqualTo("lan0");
        assertThat(s.parameters()).isEmpty();
        assertThat(s.toString()).isEqualTo("cable:lan0");
    }

    @Test
    void argumentKeepsEverythingAfterTheFirstColon() {
        DriverSpec s = DriverSpec.parse("pcap:/tmp/x:y.pcap");
        assertThat(s.name()).isEqualTo("pcap");
        assertThat(s.argument()).isEqualTo("/tmp/x:y.pcap");
        assertThat(DriverSpec.parse("cable:").argument()).isEmpty();
    }

    @Test
    void parametersAreKeptInOrderAndTrimmed() {
        DriverSpec s = DriverSpec.parse("  cable:lan0,mtu=9000, loss = 0.25 ,seed=7,empty=  ");
        assertThat(s.name()).isEqualTo("cable");
        assertThat(s.argument()).isEqualTo("lan0");
        assertThat(s.parameters()).containsExactly(
                Map.entry("mtu", "9000"), Map.entry("loss", "0.25"), Map.entry("seed", "7"), Map.entry("empty", ""));
        assertThat(s.toString()).isEqualTo("cable:lan0,mtu=9000,loss=0.25,seed=7,empty=");
        assertThat(DriverSpec.parse(s.toString())).isEqualTo(s);
    }

    @Test
    void parametersWithoutAnArgument() {
        DriverSpec s = DriverSpec.parse("tap,mtu=1400");
        assertThat(s.name()).isEqualTo("tap");
        assertThat(s.argument()).isEmpty();
        assertThat(s.parameters()).containsExactly(Map.entry("mtu", "1400"));
        assertThat(s.toString()).isEqualTo("tap,mtu=1400");
    }

    @Test
    void valuesMayContainEqualsSigns() {
        DriverSpec s = DriverSpec.parse("x,filter=a=b");
        assertThat(s.parameters()).containsExactly(Map.entry("filter", "a=b"));
    }

    @Test
    void namesMayUseLettersDigitsAndDotDashUnderscore() {
        assertThat(DriverSpec.parse("my-drv_2.0:arg").name()).isEqualTo("my-drv_2.0");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t"})
    void emptySpecsAreRejected(String spec) {
        assertThatThrownBy(() -> DriverSpec.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty driver spec");
    }

    @ParameterizedTest
    @ValueSource(strings = {":lan0", "ca ble:lan0", "cable/x", "cäble", "cable!", ",mtu=1", "=x"})
    void badNamesAreRejected(String spec) {
        assertThatThrownBy(() -> DriverSpec.parse(spec))
                .as("parse(\"%s\")", spec)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad driver name")
                .hasMessageContaining(spec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cable:lan0,mtu", "cable:lan0,=9000", "cable,,mtu=1", "cable:lan0,mtu=1,loss"})
    void badParametersAreRejected(String spec) {
        assertThatThrownBy(() -> DriverSpec.parse(spec))
                .as("parse(\"%s\")", spec)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad parameter")
                .hasMessageContaining("KEY=VALUE");
    }

    @Test
    void intParameter() {
        DriverSpec s = DriverSpec.parse("cable:lan0,mtu=9000,loss=lots");
        assertThat(s.intParameter("mtu", 1500)).isEqualTo(9000);
        assertThat(s.intParameter("queue", 256)).as("absent: fallback").isEqualTo(256);
        assertThatThrownBy(() -> s.intParameter("loss", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loss")
                .hasMessageContaining("lots");
    }

    @Test
    void unknownParametersAreRefusedNamingTheKnownOnes() {
        DriverSpec s = DriverSpec.parse("pcap:eth0,mtu=9000,speed=10");
        assertThatThrownBy(() -> s.requireKnownParameters("mac", "mtu", "promisc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown pcap parameter 'speed' (known: mac, mtu, promisc)");
        s.requireKnownParameters("mtu", "speed"); // all known: no exception
    }

    @Test
    void macParameter() {
        DriverSpec s = DriverSpec.parse("pcap:eth0,mac=02:00:00:00:00:01,bad=zz");
        assertThat(s.macParameter("mac")).hasToString("02:00:00:00:00:01");
        assertThat(s.macParameter("other")).as("absent").isNull();
        assertThatThrownBy(() -> s.macParameter("bad"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pcap parameter bad= wants a MAC like 02:00:00:00:00:01: zz");
    }

    @Test
    void parametersAreAnUnmodifiableCopy() {
        java.util.LinkedHashMap<String, String> params = new java.util.LinkedHashMap<>();
        params.put("a", "1");
        DriverSpec s = new DriverSpec("x", "", params);
        params.put("b", "2");
        assertThat(s.parameters()).containsOnlyKeys("a");
        assertThatThrownBy(() -> s.parameters().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    }
}
