package dev.tsunagu.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

/**
 * The two forwarding bases of driver decorators pass each call on unchanged, and a decorator
 * that overrides one method changes only that one. Only the calls on the contracts matter
 * here, so the inner driver and the stack's context are mocks.
 */
class ForwardingLinkDriverTest {
    private final LinkDriver inner = mock(LinkDriver.class);
    private final DriverContext stack = mock(DriverContext.class);

    /** A decorator that changes nothing. */
    private static final class Plain extends ForwardingLinkDriver {
        Plain(LinkDriver delegate) {
            super(delegate);
        }
    }

    /** A decorator that counts transmitted frames and sees received ones; the rest is forwarded. */
    private static final class Counting extends ForwardingLinkDriver {
        int sent;
        int received;

        Counting(LinkDriver delegate) {
            super(delegate);
        }

        @Override
        public void open(DriverContext context) throws DriverException {
            delegate().open(new ForwardingDriverContext(context) {
                @Override
                public boolean receive(PacketBuffer frame) {
                    received++;
                    return super.receive(frame);
                }
            });
        }

        @Override
        public boolean transmit(PacketBuffer frame) {
            sent++;
            return super.transmit(frame);
        }
    }

    @Test
    void everyCallReachesTheInnerDriverUnchanged() throws Exception {
        DriverCapabilities caps = DriverCapabilities.ethernet(1500);
        PacketBuffer frame = PacketBuffer.copyOf(new byte[60], 0);
        when(inner.name()).thenReturn("cable:lan0");
        when(inner.capabilities()).thenReturn(caps);
        when(inner.transmit(frame)).thenReturn(true);

        LinkDriver d = new Plain(inner);
        assertThat(d.name()).isEqualTo("cable:lan0");
        assertThat(d.toString()).isEqualTo("cable:lan0");
        assertThat(d.capabilities()).isSameAs(caps);
        d.open(stack);
        assertThat(d.transmit(frame)).isTrue();
        d.close();

        InOrder order = inOrder(inner);
        order.verify(inner).open(stack);
        order.verify(inner).transmit(frame);
        order.verify(inner).close();
    }

    @Test
    void itRemembersTheStacksContextAndRefusesASecondOpen() throws Exception {
        when(inner.name()).thenReturn("cable:lan0");
        Plain d = new Plain(inner);
        assertThat(d.context()).isNull();
        d.open(stack);
        assertThat(d.context()).isSameAs(stack);
        assertThatThrownBy(() -> d.open(stack)).isInstanceOf(DriverException.class)
                .hasMessage("cable:lan0 is already open");
        verify(inner).open(stack); // once
    }

    @Test
    void aDecoratorChangesOnlyWhatItOverrides() throws Exception {
        when(inner.transmit(any())).thenReturn(false);
        Counting d = new Counting(inner);
        d.open(stack);
        PacketBuffer frame = PacketBuffer.copyOf(new byte[60], 0);
        assertThat(d.transmit(frame)).as("the inner driver's answer").isFalse();
        assertThat(d.sent).isEqualTo(1);
        verify(inner).transmit(frame);
        verify(inner, never()).close();
    }

    @Test
    void theForwardingContextPassesEveryCallToTheStack() throws Exception {
        BufferPool pool = new BufferPool();
        EventLoop loop = new VirtualEventLoop();
        when(stack.interfaceName()).thenReturn("eth0");
        when(stack.buffers()).thenReturn(pool);
        when(stack.loop()).thenReturn(loop);
        when(stack.clock()).thenReturn(loop.clock());
        PacketBuffer frame = pool.copyOf(new byte[60], 0, 60);
        when(stack.receive(frame)).thenReturn(true);

        Counting d = new Counting(inner);
        d.open(stack);
        ArgumentCaptor<DriverContext> captor = ArgumentCaptor.forClass(DriverContext.class);
        verify(inner).open(captor.capture());
        DriverContext seenByInner = captor.getValue();
        assertThat(seenByInner).isNotSameAs(stack);

        assertThat(seenByInner.interfaceName()).isEqualTo("eth0");
        assertThat(seenByInner.buffers()).isSameAs(pool);
        assertThat(seenByInner.loop()).isSameAs(loop);
        assertThat(seenByInner.clock()).isSameAs(loop.clock());
        assertThat(seenByInner.receive(frame)).isTrue();
        seenByInner.linkStateChanged(false);
        RuntimeException cause = new RuntimeException("gone");
        seenByInner.reportError("tap0 vanished", cause);

        assertThat(d.received).isEqualTo(1);
        verify(stack).receive(frame);
        verify(stack).linkStateChanged(false);
        verify(stack).reportError("tap0 vanished", cause);
        verify(stack).interfaceName();
        verify(stack).buffers();
        verify(stack).loop();
        verify(stack).clock();
        verifyNoMoreInteractions(stack);
        frame.release();
        loop.close();
    }
}
