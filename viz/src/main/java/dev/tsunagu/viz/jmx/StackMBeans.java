package dev.tsunagu.viz.jmx;

import dev.tsunagu.net.Endpoint;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.stack.NetworkStack;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Registers stacks with the platform MBean server, on request (a stack never registers itself). */
public final class StackMBeans {
    private StackMBeans() {
    }

    /** The name {@code stack} is registered under: {@code dev.tsunagu:type=Stack,name=NAME}. */
    public static ObjectName nameOf(NetworkStack stack) {
        try {
            return new ObjectName("dev.tsunagu:type=Stack,name=" + ObjectName.quote(stack.name()));
        } catch (JMException e) {
            throw new IllegalArgumentException("no JMX name for stack " + stack.name(), e);
        }
    }

    /**
     * Registers {@code stack}'s MXBean with the platform MBean server (replacing one of the same
     * name) and returns a handle whose {@code close} unregisters it.
     */
    public static AutoCloseableRegistration register(NetworkStack stack) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = nameOf(stack);
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new Bean(stack), name);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + name, e);
        }
        return new AutoCloseableRegistration(server, name);
    }

    /** A registration; {@link #close} unregisters the bean (once). */
    public static final class AutoCloseableRegistration implements AutoCloseable {
        private final MBeanServer server;
        private final ObjectName name;

        AutoCloseableRegistration(MBeanServer server, ObjectName name) {
            this.server = server;
            this.name = name;
        }

        /** Where the bean is registered. */
        public ObjectName name() {
            return name;
        }

        @Override
        public void close() {
            try {
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
            } catch (JMException e) {
                throw new IllegalStateException("cannot unregister " + name, e);
            }
        }
    }

    /** The bean: each attribute read from the stack when asked (the counters are thread-safe; the table is taken on the loop). */
    private record Bean(NetworkStack stack) implements StackMXBean {
        @Override
        public String getName() {
            return stack.name();
        }

        @Override
        public List<LayerCounters> getLayers() {
            List<LayerCounters> out = new ArrayList<>();
            stack.statistics().groups().forEach((group, counters) -> out.add(new LayerCounters(group, Map.copyOf(counters))));
            return out;
        }

        @Override
        public long counter(String layer, String name) {
            return stack.statistics().get(layer, name);
        }

        @Override
        public List<SocketRow> getSockets() {
            List<SocketRow> rows = new ArrayList<>();
            for (SocketInfo s : stack.sockets()) {
                rows.add(new SocketRow(s.protocol(), s.descriptor(), text(s.local()), text(s.remote()), s.state(),
                        s.sendQueue(), s.receiveQueue()));
            }
            return rows;
        }

        @Override
        public int getSocketCount() {
            return stack.sockets().size();
        }

        private static String text(InetSocketAddress a) {
            return a == null ? "" : Endpoint.format(a);
        }
    }
}
