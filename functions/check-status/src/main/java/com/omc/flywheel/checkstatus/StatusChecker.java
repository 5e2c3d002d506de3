package com.omc.flywheel.checkstatus;

import com.omc.flywheel.checkstatus.CheckStatusResult.QueryStatus;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionStatus;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetJobRunsResponse;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.glue.model.JobRunState;

/**
 * One poll of a Glue job run or a set of Athena queries: the state mapped to
 * RUNNING/SUCCEEDED/FAILED, the error when it failed, and the wait before the next poll.
 */
public final class StatusChecker {
    private static final JsonLog LOG = JsonLog.forFunction("check-status");
    private final GlueClient glue;
    private final AthenaClient athena;
    private final PollingPolicy policy;
    /** Runs per GetJobRuns page while looking for the successful ones. */
    static final int HISTORY_PAGE_SIZE = 50;
    /** Expected run times remembered, one per run being polled (a warm environment polls a few). */
    static final int REMEMBERED_RUNS = 64;
    private final int historyRuns;
    private final int historyPages;
    private final Clock clock;
    /** Expected run time per job run id: read once per run, not at every poll. */
    private final Map<String, OptionalLong> expectedByRun = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, OptionalLong> eldest) {
                    return size() > REMEMBERED_RUNS;
                }
            });

    /** With at most {@code POLL_HISTORY_PAGES} (5) GetJobRuns pages read for the history. */
    public StatusChecker(GlueClient glue, AthenaClient athena, PollingPolicy policy, int historyRuns, Clock clock) {
        this(glue, athena, policy, historyRuns, com.omc.flywheel.shared.Settings.intValue("POLL_HISTORY_PAGES", 5),
                clock);
    }

    /**
     * @param historyRuns  successful runs whose median is the expected run time ({@code POLL_HISTORY_RUNS}, 5)
     * @param historyPages GetJobRuns pages of {@value #HISTORY_PAGE_SIZE} runs read at most to find them
     */
    public StatusChecker(GlueClient glue, AthenaClient athena, PollingPolicy policy, int historyRuns, int historyPages,
                         Clock clock) {
        this.glue = glue;
        this.athena = athena;
        this.policy = policy;
        this.historyRuns = historyRuns;
        this.historyPages = historyPages;
        this.clock = clock;
    }

    /** SnapStart priming: one GetJobRun, whatever the answer. */
    void prime() {
        Priming.call(() -> glue.getJobRun(b -> b.jobName(Priming.NAME).runId("jr_" + "0".repeat(64))));
    }

    public CheckStatusResult check(CheckStatusRequest request) {
        int polls = (request.pollCount() == null ? 0 : request.pollCount()) + 1;
        return request.isGlue() ? checkGlue(request.jobName(), request.jobRunId(), polls)
                : checkAthena(request.queryExecutionIds(), polls);
    }

    /** Maps every Glue job run state; an unknown one is a failure, never a silent endless wait. */
    static String status(JobRunState state) {
        return switch (state) {
            case STARTING, RUNNING, WAITING, STOPPING -> CheckStatusResult.RUNNING;
            case SUCCEEDED -> CheckStatusResult.SUCCEEDED;
            case FAILED, ERROR, TIMEOUT, STOPPED, EXPIRED -> CheckStatusResult.FAILED;
            default -> CheckStatusResult.FAILED;
        };
    }

    /** Maps every Athena query state; an unknown one is a failure. */
    static String status(software.amazon.awssdk.services.athena.model.QueryExecutionState state) {
        return switch (state) {
            case QUEUED, RUNNING -> CheckStatusResult.RUNNING;
            case SUCCEEDED -> CheckStatusResult.SUCCEEDED;
            case FAILED, CANCELLED -> CheckStatusResult.FAILED;
            default -> CheckStatusResult.FAILED;
        };
    }

    private CheckStatusResult checkGlue(String jobName, String runId, int polls) {
        JobRun run;
        try {
            run = glue.getJobRun(b -> b.jobName(jobName).runId(runId)).jobRun();
        } catch (EntityNotFoundException e) {
            throw new ResourceNotFoundException("Glue job run " + runId + " of job " + jobName + " does not exist "
                    + "(wrong job or run id, or the run is older than Glue keeps): "
                            + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetJobRun for job " + jobName + " run " + runId);
        }
        String status = status(run.jobRunState());
        Instant started = run.startedOn() == null ? clock.instant() : run.startedOn();
        long elapsed = Math.max(0, Duration.between(started, clock.instant()).toSeconds());
        boolean terminal = !CheckStatusResult.RUNNING.equals(status);
        OptionalLong expected = terminal ? OptionalLong.empty() : expectedFor(jobName, runId);
        int wait = terminal ? 0 : policy.glueWait(elapsed, expected);
        String error = CheckStatusResult.FAILED.equals(status) ? glueError(jobName, run) : null;
        LOG.info("job run polled", "job", jobName, "jobRunId", runId, "state", run.jobRunStateAsString(),
                "outcome", status, "elapsedSeconds", elapsed, "nextWaitSeconds", wait, "pollCount", polls);
        if (terminal) {
            // One line per finished run: its polls and run time, by job.
            LOG.metrics("job run metrics", java.util.Map.of("PollsPerJob", polls,
                    "GlueJobRunSeconds", elapsed, "GlueJobRunsFailed", CheckStatusResult.FAILED.equals(status) ? 1 : 0),
                    "JobName", jobName);
        }
        return new CheckStatusResult(status, terminal, wait, error, jobName, runId, run.jobRunStateAsString(),
                elapsed, expected.isPresent() ? expected.getAsLong() : null, polls, null);
    }

    private static String glueError(String jobName, JobRun run) {
        String base = "Glue job " + jobName + " run " + run.id() + " ended " + run.jobRunStateAsString();
        if (run.errorMessage() != null && !run.errorMessage().isBlank()) {
            return base + ": " + run.errorMessage();
        }
        if (run.jobRunState() == JobRunState.TIMEOUT && run.timeout() != null) {
            return base + " after the job's timeout of " + run.timeout() + " minutes";
        }
        return base + " (Glue gave no error message; see the run's logs in " + run.logGroupName() + ")";
    }

    /** The expected run time of a run being polled: its job's history is read at its first poll only. */
    private OptionalLong expectedFor(String jobName, String runId) {
        String key = jobName + "/" + runId;
        OptionalLong known = expectedByRun.get(key);
        if (known != null) {
            return known;
        }
        OptionalLong expected;
        try {
            expected = median(successfulDurations(jobName, runId));
        } catch (SdkException e) {
            // History only tunes the wait; without it the policy falls back to elapsed-time polling.
            // Not remembered: the next poll tries again.
            LOG.warn("job run history unavailable; polling without it", "job", jobName, "error", e.getMessage());
            return OptionalLong.empty();
        }
        expectedByRun.put(key, expected);
        return expected;
    }

    /**
     * The median run time of the job's most recent successful runs (at most {@code historyRuns}),
     * or empty when it has none. GetJobRuns returns the newest runs first: paging stops once enough
     * are found, and after {@code historyPages} pages whatever was found (a job with months of
     * failed or short runs never costs its whole history).
     */
    OptionalLong expectedSeconds(String jobName, String currentRunId) {
        try {
            return median(successfulDurations(jobName, currentRunId));
        } catch (SdkException e) {
            LOG.warn("job run history unavailable; polling without it", "job", jobName, "error", e.getMessage());
            return OptionalLong.empty();
        }
    }

    /** The run times of the newest successful runs but the current one, reading a bounded number of pages. */
    private List<Long> successfulDurations(String jobName, String currentRunId) {
        List<Long> durations = new ArrayList<>();
        int pages = 0;
        boolean more = false;
        Iterator<GetJobRunsResponse> it = glue.getJobRunsPaginator(b -> b.jobName(jobName)
                .maxResults(HISTORY_PAGE_SIZE)).iterator();
        while (durations.size() < historyRuns && pages < historyPages && it.hasNext()) {
            GetJobRunsResponse page = it.next();
            pages++;
            for (JobRun r : page.jobRuns()) {
                if (r.jobRunState() == JobRunState.SUCCEEDED && !r.id().equals(currentRunId)) {
                    long seconds = runSeconds(r);
                    if (seconds > 0) {
                        durations.add(seconds);
                    }
                    if (durations.size() == historyRuns) {
                        break;
                    }
                }
            }
            more = page.nextToken() != null;
        }
        if (durations.size() < historyRuns && more) {
            LOG.info("run history read up to the page limit", "job", jobName, "pages", pages,
                    "successfulRunsFound", durations.size());
        }
        return durations;
    }

    private static OptionalLong median(List<Long> found) {
        List<Long> durations = new ArrayList<>(found);
        if (durations.isEmpty()) {
            return OptionalLong.empty();
        }
        durations.sort(Long::compare);
        int n = durations.size();
        return OptionalLong.of(n % 2 == 1 ? durations.get(n / 2)
                : (durations.get(n / 2 - 1) + durations.get(n / 2)) / 2);
    }

    private static long runSeconds(JobRun r) {
        if (r.executionTime() != null && r.executionTime() > 0) {
            return r.executionTime();
        }
        if (r.startedOn() != null && r.completedOn() != null) {
            return Duration.between(r.startedOn(), r.completedOn()).toSeconds();
        }
        return 0;
    }

    /**
     * One GetQueryExecution per id. BatchGetQueryExecution would save calls, but the emulator this
     * suite is tested against does not implement it, and a step watches a few queries at a time.
     */
    private CheckStatusResult checkAthena(List<String> ids, int polls) {
        Map<String, QueryExecution> executions = new HashMap<>();
        for (String id : ids) {
            try {
                executions.put(id, athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution());
            } catch (InvalidRequestException e) {
                throw new ResourceNotFoundException("Athena has no query execution " + id + " in this account and "
                        + "region (" + e.awsErrorDetails().errorMessage() + ")", e);
            } catch (SdkException e) {
                throw AwsFaults.translate(e, "Athena GetQueryExecution for query " + id);
            }
        }
        Instant now = clock.instant();
        List<QueryStatus> detail = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        boolean allTerminal = true;
        long oldestRunning = 0;
        for (String id : ids) {
            QueryExecution q = executions.get(id);
            QueryExecutionStatus s = q.status();
            String status = status(s.state());
            String error = null;
            if (CheckStatusResult.FAILED.equals(status)) {
                error = s.athenaError() != null && s.athenaError().errorMessage() != null
                        ? s.athenaError().errorMessage() : s.stateChangeReason();
                failures.add("query " + id + " " + s.stateAsString() + (error == null ? "" : ": " + error));
            } else if (CheckStatusResult.RUNNING.equals(status)) {
                allTerminal = false;
                if (s.submissionDateTime() != null) {
                    oldestRunning = Math.max(oldestRunning, Duration.between(s.submissionDateTime(), now).toSeconds());
                }
            }
            Long scanned = q.statistics() == null ? null : q.statistics().dataScannedInBytes();
            detail.add(new QueryStatus(id, s.stateAsString(), status, error,
                    s.submissionDateTime() == null ? null : s.submissionDateTime().toString(),
                    s.completionDateTime() == null ? null : s.completionDateTime().toString(), scanned));
        }
        String status = !allTerminal ? CheckStatusResult.RUNNING
                : failures.isEmpty() ? CheckStatusResult.SUCCEEDED : CheckStatusResult.FAILED;
        int wait = allTerminal ? 0 : policy.athenaWait(oldestRunning);
        String error = failures.isEmpty() || !allTerminal ? null
                : failures.size() + " of " + ids.size() + " Athena queries failed: " + String.join("; ", failures);
        LOG.info("queries polled", "queries", ids.size(), "outcome", status, "failed", failures.size(),
                "nextWaitSeconds", wait, "pollCount", polls);
        return new CheckStatusResult(status, allTerminal, wait, error, null, null, null,
                allTerminal ? null : oldestRunning,
                null, polls, detail);
    }
}
