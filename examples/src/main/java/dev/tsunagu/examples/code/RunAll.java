package dev.tsunagu.examples.code;

import dev.tsunagu.examples.code.buffering.BoundedNagleExample;
import dev.tsunagu.examples.code.congestion.ToyAimdExample;
import dev.tsunagu.examples.code.driver.PipeExample;
import dev.tsunagu.examples.code.echo.AsyncEcho;
import dev.tsunagu.examples.code.echo.BlockingEcho;
import dev.tsunagu.examples.code.sockets.DescriptorSockets;

/**
 * Runs every example in this package, one after the other, each under a {@code == Name ==}
 * heading. On the module path this also shows that the examples' plugins (the {@code pipe}
 * driver, {@code bounded-nagle}, {@code toy-aimd}) are found through {@code module-info}'s
 * {@code provides} lines, as {@code META-INF/services} serves the class path.
 */
public final class RunAll {
    private RunAll() {}

    public static void main(String[] args) throws Exception {
        heading("BlockingEcho");
        BlockingEcho.main(args);
        heading("AsyncEcho");
        AsyncEcho.main(args);
        heading("DescriptorSockets");
        DescriptorSockets.main(args);
        heading("PipeExample");
        PipeExample.main(args);
        heading("BoundedNagleExample");
        BoundedNagleExample.main(args);
        heading("ToyAimdExample");
        ToyAimdExample.main(args);
    }

    private static void heading(String name) {
        System.out.println("== " + name + " ==");
    }
}
