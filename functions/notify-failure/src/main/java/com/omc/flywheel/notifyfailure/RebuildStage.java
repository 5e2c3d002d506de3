package com.omc.flywheel.notifyfailure;

import com.omc.flywheel.shared.FailureReport;
import java.util.List;

/**
 * Where a failed historical-rebuilder execution left its topic, read from what its history shows
 * ({@link FailureReport}): the failure notice says "not started" only when nothing was changed, and
 * "stays PAUSED" only when the rebuild holds the topic.
 */
enum RebuildStage {
    /**
     * Stopped before PauseTopic wrote anything: at ValidateInput (an {@code Invalid<Field>} state), or
     * refused by PauseTopic before its write (another rebuild running, a flag neither ENABLED nor
     * PAUSED, a topic not in the registry, an invalid topic name).
     */
    NOT_STARTED("Topic rebuild not started",
            "Nothing was changed: the rebuild stopped before it paused the topic, so the topic's "
            + "flow_control_flag and rebuild_lock are as they were (the orchestrator runs it as before), and no "
            + "rebuild was started. Nothing to resume or redrive."),
    /** PauseTopic failed otherwise (its retries spent, a timeout, a stop): its write may have landed. */
    PAUSE_UNCONFIRMED("Topic rebuild failed at PauseTopic: check the topic's flag",
            "PauseTopic did not confirm the lock: the topic is either as it was, or PAUSED with rebuild_lock "
            + "naming this execution (stale once this execution has ended: the next rebuild of the topic takes "
            + "it over). No rebuild was started."),
    /** PauseTopic took the lock: the topic is PAUSED and locked by this execution. */
    PAUSED("Topic rebuild failed: topic stays PAUSED",
            "The topic stays PAUSED (the orchestrator skips it) until the rebuild finishes or flow_control_flag "
            + "is set back to ENABLED; its rebuild_lock names this execution (a redrive keeps it, a new "
            + "rebuild of the topic takes it over).");

    /** PauseTopic's refusals, each raised before its write (docs/functions.md, TAKE_REBUILD_LOCK). */
    private static final List<String> REFUSED_BEFORE_THE_WRITE = List.of("RebuildRefusedException",
            "InvalidInputException", "ResourceNotFoundException");

    private final String subject;
    private final String explanation;

    RebuildStage(String subject, String explanation) {
        this.subject = subject;
        this.explanation = explanation;
    }

    /** The failure mail's subject. */
    String subject() {
        return subject;
    }

    /** What the topic's state is now, one paragraph of the mail. */
    String explanation() {
        return explanation;
    }

    static RebuildStage of(FailureReport report) {
        if (report.finished().containsKey("PauseTopic")) {
            return PAUSED;
        }
        if (!"PauseTopic".equals(report.failedStep())) {
            return NOT_STARTED;
        }
        String error = report.error() == null ? "" : report.error();
        return REFUSED_BEFORE_THE_WRITE.stream().anyMatch(error::endsWith) ? NOT_STARTED : PAUSE_UNCONFIRMED;
    }
}
