package com.omc.flywheel.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.associatetables.AssociateTablesHandler;
import com.omc.flywheel.buildreport.BuildReportHandler;
import com.omc.flywheel.checkstatus.CheckStatusHandler;
import com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.lambda.FunctionPackages;
import com.omc.flywheel.local.sfn.ExecutionEvents;
import com.omc.flywheel.local.sfn.StepFunctionsLimits;
import com.omc.flywheel.msckrepair.MsckRepairHandler;
import com.omc.flywheel.notifyfailure.NotifyFailureHandler;
import com.omc.flywheel.resolvesnapshot.ResolveSnapshotHandler;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.startgluejob.StartGlueJobHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Runs the ASL files of statemachine/ in moto's Step Functions engine, with every Lambda task
 * answered by the real handler in this JVM ({@link LocalCloud}), loaded from the function's
 * deployment package ({@link FunctionPackages}: the build's package phase must have run, as it has
 * in {@code mvn verify}). The definitions get the
 * substitutions template.yaml gives them. Two changes for speed only, never for logic: check-status
 * asks for 1-second waits (POLL_* settings), and Retry intervals are cut to 1 second.
 */
final class StateMachineHarness {
    static final String ENV = "dev";
    static final String ACCOUNT = "123456789012";
    static final Map<String, String> FUNCTIONS = new LinkedHashMap<>();
    /** Each function's handler class, by function name. */
    static final Map<String, Class<?>> HANDLERS = new LinkedHashMap<>();
    private static LocalCloud cloud;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        FUNCTIONS.put("StartGlueJobFunction", "start-glue-job");
        FUNCTIONS.put("CheckStatusFunction", "check-status");
        FUNCTIONS.put("MsckRepairFunction", "msck-repair");
        FUNCTIONS.put("AssociateTablesFunction", "associate-tables");
        FUNCTIONS.put("BuildReportFunction", "build-report");
        FUNCTIONS.put("ResolveSnapshotFunction", "resolve-snapshot");
        FUNCTIONS.put("FetchActiveTopicsFunction", "fetch-active-topics");
        FUNCTIONS.put("RefreshErTableFunction", "refresh-er-table");
        HANDLERS.put("start-glue-job", StartGlueJobHandler.class);
        HANDLERS.put("check-status", CheckStatusHandler.class);
        HANDLERS.put("msck-repair", MsckRepairHandler.class);
        HANDLERS.put("associate-tables", AssociateTablesHandler.class);
        HANDLERS.put("build-report", BuildReportHandler.class);
        HANDLERS.put("resolve-snapshot", ResolveSnapshotHandler.class);
        HANDLERS.put("fetch-active-topics", FetchActiveTopicsHandler.class);
        HANDLERS.put("refresh-er-table", com.omc.flywheel.refreshertable.RefreshErTableHandler.class);
        // Not in a definition: EventBridge invokes it when an execution ends unsuccessfully (ExecutionEvents).
        HANDLERS.put("notify-failure", NotifyFailureHandler.class);
    }

    private StateMachineHarness() {
    }

    /** The local cloud of this test JVM, with every function registered and fast polling configured. */
    static synchronized LocalCloud cloud() {
        if (cloud == null) {
            cloud = LocalCloud.start().asDefaultEndpoint();
            Runtime.getRuntime().addShutdownHook(new Thread(cloud::close));
            for (String setting : List.of("POLL_MIN_SECONDS", "POLL_MAX_SECONDS", "POLL_NEAR_END_SECONDS",
                    "ATHENA_POLL_MIN_SECONDS", "ATHENA_POLL_MAX_SECONDS", "ER_QUERY_WAIT_SECONDS")) {
                System.setProperty(setting, "1");
            }
            System.setProperty("GLUE_EMPTY_RETRY_MILLIS", "1");
            System.setProperty("ATHENA_POLL_MILLIS", "50");
            System.setProperty("REGISTRY_TABLE", "omc-flywheel-dev-topic-registry");
            System.setProperty("CONTINUATION_BUCKET", "omc-flywheel-dev-analysis-data");
            // Speed only: resolve-snapshot lists the running refreshes a second time after 1 s, not 5.
            System.setProperty("REFRESH_GUARD_SETTLE_SECONDS", "1");
            // Speed only: a step whose job is at its MaxConcurrentRuns asks again after 1 s, not 300.
            System.setProperty("SLOT_WAIT_SECONDS", "1");
            // Each function runs from its deployment package (the ProGuard-shrunk jar that is
            // deployed), in a class loader of its own, as on Lambda.
            // With the template's Timeout and MemorySize, enforced as Lambda does.
            HANDLERS.forEach((function, handler) -> cloud.lambdas().register(name(function),
                    cloud.stack().function(function).timeoutSeconds(), cloud.stack().function(function).memoryMb(),
                    FunctionPackages.handler(FunctionPackages.lib(SampleEvents.repoRoot(), function),
                            handler.getName())));
        }
        return cloud;
    }

    /**
     * The MaxConcurrentRuns production gives a job, where it says one: the register job runs twice at
     * once (db-refresh's RegisterTables), and today's Terraform sets it to 2 (SPEC section 1, Step2).
     */
    static final Map<String, Integer> PRODUCTION_MAX_CONCURRENT_RUNS = Map.of(
            "etl-omc-flywheel-" + ENV + "-register-part-tables", 2);

    /**
     * A Glue job as production has it: its MaxConcurrentRuns from {@link #PRODUCTION_MAX_CONCURRENT_RUNS},
     * and for every other job none given, which is AWS's default (1). Never more room than
     * production has, so a test sees what a limit does there.
     */
    static void createJob(software.amazon.awssdk.services.glue.GlueClient glue, String job) {
        Integer max = PRODUCTION_MAX_CONCURRENT_RUNS.get(job);
        glue.createJob(b -> {
            b.name(job).role("arn:aws:iam::" + ACCOUNT + ":role/glue")
                    .command(c -> c.name("glueetl").scriptLocation("s3://scripts/" + job + ".py"));
            if (max != null) {
                b.executionProperty(e -> e.maxConcurrentRuns(max));
            }
        });
    }

    /**
     * A job in an account that differs from production (e.g. a register job left at AWS's default of
     * 1): replaces the job of that name, for a test about that account.
     */
    static void recreateJobWithMaxConcurrentRuns(software.amazon.awssdk.services.glue.GlueClient glue, String job,
                                                 int maxConcurrentRuns) {
        glue.deleteJob(b -> b.jobName(job));
        glue.createJob(b -> b.name(job).role("arn:aws:iam::" + ACCOUNT + ":role/glue")
                .command(c -> c.name("glueetl").scriptLocation("s3://scripts/" + job + ".py"))
                .executionProperty(e -> e.maxConcurrentRuns(maxConcurrentRuns)));
    }

    /** The local cloud if a test of this JVM started it, else null. */
    static synchronized LocalCloud started() {
        return cloud;
    }

    /** The cloud, reset: moto and the stand-in empty, no faults or rewrites, the functions answering Invoke. */
    static LocalCloud fresh() {
        LocalCloud c = cloud();
        c.reset();
        c.proxy().clearRules();
        c.proxy().clearFaults();
        c.proxy().addRule(c.lambdas());
        return c;
    }

    static String name(String function) {
        return "omc-flywheel-" + ENV + "-" + function;
    }

    /** template.yaml's other DefinitionSubstitutions, with the local parameters' values (the defaults). */
    static final Map<String, String> SUBSTITUTIONS = Map.of("RegistryTableName", "omc-flywheel-dev-topic-registry",
            "TopicMaxConcurrency", "5");

    /** The definition as deployed: ${...} replaced as template.yaml's DefinitionSubstitutions do. */
    static String definition(String file) {
        return definition(file, Map.of());
    }

    /** The same, with some substitutions as another deployment's parameters make them (e.g. an existing registry). */
    static String definition(String file, Map<String, String> substitutions) {
        try {
            String text = Files.readString(SampleEvents.repoRoot().resolve("statemachine").resolve(file));
            for (Map.Entry<String, String> f : FUNCTIONS.entrySet()) {
                text = text.replace("${" + f.getKey() + "Arn}", "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:"
                        + name(f.getValue()) + ":live");
            }
            Map<String, String> values = new LinkedHashMap<>(SUBSTITUTIONS);
            values.putAll(substitutions);
            for (Map.Entry<String, String> v : values.entrySet()) {
                text = text.replace("${" + v.getKey() + "}", v.getValue());
            }
            if (text.matches("(?s).*\\$\\{[A-Za-z]+}.*")) {
                throw new IllegalStateException(file + " has a ${...} this harness does not substitute: add it to "
                        + "SUBSTITUTIONS");
            }
            ObjectNode asl = (ObjectNode) JSON.readTree(text);
            shortenRetries(asl);
            return JSON.writeValueAsString(asl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void shortenRetries(JsonNode node) {
        if (node.isObject()) {
            if (node.has("Retry")) {
                node.get("Retry").forEach(r -> ((ObjectNode) r).put("IntervalSeconds", 1).put("BackoffRate", 1.0));
            }
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                shortenRetries(it.next());
            }
        } else if (node.isArray()) {
            node.forEach(StateMachineHarness::shortenRetries);
        }
    }

    /**
     * One execution, start to end; its end (FAILED, TIMED_OUT, ABORTED, or a db-refresh that
     * SUCCEEDED) is then delivered to notify-failure, as template.yaml's EventBridge rules do.
     */
    record Run(DescribeExecutionResponse execution, List<HistoryEvent> history) {
        JsonNode output() {
            try {
                return JSON.readTree(execution.output());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        List<String> statesEntered() {
            return history.stream().filter(e -> e.typeAsString().endsWith("StateEntered"))
                    .map(e -> e.stateEnteredEventDetails().name()).toList();
        }
    }

    static Run execute(String aslFile, String input, Duration timeout) {
        return await(start(aslFile, input), timeout);
    }

    /**
     * Starts an execution and returns its ARN without waiting ({@link #await} follows it to its end).
     * The state machine is created on the first start and reused by the next ones (CreateStateMachine
     * with the same name and definition answers the existing one), so several executions of one state
     * machine can run at once, as on AWS.
     */
    static String start(String aslFile, String input) {
        return start(aslFile, "omc-flywheel-" + ENV + "-" + aslFile.replace(".asl.json", ""), Map.of(), input);
    }

    /**
     * As {@link #start(String, String)}, for a definition deployed under another name (the DISTRIBUTED
     * variant of the orchestrator is deployed as omc-flywheel-dev-topic-orchestrator) or with other
     * substitutions.
     */
    static String start(String aslFile, String stateMachineName, Map<String, String> substitutions, String input) {
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        // The deployed name: the local IAM check authorizes the engine's calls with this state machine's role.
        String arn = sfn.createStateMachine(b -> b.name(stateMachineName)
                .definition(definition(aslFile, substitutions))
                .roleArn("arn:aws:iam::" + ACCOUNT + ":role/omc-flywheel-dev-states")).stateMachineArn();
        return sfn.startExecution(b -> b.stateMachineArn(arn).name("test-" + System.nanoTime()).input(input))
                .executionArn();
    }

    /** Follows a started execution to its end (or {@code timeout}), then as {@link #execute}. */
    static Run await(String execution, Duration timeout) {
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        long deadline = System.nanoTime() + timeout.toNanos();
        DescribeExecutionResponse d;
        do {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            d = sfn.describeExecution(b -> b.executionArn(execution));
        } while (d.status() == ExecutionStatus.RUNNING && System.nanoTime() < deadline);
        // What EventBridge does on AWS: an execution that ended FAILED, TIMED_OUT or ABORTED goes to notify-failure.
        DescribeExecutionResponse ended = d;
        ExecutionEvents.deliver(cloud(), ended).ifPresent(delivery -> {
            if (!delivery.ok()) {
                throw new AssertionError("notify-failure failed on the end of " + execution + ": "
                        + delivery.response());
            }
        });
        List<HistoryEvent> history = new ArrayList<>();
        sfn.getExecutionHistoryPaginator(b -> b.executionArn(execution)).events().forEach(history::add);
        if (d.status() != ExecutionStatus.SUCCEEDED) {
            // The SDK's toString redacts error and cause: say them, for the test's report.
            System.err.println("execution " + execution + " ended " + d.statusAsString() + ": " + d.error() + ": "
                    + d.cause());
        }
        // What AWS enforces and moto does not: every execution a test makes stays within Step Functions' quotas.
        StepFunctionsLimits.Report limits = StepFunctionsLimits.check(history);
        if (!limits.ok()) {
            throw new AssertionError("execution " + execution + " breaks Step Functions' quotas: "
                    + limits.violations());
        }
        return new Run(d, history);
    }
}
