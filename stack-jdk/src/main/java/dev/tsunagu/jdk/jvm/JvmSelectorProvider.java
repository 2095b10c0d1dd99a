package dev.tsunagu.jdk.jvm;

import dev.tsunagu.jdk.TsunaguSelectorProvider;

/**
 * The NIO provider of a JVM switched to Tsunagu, named by class for the JDK's own switch:
 * {@code -Djava.nio.channels.spi.SelectorProvider=dev.tsunagu.jdk.jvm.JvmSelectorProvider}. The
 * JDK makes it with its no-argument constructor the first time anything asks for
 * {@code SelectorProvider.provider()} (a {@code SocketChannel.open()}, a {@code Selector.open()});
 * its channels are on the JVM's stack ({@link JvmStack}), which starts when the first channel or
 * selector is opened.
 */
public final class JvmSelectorProvider extends TsunaguSelectorProvider {
    /** The name to give {@code -Djava.nio.channels.spi.SelectorProvider}. */
    public static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";

    public JvmSelectorProvider() {
        super(JvmStack::get);
    }
}
