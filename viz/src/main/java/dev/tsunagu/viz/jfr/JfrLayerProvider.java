package dev.tsunagu.viz.jfr;

import dev.tsunagu.socket.TcpService;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.trace.TraceHandle;
import java.util.List;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;

/**
 * Puts into every stack a layer that traces its TCP into JFR while a recording enables the
 * {@code dev.tsunagu.tcp.*} events, and not at all otherwise (see the package description).
 * Found by {@code ServiceLoader} like the protocol layers; it draws nothing from the stack's
 * random source and sends nothing, so a stack behaves the same with it.
 */
public final class JfrLayerProvider implements LayerProvider {
    private static final List<Class<? extends TcpEvent>> EVENTS = List.of(TcpSegmentEvent.class, TcpStateEvent.class,
            TcpCongestionEvent.class, TcpRetransmissionEvent.class, TcpTimerEvent.class);

    @Override
    public String name() {
        return "jfr";
    }

    @Override
    public Layer.Kind kind() {
        return Layer.Kind.APPLICATION;
    }

    @Override
    public Layer create(StackContext context) {
        return new JfrLayer(context);
    }

    /** Whether a running recording enables any of the events. */
    static boolean wanted() {
        if (!FlightRecorder.isAvailable() || !FlightRecorder.isInitialized()) {
            return false;
        }
        for (Class<? extends TcpEvent> type : EVENTS) {
            if (EventType.getEventType(type).isEnabled()) {
                return true;
            }
        }
        return false;
    }

    /** One stack's side: a recorder listener that adds or takes out the JFR sink. */
    private static final class JfrLayer implements Layer, FlightRecorderListener {
        private final StackContext ctx;
        private TcpService tcp;
        private TraceHandle handle;
        private boolean listening;

        JfrLayer(StackContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void start() {
            tcp = ctx.service(TcpService.class).orElse(null);
            if (tcp == null || !FlightRecorder.isAvailable()) {
                return;
            }
            // Adding a listener does not start the recorder; if it already runs, it calls
            // recorderInitialized at once. A recording started later calls recordingStateChanged.
            FlightRecorder.addListener(this);
            listening = true;
            update();
        }

        @Override
        public void recordingStateChanged(Recording recording) {
            update();
        }

        private synchronized void update() {
            boolean on = wanted();
            if (on && handle == null) {
                handle = tcp.trace(new JfrTraceSink());
            } else if (!on && handle != null) {
                handle.close();
                handle = null;
            }
        }

        @Override
        public synchronized void close() {
            if (listening) {
                FlightRecorder.removeListener(this);
                listening = false;
            }
            if (handle != null) {
                handle.close();
                handle = null;
            }
        }

        @Override
        public String toString() {
            return "jfr trace of " + ctx.stackName();
        }
    }
}
