package example.thirdparty;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverSpec;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.driver.LinkDriverProvider;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A third party's driver, in a package of its own and registered only through
 * {@code META-INF/services}: a medium that swallows every frame and counts it
 * ({@code acme-null:NAME}).
 */
public final class AcmeNullDriverProvider implements LinkDriverProvider {
    /** Frames sent through any acme-null driver in this JVM, for the test to see. */
    public static final AtomicInteger TRANSMITTED = new AtomicInteger();

    @Override
    public String name() {
        return "acme-null";
    }

    @Override
    public String description() {
        return "Acme's null medium: frames go nowhere";
    }

    @Override
    public LinkDriver create(DriverSpec spec) {
        return new LinkDriver() {
            @Override
            public String name() {
                return "acme-null:" + spec.argument();
            }

            @Override
            public DriverCapabilities capabilities() {
                return DriverCapabilities.ethernet(spec.intParameter("mtu", 1400));
            }

            @Override
            public void open(DriverContext context) {}

            @Override
            public boolean transmit(PacketBuffer frame) {
                TRANSMITTED.incrementAndGet();
                frame.release();
                return true;
            }

            @Override
            public void close() {}
        };
    }
}
