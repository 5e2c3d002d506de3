package com.omc.flywheel.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/** Synthetic execution histories, built with the SDK's own builders, each event a given number of seconds in. */
final class Histories {
    static final Instant START = Instant.parse("2025-11-01T02:00:00Z");
    private final List<HistoryEvent> events = new ArrayList<>();

    Histories started(String input) {
        return add(HistoryEvent.builder().type(HistoryEventType.EXECUTION_STARTED).timestamp(START)
                .executionStartedEventDetails(d -> d.input(input)));
    }

    /** {@code type} is the state's event type on entry, e.g. {@link HistoryEventType#TASK_STATE_ENTERED}. */
    Histories entered(double seconds, HistoryEventType type, String state) {
        return add(HistoryEvent.builder().type(type).timestamp(at(seconds))
                .stateEnteredEventDetails(d -> d.name(state).input("{}")));
    }

    Histories exited(double seconds, HistoryEventType type, String state) {
        return add(HistoryEvent.builder().type(type).timestamp(at(seconds))
                .stateExitedEventDetails(d -> d.name(state).output("{}")));
    }

    Histories taskFailed(double seconds, String error) {
        return add(HistoryEvent.builder().type(HistoryEventType.TASK_FAILED).timestamp(at(seconds))
                .taskFailedEventDetails(d -> d.resourceType("lambda").resource("invoke").error(error).cause("x")));
    }

    Histories executionFailed(double seconds, String error, String cause) {
        return add(HistoryEvent.builder().type(HistoryEventType.EXECUTION_FAILED).timestamp(at(seconds))
                .executionFailedEventDetails(d -> d.error(error).cause(cause)));
    }

    Histories aborted(double seconds) {
        return add(HistoryEvent.builder().type(HistoryEventType.EXECUTION_ABORTED).timestamp(at(seconds)));
    }

    List<HistoryEvent> build() {
        return List.copyOf(events);
    }

    private Histories add(HistoryEvent.Builder event) {
        events.add(event.id((long) events.size() + 1).previousEventId((long) events.size()).build());
        return this;
    }

    private static Instant at(double seconds) {
        return START.plusMillis(Math.round(seconds * 1000));
    }
}
