package dev.tsunagu.apps.iperf3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.apps.iperf3.ServerMachine.Action;
import dev.tsunagu.apps.iperf3.ServerMachine.Event;
import dev.tsunagu.apps.iperf3.ServerMachine.Phase;
import org.junit.jupiter.api.Test;

/** The server's protocol, event by event, without sockets. */
class ServerMachineTest {
    private static final TestParameters TCP = TestParameters.fromJson(FakeClient.parameters());

    private final ServerMachine m = new ServerMachine();

    @Test
    void aWholeTestInIperf3sOrder() {
        assertThat(m.on(new Event.Connected())).containsExactly(new Action.Send(ControlState.PARAM_EXCHANGE), new Action.ReadParameters());
        assertThat(m.phase()).isEqualTo(Phase.PARAMETERS);
        // Ready for streams before the client is told to connect them: it does so at once.
        assertThat(m.on(new Event.ParametersAccepted(TCP))).containsExactly(new Action.PrepareStreams(TCP),
                new Action.Send(ControlState.CREATE_STREAMS), new Action.AwaitStreams());
        assertThat(m.on(new Event.StreamsReady())).containsExactly(new Action.Send(ControlState.TEST_START),
                new Action.StartTraffic(), new Action.Send(ControlState.TEST_RUNNING));
        assertThat(m.phase()).isEqualTo(Phase.RUNNING);
        // iperf3's server closes the streams before it asks for results.
        assertThat(m.on(new Event.ClientSaid(ControlState.TEST_END))).containsExactly(new Action.StopTraffic(),
                new Action.Send(ControlState.EXCHANGE_RESULTS), new Action.ExchangeResults());
        assertThat(m.on(new Event.ResultsExchanged())).containsExactly(new Action.Send(ControlState.DISPLAY_RESULTS));
        assertThat(m.on(new Event.ClientSaid(ControlState.IPERF_DONE))).containsExactly(new Action.Close("done"));
        assertThat(m.ended()).isTrue();
        assertThat(m.endReason()).isEqualTo("done");
    }

    @Test
    void refusedParametersSendServerErrorThenClose() {
        m.on(new Event.Connected());
        assertThat(m.on(new Event.ParametersRefused(ServerMachine.IE_UNIMPLEMENTED, "no bidir")))
                .containsExactly(new Action.SendError(13), new Action.Close("refused: no bidir"));
        assertThat(m.ended()).isTrue();
    }

    @Test
    void clientTerminateWhileRunningStopsTrafficAndCloses() {
        toRunning();
        assertThat(m.on(new Event.ClientSaid(ControlState.CLIENT_TERMINATE)))
                .containsExactly(new Action.StopTraffic(), new Action.Close("the client terminated the test"));
    }

    @Test
    void aLostControlConnectionEndsTheTestInAnyPhase() {
        m.on(new Event.Connected());
        assertThat(m.on(new Event.Lost("eof"))).containsExactly(new Action.Close("eof"));
        ServerMachine running = new ServerMachine();
        running.on(new Event.Connected());
        running.on(new Event.ParametersAccepted(TCP));
        assertThat(running.on(new Event.Lost("timeout"))).containsExactly(new Action.StopTraffic(), new Action.Close("timeout"));
    }

    @Test
    void aMessageOutOfTurnEndsTheTest() {
        toRunning();
        assertThat(m.on(new Event.ClientSaid(ControlState.IPERF_DONE)))
                .containsExactly(new Action.StopTraffic(), new Action.Close("unexpected message IPERF_DONE in phase RUNNING"));
        ServerMachine early = new ServerMachine();
        early.on(new Event.Connected());
        assertThat(early.on(new Event.StreamsReady())).last().isInstanceOf(Action.Close.class);
        assertThat(early.ended()).isTrue();
    }

    @Test
    void nothingHappensAfterTheEnd() {
        m.on(new Event.Connected());
        m.on(new Event.Lost("gone"));
        assertThat(m.on(new Event.ClientSaid(ControlState.TEST_END))).isEmpty();
        assertThat(m.endReason()).isEqualTo("gone");
    }

    private void toRunning() {
        m.on(new Event.Connected());
        m.on(new Event.ParametersAccepted(TCP));
        m.on(new Event.StreamsReady());
        assertThat(m.phase()).isEqualTo(Phase.RUNNING);
    }
}
