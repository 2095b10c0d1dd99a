package dev.tsunagu.apps.iperf3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestParametersTest {
    @Test
    void readsWhatIperf3312SendsForAUdpTest() {
        // As iperf3 3.12 --debug printed it for "-c ... -u -t 1 -b 10M".
        TestParameters p = TestParameters.fromJson(Json.parseObject("""
                {"udp":true,"omit":0,"time":1,"num":0,"blockcount":0,"parallel":1,"len":32768,
                 "bandwidth":10000000,"pacing_timer":1000,"client_version":"3.12"}"""));
        assertThat(p).isEqualTo(new TestParameters(true, false, false, 1, 1, 0, 32768, 10_000_000, false, false, "3.12"));
    }

    @Test
    void readsFlagsOnlyWhenPresent() {
        TestParameters p = TestParameters.fromJson(FakeClient.parameters("reverse", true, "parallel", 4,
                "get_server_output", 1L, "udp_counters_64bit", true));
        assertThat(p.reverse()).isTrue();
        assertThat(p.serverSends()).isTrue();
        assertThat(p.streams()).isEqualTo(4);
        assertThat(p.serverOutput()).isTrue();
        assertThat(p.udpCounters64()).isTrue();
        assertThat(p.udp()).isFalse();
        assertThat(p.bidirectional()).isFalse();
        assertThat(TestParameters.fromJson(FakeClient.parameters("omit", 2)).countFromMicros(1_000_000)).isEqualTo(3_000_000);
        assertThat(TestParameters.fromJson(FakeClient.parameters("bidirectional", true)).bidirectional()).isTrue();
    }

    @Test
    void defaultsForWhatAnOlderClientLeavesOut() {
        TestParameters p = TestParameters.fromJson(Json.parseObject("{\"tcp\":true}"));
        assertThat(p.streams()).isEqualTo(1);
        assertThat(p.blockSize()).isEqualTo(128 * 1024);
        assertThat(p.clientVersion()).isEqualTo("unknown");
    }

    @Test
    void valuesOutOfRangeAreRefusedWithTheReason() {
        assertThatThrownBy(() -> TestParameters.fromJson(FakeClient.parameters("parallel", 0)))
                .hasMessage("parallel streams 0 not in 1..128");
        assertThatThrownBy(() -> TestParameters.fromJson(FakeClient.parameters("parallel", 129))).hasMessageContaining("129");
        assertThatThrownBy(() -> TestParameters.fromJson(FakeClient.parameters("len", 2 << 20)))
                .hasMessage("block length 2097152 not in 1..1048576");
        assertThatThrownBy(() -> TestParameters.fromJson(FakeClient.parameters("udp", true, "len", 8)))
                .hasMessage("block length 8 not in 12..65507");
        assertThatThrownBy(() -> TestParameters.fromJson(FakeClient.parameters("bandwidth", -1)))
                .hasMessageContaining("negative bandwidth");
    }
}
