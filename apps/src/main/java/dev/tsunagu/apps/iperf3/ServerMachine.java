package dev.tsunagu.apps.iperf3;

import java.util.List;

/**
 * The server's side of one iperf3 test as a state machine, apart from the sockets: it is told
 * what happened ({@link Event}) and answers with what to do ({@link Action}), in order. The
 * {@link Session} performs the actions and turns what it reads into the next event.
 *
 * <pre>
 *  control connected ─▶ send PARAM_EXCHANGE, read parameters              PARAMETERS
 *  parameters ok     ─▶ prepare, send CREATE_STREAMS, await streams       STREAMS
 *  all streams in    ─▶ send TEST_START, start traffic, send TEST_RUNNING  RUNNING
 *  client TEST_END   ─▶ stop traffic, send EXCHANGE_RESULTS, swap results  RESULTS
 *  results swapped   ─▶ send DISPLAY_RESULTS                               DISPLAY
 *  client IPERF_DONE ─▶ close                                              ENDED
 * </pre>
 *
 * Anywhere: the client's CLIENT_TERMINATE, a lost control connection or a timeout end the test
 * (traffic stopped, sockets closed); a message out of turn does too, as in iperf3's server.
 */
final class ServerMachine {
    /** Where the test is. */
    enum Phase { NEW, PARAMETERS, STREAMS, RUNNING, RESULTS, DISPLAY, ENDED }

    /** What happened. */
    sealed interface Event {
        /** The control connection's cookie was read: a test begins. */
        record Connected() implements Event {}

        /** The client's parameters were read and are acceptable. */
        record ParametersAccepted(TestParameters parameters) implements Event {}

        /** The client's parameters were read but this server will not run that test. */
        record ParametersRefused(int iperfErrno, String reason) implements Event {}

        /** Every stream the parameters announced is connected. */
        record StreamsReady() implements Event {}

        /** A state byte from the client. */
        record ClientSaid(ControlState state) implements Event {}

        /** Results went both ways. */
        record ResultsExchanged() implements Event {}

        /** The control connection closed, failed, timed out, or sent garbage. */
        record Lost(String reason) implements Event {}
    }

    /** What to do, in order. */
    sealed interface Action {
        /** Send a state byte. */
        record Send(ControlState state) implements Action {}

        /** Send SERVER_ERROR with iperf3's error number. */
        record SendError(int iperfErrno) implements Action {}

        record ReadParameters() implements Action {}

        /** Get ready for the streams (before CREATE_STREAMS goes out: the client connects at once). */
        record PrepareStreams(TestParameters parameters) implements Action {}

        /** Wait until every stream is connected. */
        record AwaitStreams() implements Action {}

        record StartTraffic() implements Action {}

        record StopTraffic() implements Action {}

        /** Read the client's results, then send ours. */
        record ExchangeResults() implements Action {}

        /** The test is over: close the control connection and every stream. */
        record Close(String why) implements Action {}
    }

    /** iperf3's IEUNIMP ("not implemented yet"), for tests this server does not run. */
    static final int IE_UNIMPLEMENTED = 13;
    /** iperf3's IERECVPARAMS, for parameters that could not be read. */
    static final int IE_RECEIVE_PARAMETERS = 114;

    private volatile Phase phase = Phase.NEW; // read by the threads that hand over streams
    private String endReason;

    Phase phase() {
        return phase;
    }

    boolean ended() {
        return phase == Phase.ENDED;
    }

    /** Why the test ended ("done" when it ran to the end), or null while it runs. */
    String endReason() {
        return endReason;
    }

    /** The actions for {@code event} in the current phase, moving to the next phase. */
    List<Action> on(Event event) {
        if (phase == Phase.ENDED) {
            return List.of();
        }
        return switch (event) {
            case Event.Lost l -> end(l.reason(), phase == Phase.RUNNING || phase == Phase.STREAMS);
            case Event.ClientSaid(ControlState s) when s == ControlState.CLIENT_TERMINATE ->
                    end("the client terminated the test", true);
            case Event.Connected c when phase == Phase.NEW -> {
                phase = Phase.PARAMETERS;
                yield List.of(new Action.Send(ControlState.PARAM_EXCHANGE), new Action.ReadParameters());
            }
            case Event.ParametersAccepted p when phase == Phase.PARAMETERS -> {
                phase = Phase.STREAMS;
                yield List.of(new Action.PrepareStreams(p.parameters()), new Action.Send(ControlState.CREATE_STREAMS),
                        new Action.AwaitStreams());
            }
            case Event.ParametersRefused r when phase == Phase.PARAMETERS -> {
                phase = Phase.ENDED;
                endReason = "refused: " + r.reason();
                yield List.of(new Action.SendError(r.iperfErrno()), new Action.Close(endReason));
            }
            case Event.StreamsReady s when phase == Phase.STREAMS -> {
                phase = Phase.RUNNING;
                // Counting starts before the client hears TEST_RUNNING: it sends at once, and a datagram
                // that beat our start would be a stray (iperf3's own server reads whenever data comes).
                yield List.of(new Action.Send(ControlState.TEST_START), new Action.StartTraffic(),
                        new Action.Send(ControlState.TEST_RUNNING));
            }
            case Event.ClientSaid(ControlState s) when s == ControlState.TEST_END && phase == Phase.RUNNING -> {
                phase = Phase.RESULTS;
                // As iperf3's server: the streams close before the results go out.
                yield List.of(new Action.StopTraffic(), new Action.Send(ControlState.EXCHANGE_RESULTS),
                        new Action.ExchangeResults());
            }
            case Event.ResultsExchanged r when phase == Phase.RESULTS -> {
                phase = Phase.DISPLAY;
                yield List.of(new Action.Send(ControlState.DISPLAY_RESULTS));
            }
            case Event.ClientSaid(ControlState s) when s == ControlState.IPERF_DONE && phase == Phase.DISPLAY -> {
                phase = Phase.ENDED;
                endReason = "done";
                yield List.of(new Action.Close(endReason));
            }
            default -> end("unexpected " + describe(event) + " in phase " + phase, true);
        };
    }

    private List<Action> end(String reason, boolean stopTraffic) {
        phase = Phase.ENDED;
        endReason = reason;
        return stopTraffic ? List.of(new Action.StopTraffic(), new Action.Close(reason)) : List.of(new Action.Close(reason));
    }

    private static String describe(Event e) {
        return e instanceof Event.ClientSaid(ControlState s) ? "message " + s : e.getClass().getSimpleName();
    }
}
