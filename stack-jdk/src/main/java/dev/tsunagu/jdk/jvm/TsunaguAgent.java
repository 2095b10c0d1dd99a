package dev.tsunagu.jdk.jvm;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Java agent that routes a program's {@code java.net} sockets to the JVM's Tsunagu stack
 * without a change to the program: {@code java -javaagent:tsunagu-stack-jdk.jar
 * -Dtsunagu.driver=tap:tsu0 ... -jar app.jar}. It transforms no class; it only sets the JDK's
 * socket implementation factories before {@code main} runs ({@code TsunaguJdk.installJvmWide}),
 * which an agent is the one place to do for a program that is not ours. The stack itself starts
 * when the program makes its first socket ({@link JvmStack}).
 *
 * <p>The NIO channels are selected by {@code -Djava.nio.channels.spi.SelectorProvider} ({@link JvmSelectorProvider}) and
 * names by the resolver provider; {@code tsunagu java} adds all three.
 */
public final class TsunaguAgent {
    private TsunaguAgent() {}

    /**
     * Called by the JVM before {@code main} (the jar's manifest names this class as
     * {@code Premain-Class}); {@code args} are not used.
     *
     * @throws IllegalStateException if {@value StackProperties#DRIVER} is not set (the JVM then
     *         stops with the message: an agent asked for and doing nothing would be a silent lie)
     */
    public static void premain(String args) {
        if (!JvmStack.selected()) {
            throw new IllegalStateException("the Tsunagu agent needs -D" + StackProperties.DRIVER
                    + "=SPEC (e.g. tap:tsu0) and the other tsunagu.* properties that describe the stack");
        }
        try {
            JvmStack.adapters().installJvmWide();
        } catch (IOException e) {
            throw new UncheckedIOException("the Tsunagu agent could not route java.net's sockets: " + e.getMessage(), e);
        }
    }
}
