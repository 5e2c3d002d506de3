package com.omc.flywheel.startgluejob;

import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.Settings;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ConcurrencyLimitException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import com.omc.flywheel.startgluejob.StartGlueJobRequest.OnConcurrencyLimit;
import com.omc.flywheel.startgluejob.StartGlueJobRequest.OnConcurrentRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.ConcurrentRunsExceededException;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetJobRunsResponse;
import software.amazon.awssdk.services.glue.model.Job;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.glue.model.JobRunState;

/**
 * Starts a Glue job run, or adopts one already going. A retried or rerun step must never start a
 * second copy of an hour-long job: with {@code ATTACH}, a run of the same job with the same
 * arguments in STARTING, RUNNING or WAITING is returned ({@code attached: true}) instead. Two runs of
 * one job with different arguments (the registration job runs twice) are distinct and both start.
 *
 * <p>At the job's concurrency limit (MaxConcurrentRuns runs going, none of them adoptable) nothing is
 * started; with {@code onConcurrencyLimit: WAIT}, what every state machine's job loop sends, that is
 * an answer ({@code status: WAITING_FOR_SLOT}, wait {@code SLOT_WAIT_SECONDS} and ask again), not an
 * error: waiting for a slot is part of the design, never a function error.
 *
 * <p>Runs are looked for only among those started within {@code RUN_HISTORY_HOURS} (48, Glue's
 * default job timeout: an older run cannot still be going), so a job with months of history costs
 * one or two GetJobRuns pages, never the whole history.
 */
public final class GlueJobStarter {
    private static final Set<JobRunState> IN_PROGRESS = Set.of(JobRunState.STARTING, JobRunState.RUNNING,
            JobRunState.WAITING);
    private static final JsonLog LOG = JsonLog.forFunction("start-glue-job");
    /** Attempts at StartJobRun, each after looking for a run an earlier attempt started. */
    static final int START_ATTEMPTS = 4;
    /** How long a timed-out StartJobRun may still take to reach Glue: the client's attempt timeout. */
    static final long ATTEMPT_GRACE_MILLIS = 1000L * com.omc.flywheel.shared.Settings.intValue(
            "FLYWHEEL_CALL_ATTEMPT_TIMEOUT_SECONDS", 30);
    /** Runs per GetJobRuns page (Glue's maximum). */
    static final int RUNS_PER_PAGE = 200;
    /** Never more pages than this, whatever the history holds (a run in progress is on the first ones). */
    static final int MAX_RUN_PAGES = 10;
    /** The wait a job at its concurrency limit asks for before the next start, by default (5 minutes). */
    static final int DEFAULT_SLOT_WAIT_SECONDS = 300;
    private final GlueClient glue;
    private final GlueClient startClient;
    private final Duration runHistory;
    private final int slotWaitSeconds;

    public GlueJobStarter(GlueClient glue) {
        this(glue, glue);
    }

    /** With the run history window from {@code RUN_HISTORY_HOURS} (48, Glue's default job timeout). */
    public GlueJobStarter(GlueClient glue, GlueClient startClient) {
        this(glue, startClient, Duration.ofHours(Settings.intValue("RUN_HISTORY_HOURS", 48)));
    }

    /**
     * @param startClient the client for StartJobRun, with no SDK retries (StartJobRun is not
     *                    idempotent; this class retries it only after looking for the run)
     * @param runHistory  how far back the job's runs are read: the longest a run can go on (the job's
     *                    timeout); an older run cannot still be in progress
     */
    public GlueJobStarter(GlueClient glue, GlueClient startClient, Duration runHistory) {
        this.glue = glue;
        this.startClient = startClient;
        this.runHistory = runHistory;
        this.slotWaitSeconds = Settings.intValue("SLOT_WAIT_SECONDS", DEFAULT_SLOT_WAIT_SECONDS);
    }

    public StartGlueJobResult start(StartGlueJobRequest request) {
        String jobName = request.jobName();
        // No GetJob up front: GetJobRuns and StartJobRun name a missing job themselves, and the job's
        // definition (its concurrency limit) matters only when the limit is hit. One call fewer, and
        // Glue's large Job model is not loaded on the way that succeeds.
        if (request.onConcurrentRun() == OnConcurrentRun.ATTACH) {
            Optional<JobRun> going = findRunInProgress(jobName, request.arguments());
            if (going.isPresent()) {
                return attached(going.get());
            }
        }
        String runId = null;
        Instant callStart = Instant.now().minusSeconds(1);
        for (int attempt = 1; runId == null; attempt++) {
            try {
                // No SDK retry here: StartJobRun is not idempotent, and an attempt that timed out may
                // have started the run. Each retry first looks for that run and adopts it.
                runId = startClient.startJobRun(b -> b.jobName(jobName).arguments(request.arguments())).jobRunId();
            } catch (ConcurrentRunsExceededException e) {
                return onConcurrencyLimit(request, e);
            } catch (EntityNotFoundException e) {
                throw missing(jobName, e);
            } catch (SdkException e) {
                if (!AwsFaults.isTransient(e) || attempt >= START_ATTEMPTS) {
                    throw AwsFaults.translate(e, "Glue StartJobRun for job " + jobName);
                }
                LOG.warn("StartJobRun failed; looking for a run it may have started before retrying", "job", jobName,
                        "attempt", attempt, "error", e.getMessage());
                // A timed-out attempt may still reach Glue: give it the time of an attempt to land.
                sleep(AwsFaults.isTimeout(e) ? ATTEMPT_GRACE_MILLIS : 200L * attempt * attempt);
                Optional<JobRun> started = findRunStartedSince(jobName, request.arguments(), callStart);
                if (started.isPresent()) {
                    return attached(started.get());
                }
            }
        }
        JobRun run = getJobRun(jobName, runId);
        LOG.info("job run started", "job", jobName, "jobRunId", runId, "arguments", request.arguments().keySet(),
                "outcome", "STARTED");
        return StartGlueJobResult.started(jobName, runId, iso(run.startedOn()));
    }

    /** SnapStart priming: one GetJobRuns (the first call of a start), whatever the answer. */
    void prime() {
        Priming.call(() -> glue.getJobRuns(b -> b.jobName(Priming.NAME).maxResults(1)));
    }

    private StartGlueJobResult onConcurrencyLimit(StartGlueJobRequest request, ConcurrentRunsExceededException e) {
        String jobName = request.jobName();
        List<JobRun> going = recentRuns(jobName).stream().filter(r -> IN_PROGRESS.contains(r.jobRunState())).toList();
        if (request.onConcurrentRun() == OnConcurrentRun.ATTACH) {
            // A run with our arguments may have started between the look-up and the start.
            Optional<JobRun> ours = going.stream().filter(r -> sameArguments(r, request.arguments())).findFirst();
            if (ours.isPresent()) {
                return attached(ours.get());
            }
        }
        List<String> others = going.stream().map(JobRun::id).toList();
        Job job = getJob(jobName);
        int limit = job.executionProperty() == null || job.executionProperty().maxConcurrentRuns() == null
                ? 1 : job.executionProperty().maxConcurrentRuns();
        String why = request.onConcurrentRun() == OnConcurrentRun.ATTACH
                ? "none of them has this step's arguments, so none was adopted"
                : "onConcurrentRun is FAIL, so none was adopted";
        String message = "Glue job " + jobName + " is at its concurrency limit (MaxConcurrentRuns="
                + limit + ") with runs " + others + " in progress; " + why;
        if (request.onConcurrencyLimit() == OnConcurrencyLimit.WAIT) {
            LOG.info("job at its concurrency limit; the step waits for a slot", "job", jobName, "runningRuns", others,
                    "maxConcurrentRuns", limit, "nextWaitSeconds", slotWaitSeconds,
                    "arguments", request.arguments().keySet(), "outcome", StartGlueJobResult.WAITING_FOR_SLOT);
            return StartGlueJobResult.waitingForSlot(jobName, slotWaitSeconds, others, limit, message
                    + ". Nothing was started: the state machine waits for a slot and starts it when one of those "
                    + "runs has ended (it gives up after limits.maxSlotWaitSeconds, 6 hours by default); to run "
                    + "sooner, stop those runs or raise the job's MaxConcurrentRuns");
        }
        if (request.onConcurrencyLimit() == OnConcurrencyLimit.QUEUE) {
            LOG.info("job at its concurrency limit; the step waits for a slot", "job", jobName, "runningRuns", others,
                    "arguments", request.arguments().keySet(), "outcome", "QUEUED");
            throw new ConcurrencyLimitException(message + ". Nothing was started: the state machine starts it again "
                    + "when "
                    + "one of those runs has ended (it waits with backoff); to run sooner, raise the limit", e);
        }
        LOG.warn("job at its concurrency limit", "job", jobName, "runningRuns", others, "outcome", "NOT_STARTED");
        throw new TransientAwsException(message
                + ". The state machine retries this step; to run now, stop those runs or raise the limit", e);
    }

    private static boolean sameArguments(JobRun run, Map<String, String> arguments) {
        return new TreeMap<>(run.arguments()).equals(arguments);
    }

    private StartGlueJobResult attached(JobRun run) {
        LOG.info("adopted the run already in progress", "job", run.jobName(), "jobRunId", run.id(),
                "state", run.jobRunStateAsString(), "outcome", "ATTACHED");
        return StartGlueJobResult.attached(run.jobName(), run.id(), iso(run.startedOn()));
    }

    private Job getJob(String jobName) {
        try {
            return glue.getJob(b -> b.jobName(jobName)).job();
        } catch (EntityNotFoundException e) {
            throw missing(jobName, e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetJob for job " + jobName);
        }
    }

    private static ResourceNotFoundException missing(String jobName, EntityNotFoundException e) {
        return new ResourceNotFoundException("Glue job " + jobName + " does not exist in this account and region;"
                + " check the job name in the state machine input (jobs.*) or deploy the job first", e);
    }

    private JobRun getJobRun(String jobName, String runId) {
        try {
            return glue.getJobRun(b -> b.jobName(jobName).runId(runId)).jobRun();
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetJobRun for job " + jobName + " run " + runId);
        }
    }

    private Optional<JobRun> findRunInProgress(String jobName, Map<String, String> arguments) {
        for (JobRun r : recentRuns(jobName)) {
            if (IN_PROGRESS.contains(r.jobRunState()) && sameArguments(r, arguments)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** A run of the job with these arguments, in any state, started since this call began: ours. */
    private Optional<JobRun> findRunStartedSince(String jobName, Map<String, String> arguments, Instant since) {
        for (JobRun r : recentRuns(jobName)) {
            if (r.startedOn() != null && !r.startedOn().isBefore(since) && sameArguments(r, arguments)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * The job's runs started within the run history window, newest first. Glue keeps months of runs
     * (a job run every 15 minutes has thousands) and GetJobRuns returns the newest first, so paging
     * stops at the first page reaching past the window, and after {@link #MAX_RUN_PAGES} pages at most.
     */
    private List<JobRun> recentRuns(String jobName) {
        Instant since = Instant.now().minus(runHistory);
        List<JobRun> recent = new ArrayList<>();
        String next = null;
        int pages = 0;
        try {
            do {
                String token = next;
                GetJobRunsResponse page = glue.getJobRuns(b ->
                        b.jobName(jobName).maxResults(RUNS_PER_PAGE).nextToken(token));
                pages++;
                boolean reachedOld = false;
                for (JobRun r : page.jobRuns()) {
                    if (r.startedOn() != null && r.startedOn().isBefore(since)) {
                        reachedOld = true;
                    } else {
                        recent.add(r);
                    }
                }
                next = reachedOld ? null : page.nextToken();
            } while (next != null && pages < MAX_RUN_PAGES);
        } catch (EntityNotFoundException e) {
            throw missing(jobName, e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetJobRuns for job " + jobName);
        }
        if (next != null) {
            LOG.warn("run history read up to the page limit", "job", jobName, "pages", pages, "runsRead", recent.size(),
                    "runHistoryHours", runHistory.toHours());
        }
        return recent;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientAwsException("interrupted while retrying StartJobRun", e);
        }
    }

    private static String iso(Instant t) {
        return (t == null ? Instant.now() : t).toString();
    }
}
