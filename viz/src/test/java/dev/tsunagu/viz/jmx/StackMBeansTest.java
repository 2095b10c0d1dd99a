package dev.tsunagu.viz.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.ThreadedEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;

/** A stack registered on request is read through the platform MBean server as typed open data. */
class StackMBeansTest {
    @Test
    void countersAndSocketsAreTypedOpenData() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Cable lan = new Cable("jmx");
        try (ThreadedEventLoop loop = new ThreadedEventLoop("jmx");
             NetworkStack a = NetworkStack.builder().name("jmx-a").eventLoop(loop).addInterface(
                     dev.tsunagu.stack.InterfaceConfig.of(lan.attach()).address("10.0.0.1/24")).build();
             NetworkStack b = NetworkStack.builder().name("jmx-b").eventLoop(loop).addInterface(
                     dev.tsunagu.stack.InterfaceConfig.of(lan.attach()).address("10.0.0.2/24")).build();
             StackMBeans.AutoCloseableRegistration reg = StackMBeans.register(a);
             TcpServerSocket listener = b.tcp().listen(80);
             TcpSocket c = a.tcp().connect(new InetSocketAddress("10.0.0.2", 80))) {
            c.write(new byte[1000]);
            assertThat(reg.name().toString()).isEqualTo("dev.tsunagu:type=Stack,name=\"jmx-a\"");
            assertThat(server.getAttribute(reg.name(), "Name")).isEqualTo("jmx-a");

            // Counters: composite rows with a layer's name and a table of named longs.
            CompositeData[] layers = (CompositeData[]) server.getAttribute(reg.name(), "Layers");
            List<String> names = new ArrayList<>();
            long activeOpens = -1;
            for (CompositeData layer : layers) {
                names.add((String) layer.get("layer"));
                if (layer.get("layer").equals("tcp")) {
                    TabularData counters = (TabularData) layer.get("counters");
                    CompositeData row = counters.get(new Object[] {"ActiveOpens"});
                    activeOpens = (Long) row.get("value");
                }
            }
            assertThat(names).contains("tcp", "loop");
            assertThat(activeOpens).isEqualTo(1);
            assertThat(server.invoke(reg.name(), "counter", new Object[] {"tcp", "ActiveOpens"},
                    new String[] {String.class.getName(), String.class.getName()})).isEqualTo(1L);

            // The socket table: one composite per row, its fields typed.
            CompositeData[] sockets = (CompositeData[]) server.getAttribute(reg.name(), "Sockets");
            assertThat(sockets).hasSize(1);
            assertThat(sockets[0].get("state")).isEqualTo("ESTABLISHED");
            assertThat(sockets[0].get("remote")).isEqualTo("10.0.0.2:80");
            assertThat(sockets[0].get("sendQueue")).isInstanceOf(Long.class);

            // And through a proxy, as a Java client of the bean would.
            StackMXBean proxy = JMX.newMXBeanProxy(server, reg.name(), StackMXBean.class);
            assertThat(proxy.getSocketCount()).isEqualTo(1);
            assertThat(proxy.getSockets().getFirst().local()).isEqualTo(c.localAddress().getAddress().getHostAddress()
                    + ":" + c.localAddress().getPort());
        }
        assertThat(server.queryNames(new javax.management.ObjectName("dev.tsunagu:type=Stack,*"), null)).isEmpty();
    }

    @Test
    void aDualStackListenerRowShowsTheIpv6Wildcard() throws Exception {
        try (ThreadedEventLoop loop = new ThreadedEventLoop("jmx6");
             NetworkStack b = NetworkStack.builder().name("jmx-six").eventLoop(loop).addInterface(
                     dev.tsunagu.stack.InterfaceConfig.of(new Cable("jmx6").attach()).address("10.0.0.2/24")
                             .address("fd00::2/64")).build();
             StackMBeans.AutoCloseableRegistration reg = StackMBeans.register(b);
             TcpServerSocket listener = b.tcp().listen(8080)) {
            StackMXBean proxy = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(), reg.name(),
                    StackMXBean.class);
            assertThat(proxy.getSockets()).singleElement().satisfies(row -> {
                assertThat(row.state()).isEqualTo("LISTEN");
                assertThat(row.local()).as("dual-stack: both families, not 0.0.0.0").isEqualTo("[::]:8080");
            });
        }
    }
}
