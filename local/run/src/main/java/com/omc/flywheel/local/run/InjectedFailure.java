package com.omc.flywheel.local.run;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * {@code --fail-step}: each step it names fails on purpose until the operator's fix, so that
 * {@code --resume} has a failed run to resume. Several steps fail one after the other: the run fails
 * at the first one it reaches; once that one is fixed, the resumed run fails at the next.
 */
final class InjectedFailure {
    /**
     * The steps --fail-step can break (every top-level step of db-refresh that can fail), and what
     * fails: a Glue job run (FAILED), or a call answered AccessDenied until the cause is "fixed".
     */
    static final Map<String, String> FAILABLE = new TreeMap<>(Map.of(
            "ResolveNewestSnapshot", "s3:ListObjectsV2 of the raw input",
            "SplitInputs", "etl-omc-flywheel-dev-infobase-split-and-part",
            "RegisterTables", "etl-omc-flywheel-dev-register-part-tables",
            "RepairPartitions", "glue:GetTables",
            "BuildErTable", "athena:StartQueryExecution of the ER table's CTAS",
            "AssociateTables", "CreateConfiguredTableAssociation",
            "Reports", "s3:PutObject of the data monitor report"));
    /** Each step --fail-step names, and whether it is still broken (the operator's fix sets it false). */
    private final Map<String, AtomicBoolean> broken = new LinkedHashMap<>();

    InjectedFailure(List<String> steps) {
        steps.forEach(step -> broken.put(step, new AtomicBoolean(true)));
    }

    /**
     * The operator's fix of the cause of {@code failedStep}'s failure: its calls and jobs go through
     * again. False when --fail-step did not name it or it was fixed already (the run failed for
     * another reason, and a resume would not be the fix).
     */
    boolean fix(String failedStep) {
        AtomicBoolean b = failedStep == null ? null : broken.get(failedStep);
        return b != null && b.getAndSet(false);
    }

    /** The steps --fail-step named that are still broken: they never made a run fail. */
    List<String> neverFailed() {
        return broken.entrySet().stream().filter(e -> e.getValue().get()).map(Map.Entry::getKey).toList();
    }

    /** A Glue client of moto itself, behind the proxy (its answers are not rewritten). */
    private static GlueClient motoGlue(LocalCloud cloud) {
        return GlueClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(cloud.moto().endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /**
     * A run Glue reports FAILED has ended and frees its slot; moto, which only sees it answered
     * FAILED, would count it against the job's MaxConcurrentRuns until it is read to its end. So it
     * is read to its end (moto's runs advance a state a read, glueJobRunsTakePolls).
     */
    private static void endInMoto(GlueClient moto, String job, String runId) {
        for (int i = 0; i < 10; i++) {
            String state = moto.getJobRun(b -> b.jobName(job).runId(runId)).jobRun().jobRunStateAsString();
            if (!state.equals("RUNNING") && !state.equals("STARTING") && !state.equals("WAITING")) {
                return;
            }
        }
    }

    /**
     * Breaks each step until {@link #fix(String)}: a Glue job's runs answer FAILED (those started while
     * broken stay FAILED afterwards, as on Glue), or a call the step makes is answered AccessDenied,
     * which no Retry retries. Does nothing without --fail-step.
     */
    void inject(LocalCloud cloud, Progress progress) {
        broken.forEach((step, stillBroken) -> inject(cloud, progress, step, stillBroken));
    }

    private static void inject(LocalCloud cloud, Progress progress, String step, AtomicBoolean broken) {
        String target = FAILABLE.get(step);
        progress.say("--fail-step " + step + ": " + target + " will fail");
        String why = "local-run --fail-step " + step + ": failed on purpose";
        switch (step) {
            case "AssociateTables" -> cloud.cleanRooms().failCall(target, 1, 403, "AccessDeniedException");
            case "ResolveNewestSnapshot" -> cloud.proxy().addRule(call -> broken.get()
                    && call.key().equals("s3:ListObjectsV2")
                    && call.query() != null && call.query().contains("raw_input")
                    ? Optional.of(AwsProxy.Reply.s3Error(403, "AccessDenied", why))
                            : Optional.empty());
            case "RepairPartitions" -> cloud.proxy().addRule(call -> broken.get() && call.key().equals("glue:GetTables")
                    ? Optional.of(AwsProxy.Reply.awsError(400, "AccessDeniedException", why))
                            : Optional.empty());
            case "BuildErTable" -> cloud.proxy().addRuleFirst(call -> broken.get()
                    && call.key().equals("athena:StartQueryExecution")
                    && call.json().path("QueryString").asText().startsWith("CREATE TABLE")
                    ? Optional.of(AwsProxy.Reply.awsError(400, "AccessDeniedException", why))
                            : Optional.empty());
            case "Reports" -> cloud.proxy().addRule(call -> broken.get() && call.key().equals("s3:PutObject")
                    && call.path().contains("/data-monitor/")
                    ? Optional.of(AwsProxy.Reply.s3Error(403, "AccessDenied", why))
                            : Optional.empty());
            default -> {
                Set<String> failedRuns = ConcurrentHashMap.newKeySet();
                GlueClient moto = motoGlue(cloud);
                cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(run -> {
                    if (!target.equals(run.path("JobName").asText())) {
                        return false;
                    }
                    String id = run.path("Id").asText();
                    if (broken.get() && failedRuns.add(id)) {
                        endInMoto(moto, target, id);
                    }
                    return failedRuns.contains(id);
                }, why + ": the job failed"));
            }
        }
    }
}
