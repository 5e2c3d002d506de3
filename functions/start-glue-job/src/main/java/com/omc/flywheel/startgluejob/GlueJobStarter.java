package com.omc.flywheel.startgluejob;

import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import com.omc.flywheel.startgluejob.StartGlueJobRequest.OnConcurrentRun;
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
import software.amazon.awssdk.services.glue.model.Job;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.glue.model.JobRunState;

/**
 * Starts a Glue job run, or adopts one already going. A retried or rerun step must never start a
 * second copy of an hour-long job: with {@code ATTACH}, a run of the same job with the same
 * arguments in STARTING, RUNNING or WAITING is returned ({@code attached: true}) instead. Two runs of
 * one job with different arguments (the registration job runs twice) are distinct and both start.
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
    private final GlueClient glue;
    private final GlueClient startClient;

    public GlueJobStarter(GlueClient glue) {
        this(glue, glue);
    }

    /**
     * @param startClient the client for StartJobRun, with no SDK retries (StartJobRun is not
     *                    idempotent; this class retries it only after looking for the run)
     */
    public GlueJobStarter(GlueClient glue, GlueClient startClient) {
        this.glue = glue;
        this.startClient = startClient;
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
        return new StartGlueJobResult(jobName, runId, false, iso(run.startedOn()));
    }

    /** SnapStart priming: one GetJobRuns (the first call of a start), whatever the answer. */
    void prime() {
        Priming.call(() -> glue.getJobRuns(b -> b.jobName(Priming.NAME).maxResults(1)));
    }

    private StartGlueJobResult onConcurrencyLimit(StartGlueJobRequest request, ConcurrentRunsExceededException e) {
        String jobName = request.jobName();
        List<JobRun> going = runs(jobName).stream().filter(r -> IN_PROGRESS.contains(r.jobRunState())).toList();
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
        LOG.warn("job at its concurrency limit", "job", jobName, "runningRuns", others, "outcome", "NOT_STARTED");
        throw new TransientAwsException("Glue job " + jobName + " is at its concurrency limit (MaxConcurrentRuns="
                + limit + ") with runs " + others + " in progress; " + why
                + ". The state machine retries this step; to run now, stop those runs or raise the limit", e);
    }

    private static boolean sameArguments(JobRun run, Map<String, String> arguments) {
        return new TreeMap<>(run.arguments()).equals(arguments);
    }

    private StartGlueJobResult attached(JobRun run) {
        LOG.info("adopted the run already in progress", "job", run.jobName(), "jobRunId", run.id(),
                "state", run.jobRunStateAsString(), "outcome", "ATTACHED");
        return new StartGlueJobResult(run.jobName(), run.id(), true, iso(run.startedOn()));
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
        for (JobRun r : runs(jobName)) {
            if (IN_PROGRESS.contains(r.jobRunState()) && sameArguments(r, arguments)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** A run of the job with these arguments, in any state, started since this call began: ours. */
    private Optional<JobRun> findRunStartedSince(String jobName, Map<String, String> arguments, Instant since) {
        for (JobRun r : runs(jobName)) {
            if (r.startedOn() != null && !r.startedOn().isBefore(since) && sameArguments(r, arguments)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Every run Glue still keeps for the job, all pages. */
    private List<JobRun> runs(String jobName) {
        try {
            List<JobRun> all = new ArrayList<>();
            glue.getJobRunsPaginator(b -> b.jobName(jobName).maxResults(200)).jobRuns().forEach(all::add);
            return all;
        } catch (EntityNotFoundException e) {
            throw missing(jobName, e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetJobRuns for job " + jobName);
        }
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
