package dev.tsunagu.examples.code.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDrivers;
import dev.tsunagu.examples.code.MainOutput;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.stack.NetworkStack;
import org.junit.jupiter.api.Test;

class PipeDriverTest {
    @Test
    void theDriverIsFoundByItsSpecOnTheClassPath() {
        assertThat(LinkDrivers.installed().providers()).anySatisfy(p -> {
            assertThat(p).isInstanceOf(PipeDriverProvider.class);
            assertThat(p.name()).isEqualTo("pipe");
        });
    }

    @Test
    void twoStacksOnOnePipePingAndCarryAMegabyteOfTcp() throws Exception {
        PipeExample.Result r = PipeExample.run("test-mb", 1 << 20);

        assertThat(r.leftDriver()).isEqualTo("pipe:test-mb/a");
        assertThat(r.ping()).isInstanceOf(PingResult.Reply.class);
        assertThat(r.bytesReceived()).isEqualTo(1 << 20);
        assertThat(r.sameData()).as("CRC-32 of what was read equals that of what was written").isTrue();
        // At least one frame per 1460-byte segment went left to right.
        assertThat(r.left()).containsPattern("sent \\d{3,}");
    }

    @Test
    void aPipeHasTwoEndsAndAThirdStackIsToldSo() throws Exception {
        try (NetworkStack a = NetworkStack.builder().name("a").addInterface("pipe:three", "10.1.0.1/24").build();
             NetworkStack b = NetworkStack.builder().name("b").addInterface("pipe:three", "10.1.0.2/24").build()) {
            assertThatThrownBy(() -> NetworkStack.builder().name("c").addInterface("pipe:three", "10.1.0.3/24").build())
                    .isInstanceOf(DriverException.class)
                    .hasMessage("pipe three already joins two stacks; a pipe has two ends (use the cable driver for more)");
        }
        // Both ends closed: the name is free again.
        try (NetworkStack a = NetworkStack.builder().name("a").addInterface("pipe:three", "10.1.0.1/24").build()) {
            assertThat(a.primaryInterface().driver().name()).isEqualTo("pipe:three/a");
        }
    }

    @Test
    void badSpecsFailWithOneClearLine() {
        assertThatThrownBy(() -> NetworkStack.builder().addInterface("pipe:x,speed=10", "10.1.0.1/24").build())
                .isInstanceOf(DriverException.class).hasMessage("pipe: unknown parameter 'speed' (known: mtu)");
        assertThatThrownBy(() -> NetworkStack.builder().addInterface("pipe", "10.1.0.1/24").build())
                .isInstanceOf(DriverException.class).hasMessageStartingWith("pipe: name the pipe");
    }

    @Test
    void framesSentWithNoOneOnTheOtherEndAreDroppedAndCounted() throws Exception {
        try (NetworkStack alone = NetworkStack.builder().name("alone").addInterface("pipe:lonely", "10.1.0.1/24").build()) {
            PipeDriver end = (PipeDriver) alone.primaryInterface().driver();
            // Bringing the interface up sends a gratuitous ARP: nobody is there to take it.
            assertThat(end.framesDropped()).isPositive();
            assertThat(end.framesSent()).isZero();
        }
    }

    @Test
    void mainPrintsWhatCrossed() throws Exception {
        String out = MainOutput.of(PipeExample::main);
        assertThat(out).contains("interface driver: pipe:example/a", "TCP: sent 1048576 bytes, received 1048576 bytes, identical")
                .containsPattern("ping: Reply\\[from=192\\.168\\.7\\.2");
    }
}
