package com.omc.flywheel.startgluejob;

import java.util.List;

/**
 * The start-glue-job result (docs/functions.md). With {@code onConcurrencyLimit: WAIT}, a job at its
 * concurrency limit is an answer, not an error: {@code status} {@code WAITING_FOR_SLOT}, no run, and
 * how long the caller should wait before it asks again.
 *
 * @param jobName           the Glue job
 * @param jobRunId          the run started or adopted; absent while {@code WAITING_FOR_SLOT}
 * @param attached          true when a run already going with the same arguments was adopted instead of
 *                          starting a duplicate
 * @param startedOn         ISO-8601 UTC start of the run; absent while {@code WAITING_FOR_SLOT}
 * @param status            {@code STARTED}, {@code ATTACHED} or {@code WAITING_FOR_SLOT} (nothing was started)
 * @param nextWaitSeconds   {@code WAITING_FOR_SLOT}: the wait before asking again ({@code SLOT_WAIT_SECONDS})
 * @param runningRuns       {@code WAITING_FOR_SLOT}: the runs holding the job's slots
 * @param maxConcurrentRuns {@code WAITING_FOR_SLOT}: the job's limit
 * @param message           {@code WAITING_FOR_SLOT}: what holds the step up and what to do, for a person
 */
public record StartGlueJobResult(String jobName, String jobRunId, boolean attached, String startedOn, String status,
                                 Integer nextWaitSeconds, List<String> runningRuns, Integer maxConcurrentRuns,
                                 String message) {
    public static final String STARTED = "STARTED";
    public static final String ATTACHED = "ATTACHED";
    public static final String WAITING_FOR_SLOT = "WAITING_FOR_SLOT";

    static StartGlueJobResult started(String jobName, String jobRunId, String startedOn) {
        return new StartGlueJobResult(jobName, jobRunId, false, startedOn, STARTED, null, null, null, null);
    }

    static StartGlueJobResult attached(String jobName, String jobRunId, String startedOn) {
        return new StartGlueJobResult(jobName, jobRunId, true, startedOn, ATTACHED, null, null, null, null);
    }

    static StartGlueJobResult waitingForSlot(String jobName, int nextWaitSeconds, List<String> runningRuns,
                                             int maxConcurrentRuns, String message) {
        return new StartGlueJobResult(jobName, null, false, null, WAITING_FOR_SLOT, nextWaitSeconds,
                List.copyOf(runningRuns), maxConcurrentRuns, message);
    }
}
