package dev.tsunagu.link.loopback;

import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;

/** {@code loopback}: the stack talking to itself; every stack gets one as {@code lo}. */
public final class LoopbackDriverProvider implements LinkDriverProvider {
    @Override
    public String name() {
        return "loopback";
    }

    @Override
    public String description() {
        return "frames sent come back in (every stack has one as lo, 127.0.0.1/8)";
    }

    @Override
    public LinkDriver create(DriverSpec spec) {
        return new LoopbackDriver();
    }
}
