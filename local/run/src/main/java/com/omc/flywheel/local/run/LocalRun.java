package com.omc.flywheel.local.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleParquet;
import com.omc.flywheel.local.lambda.FunctionPackages;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.local.sfn.ExecutionEvents;
import com.omc.flywheel.local.sfn.StepFunctionsLimits;
import com.omc.flywheel.ops.ExecutionFollower;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * {@code bin/flywheel local-run}: the whole monthly refresh on this machine. Starts the local cloud
 * (moto with Step Functions execution, the Clean Rooms stand-in, the real handlers behind Lambda
 * Invoke), generates a sample lake shaped like production, creates the Glue jobs, topics, buckets and
 * the db-refresh state machine from statemachine/db-refresh.asl.json, runs it, prints each step as it
 * starts and ends, then a summary, copies the reports into the output folder, and stops everything.
 */
public final class LocalRun {
    static final String ENV = "dev";
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String REPORTS = "omc-flywheel-dev-analysis-data";
    static final String MEMBERSHIP = "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b";
    static final String ROOT = "s3://" + DATA + "/omc_cleanroom_data/split_part/";
    static final String STALE_TABLE = "part_miacs_04";
    static final String DUPLICATE_TABLE = "part_ibe_05";
    static final String TODAYS_ER_PREFIX = "omc_cleanroom_data/identity/acx_ids_cur/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Options options;
    private final PrintStream out;
    private final Instant started = Instant.now();
    private int lakeTables;
    private List<String> monitoredTables = List.of();
    /** part_addressable_ids' data columns in the lake (0 when it has none). */
    private int addressableColumns;
    private List<String> topLevelStates = List.of();

    /** The command line. */
    record Options(Path repo, Path out, String snapshotDt, int tables, int buckets, String failStep, boolean resume,
                   boolean keepRunning, Map<String, String> handlers, int months) {
        static Options parse(String[] args) {
            Path repo = null;
            Path out = Path.of("out/local-run");
            String snapshot = null;
            int tables = 0;
            int buckets = 8;
            String fail = null;
            boolean keep = false;
            boolean resume = false;
            int months = 1;
            Map<String, String> handlers = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--repo" -> repo = Path.of(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--snapshot-dt" -> snapshot = args[++i];
                    case "--tables" -> tables = positive(a, args[++i]);
                    case "--buckets" -> buckets = positive(a, args[++i]);
                    case "--fail-step" -> fail = args[++i];
                    case "--keep-running" -> keep = true;
                    case "--resume" -> resume = true;
                    case "--months" -> {
                        months = positive(a, args[++i]);
                        if (months > 12) {
                            throw new IllegalArgumentException("--months takes 1 to 12");
                        }
                    }
                    case "--function" -> {
                        String[] kv = args[++i].split("=", 2);
                        handlers.put(kv[0], kv[1]);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see bin/flywheel help)");
                }
            }
            if (snapshot != null && !snapshot.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
                throw new IllegalArgumentException("--snapshot-dt must be YYYY-MM-DD");
            }
            if (fail != null && !FAILABLE.containsKey(fail)) {
                throw new IllegalArgumentException("--fail-step takes one of " + FAILABLE.keySet());
            }
            if (resume && fail == null) {
                throw new IllegalArgumentException("--resume goes with --fail-step: it resumes the run that step failed");
            }
            if (months > 1 && fail != null) {
                throw new IllegalArgumentException("--months runs clean months back to back; --fail-step goes with one "
                        + "month");
            }
            return new Options(repo, out, snapshot, tables, buckets, fail, resume, keep, handlers, months);
        }

        private static int positive(String option, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0 && n <= 10_000) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(option + " takes a whole number from 1 to 10000");
        }
    }

    /**
     * The steps --fail-step can break (every top-level step of db-refresh that can fail), and what
     * fails: a Glue job run (FAILED), or a call answered AccessDenied until the cause is "fixed".
     */
    static final Map<String, String> FAILABLE = new java.util.TreeMap<>(Map.of(
            "ResolveNewestSnapshot", "s3:ListObjectsV2 of the raw input",
            "SplitInputs", "etl-omc-flywheel-dev-infobase-split-and-part",
            "RegisterTables", "etl-omc-flywheel-dev-register-part-tables",
            "RepairPartitions", "glue:GetTables",
            "BuildErTable", "athena:StartQueryExecution of the ER table's CTAS",
            "AssociateTables", "CreateConfiguredTableAssociation",
            "Reports", "s3:PutObject of the data monitor report"));
    /** Whether the step --fail-step names is still broken; the operator's fix sets it false. */
    private final java.util.concurrent.atomic.AtomicBoolean broken =
            new java.util.concurrent.atomic.AtomicBoolean(true);

    private LocalRun(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("local-run: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new LocalRun(options, System.out).run());
    }

    int run() {
        say("starting the local cloud (moto_server, Clean Rooms stand-in, Lambda endpoint)");
        LocalCloud cloud = LocalCloud.start(options.repo()).asDefaultEndpoint();
        Thread stopper = new Thread(cloud::close, "local-run-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            configure();
            register(cloud);
            say("endpoint " + cloud.endpoint() + " (moto behind it, stand-in for cleanrooms/entityresolution)");
            Map<String, Object> lake = generate(cloud);
            say("sample lake: " + lake);
            breakStep(cloud);
            String input = input();
            String stateMachine = createStateMachine(input);
            List<Run> runs = new ArrayList<>();
            runs.add(execute(cloud, stateMachine, input));
            boolean failedFirst = runs.get(0).execution().status() != ExecutionStatus.SUCCEEDED;
            if (options.resume() && failedFirst) {
                runs.addAll(resume(cloud, stateMachine, runs.get(0)));
            }
            List<String> monthProblems = new ArrayList<>();
            for (int month = 2; month <= options.months(); month++) {
                if (runs.get(runs.size() - 1).execution().status() != ExecutionStatus.SUCCEEDED) {
                    break;
                }
                copyReports(options.out().resolve("month-" + (month - 1)));
                say("== month " + month + " of " + options.months() + ": a new raw snapshot lands ("
                        + newMonth(cloud, month) + "); the next monthly refresh starts on the same emulators");
                runs.add(execute(cloud, stateMachine, input()));
                monthProblems.addAll(checkMonth(runs.get(runs.size() - 2), runs.get(runs.size() - 1), month));
            }
            if (options.months() > 1) {
                copyReports(options.out().resolve("month-" + options.months()));
            }
            monthProblems.forEach(p -> say("!! " + p));
            int code = summarise(cloud, runs, monthProblems);
            if (options.failStep() != null && !failedFirst) {
                say("!! --fail-step " + options.failStep() + " did not make the run fail: nothing was resumed");
                code = 1;
            }
            if (options.keepRunning()) {
                say("--keep-running: the emulators stay up. Try: aws --endpoint-url " + cloud.endpoint()
                        + " glue get-tables --database-name " + DB
                                + "   (AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local"
                        + " AWS_REGION=us-east-1). Press Ctrl-C to stop them.");
                new CountDownLatch(1).await();
            }
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (RuntimeException e) {
            say("local-run failed: " + e);
            return 1;
        } finally {
            cloud.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    /** Fast polling for a local run: the jobs here take seconds, not hours. */
    private static void configure() {
        for (String s : List.of("POLL_MIN_SECONDS", "POLL_MAX_SECONDS", "POLL_NEAR_END_SECONDS",
                "ATHENA_POLL_MIN_SECONDS",
                "ATHENA_POLL_MAX_SECONDS", "GLUE_EMPTY_RETRY_MILLIS", "ER_QUERY_WAIT_SECONDS")) {
            System.setProperty(s, "1");
        }
        System.setProperty("ATHENA_POLL_MILLIS", "50");
        // moto answers injected Athena results in call order: one table and one query at a time.
        System.setProperty("REPORT_TABLE_CONCURRENCY", "1");
        System.setProperty("ATHENA_CONCURRENCY", "1");
        System.setProperty("ATHENA_RESULTS", "s3://" + REPORTS + "/query-results/monitor/");
        System.setProperty("ACCOUNT_DESCRIPTIONS", "111111111111=AMC Service,222222222222=Query Submitter/AMC Results "
                + "Receiver,"
                + "333333333333=Advertiser");
        System.setProperty("FLYWHEEL_ENV", ENV);
        System.setProperty("CONTINUATION_BUCKET", "omc-flywheel-dev-analysis-data");
        // Speed only: resolve-snapshot lists the running refreshes a second time after 1 s, not 5.
        System.setProperty("REFRESH_GUARD_SETTLE_SECONDS", "1");
        // The functions' JSON logs would drown the progress lines; they are not what a user watches here.
        com.omc.flywheel.shared.JsonLog.redirect(new PrintStream(java.io.OutputStream.nullOutputStream()));
    }

    /**
     * Every function from its deployment package, each in a class loader of its own (as Lambda runs
     * them); their JSON logs go to {@code <out>/function-logs.jsonl}, not to the terminal.
     */
    private void register(LocalCloud cloud) {
        if (options.handlers().isEmpty()) {
            throw new IllegalStateException("no --function NAME=HandlerClass given (bin/flywheel passes them from "
                    + "template.yaml)");
        }
        try {
            Files.createDirectories(options.out());
            FunctionPackages.redirectLogs(new PrintStream(Files.newOutputStream(options.out()
                    .resolve("function-logs.jsonl")),
                    true, java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write under " + options.out(), e);
        }
        // With the template's Timeout and MemorySize, enforced as Lambda does.
        options.handlers().forEach((name, handler) -> cloud.lambdas().register("omc-flywheel-" + ENV + "-" + name,
                cloud.stack().function(name).timeoutSeconds(), cloud.stack().function(name).memoryMb(),
                FunctionPackages.handler(FunctionPackages.lib(options.repo(), name), handler)));
    }

    /** The lake, the jobs, the topics, the collaboration; returns what was made, for the first lines. */
    private Map<String, Object> generate(LocalCloud cloud) {
        GlueClient glue = com.omc.flywheel.shared.AwsClients.build(GlueClient.builder());
        S3Client s3 = com.omc.flywheel.shared.AwsClients.build(S3Client.builder());
        LakeBuilder lake = new LakeBuilder(glue, s3).database(DB).bucket(DATA).bucket(REPORTS)
                .withParquetFiles(DUPLICATE_TABLE);
        // Yesterday's snapshot by default, so the data monitor finds the lake fresh but for the stale table
        // (with --months N, the first month's: N - 1 months before).
        String snapshot = snapshotOf(1);
        String stale = java.time.LocalDate.parse(snapshot).minusDays(120).toString();
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            for (String day : List.of(stale, snapshot)) {
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day + "/_SUCCESS"),
                        RequestBody.fromString(""));
            }
            s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/" + source
                    + "/metadata/snapshot_dt.txt"),
                    RequestBody.fromString(snapshot));
        }
        s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/legacy_attributes/metadata/snapshot_dt.txt"),
                RequestBody.fromString(stale));
        Map<String, Integer> tables = new TreeMap<>(LakeBuilder.PRODUCTION_TABLES);
        if (options.tables() > 0) {
            Map<String, Integer> some = new TreeMap<>();
            for (Map.Entry<String, Integer> e : tables.entrySet()) {
                if (some.size() < options.tables() || e.getKey().equals(STALE_TABLE)
                        || e.getKey().equals(DUPLICATE_TABLE)) {
                    some.put(e.getKey(), Math.min(e.getValue(), 20));
                }
            }
            for (int i = some.size(); i < options.tables(); i++) {
                some.put(String.format("part_gen_%04d", i), 10);
            }
            tables = some;
        }
        int n = options.buckets();
        int unregistered = 0;
        int t = 0;
        for (Map.Entry<String, Integer> e : tables.entrySet()) {
            String name = e.getKey();
            String root = name.equals("part_addressable_ids") ? ROOT + "addressable_ids/"
                    : name.equals(STALE_TABLE) ? ROOT + "legacy_attributes/" : ROOT + "infobase_attributes/";
            List<Integer> registered = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                if ((b + t) % 4 != 0) {
                    registered.add(b);
                } else {
                    unregistered++;
                }
            }
            LakeBuilder.Registration how = t % 3 == 0 ? LakeBuilder.Registration.KEY_AS_COLUMN
                    : LakeBuilder.Registration.PARTITIONED;
            if (how == LakeBuilder.Registration.KEY_AS_COLUMN) {
                unregistered += registered.size();
                registered = List.of();
            }
            lake.table(new LakeBuilder.Table(DB, name, root + name.substring("part_".length()).toUpperCase() + "/",
                    e.getValue(),
                    how, LakeBuilder.buckets(n), registered, Map.of()));
            lake.table(new LakeBuilder.Table(DB, "ext_" + name.substring("part_".length()), "s3://" + DATA
                    + "/split_cluster/"
                    + name + "/", 2, LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
            t++;
        }
        lake.todaysErTable(DB, "s3://" + DATA + "/" + TODAYS_ER_PREFIX, null);
        monitoredTables = List.copyOf(tables.keySet());
        addressableColumns = tables.getOrDefault("part_addressable_ids", 0);
        cloud.moto().athenaResults(monitorResults(1));
        for (String job : List.of("addressable-split-and-part", "infobase-split-and-part", "register-part-tables")) {
            glue.createJob(b -> b.name("etl-omc-flywheel-" + ENV + "-" + job)
                    .role("arn:aws:iam::123456789012:role/glue")
                    .command(c -> c.name("glueetl").scriptLocation("s3://scripts/" + job + ".py"))
                    .executionProperty(x -> x.maxConcurrentRuns(2)));
        }
        cloud.moto().glueJobRunsTakePolls(3);
        SnsClient sns = com.omc.flywheel.shared.AwsClients.build(SnsClient.builder());
        sns.createTopic(b -> b.name("omc-flywheel-" + ENV + "-db-refresh-notifications"));
        sns.createTopic(b -> b.name("omc-flywheel-" + ENV + "-data-monitor-alerts"));
        CleanRoomsStandIn cr = cloud.cleanRooms();
        cr.collaboration("AMC Flywheel", List.of(
                new CleanRoomsStandIn.Member("111111111111", "AMC Service", List.of("CAN_QUERY")),
                new CleanRoomsStandIn.Member("222222222222", "AMC Results Receiver", List.of("CAN_RECEIVE_RESULTS"))),
                REPORTS, MEMBERSHIP);
        try {
            cr.idNamespace("ACXIdNamespace", (ObjectNode) JSON.readTree(
                    "{\"type\":\"SOURCE\",\"description\":\"ACX unique "
                    + "customer "
                            + "identifiers\",\"inputSourceConfig\":[{\"inputSourceARN\":\"arn:aws:glue:us-east-1:123456789012:"
                    + "table/" + DB + "/part_addressable_ids_er\",\"schemaName\":\"ACX_SCHEMA\"}],"
                    + "\"idMappingWorkflowProperties\":[{\"idMappingType\":\"RULE_BASED\"}]}"));
            cr.schemaMapping("ACX_SCHEMA", (ArrayNode) JSON.readTree(
                    "[{\"fieldName\":\"row_id\",\"type\":\"UNIQUE_ID\"},"
                    + "{\"fieldName\":\"customer_user_id\",\"type\":\"STRING\",\"matchKey\":\"AXM\",\"hashed\":false}]"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Object> made = new LinkedHashMap<>();
        made.put("tables", tables.size());
        lakeTables = tables.size();
        made.put("bucketsPerTable", n);
        made.put("partitionsUnregistered", unregistered);
        made.put("staleTable", tables.containsKey(STALE_TABLE) ? STALE_TABLE : "none");
        made.put("duplicateKeys", tables.containsKey(DUPLICATE_TABLE) ? DUPLICATE_TABLE : "none");
        made.put("rawSnapshot", snapshot);
        String sampleKey = "omc_cleanroom_data/split_part/infobase_attributes/" + tables.keySet().stream()
                .filter(k -> !k.equals(STALE_TABLE) && !k.equals("part_addressable_ids")).findFirst()
                        .orElse("part_ibe_01")
                .substring("part_".length()).toUpperCase() + "/id_bucket=0/part-00000.snappy.parquet";
        byte[] sample = s3.getObjectAsBytes(b -> b.bucket(DATA).key(sampleKey)).asByteArray();
        boolean isParquet = sample.length > 8 && new String(sample, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)
                .equals("PAR1")
                && new String(sample, sample.length - 4, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("PAR1");
        made.put("dataFiles", isParquet ? "Parquet files (e.g. " + sample.length
                + " bytes, PAR1 magic checked)" : "NOT Parquet");
        return made;
    }

    /**
     * The data monitor's row counts of one month, per table in name order: (rows, NULL keys, duplicate
     * rows), then the source's rows; each month 100 rows more (moto hands them out first in, first out).
     */
    private List<List<String>> monitorResults(int month) {
        List<List<String>> results = new ArrayList<>();
        for (String name : monitoredTables) {
            boolean dupes = name.equals(DUPLICATE_TABLE);
            String rows = Integer.toString((dupes ? 10012 : 10000) + 100 * (month - 1));
            results.add(List.of(rows, "0", dupes ? "24" : "0"));
            results.add(List.of(rows));
        }
        return results;
    }

    /**
     * Breaks the step --fail-step names until {@link #broken} is cleared: a Glue job's runs answer
     * FAILED (those started while broken stay FAILED afterwards, as on Glue), or a call the step
     * makes is answered AccessDenied, which no Retry retries.
     */
    private void breakStep(LocalCloud cloud) {
        if (options.failStep() == null) {
            return;
        }
        String target = FAILABLE.get(options.failStep());
        say("--fail-step " + options.failStep() + ": " + target + " will fail");
        String why = "local-run --fail-step " + options.failStep() + ": failed on purpose";
        switch (options.failStep()) {
            case "AssociateTables" -> cloud.cleanRooms().failCall(target, 1, 403, "AccessDeniedException");
            case "ResolveNewestSnapshot" -> cloud.proxy().addRule(call -> broken.get()
                    && call.key().equals("s3:ListObjectsV2")
                    && call.query() != null && call.query().contains("raw_input")
                    ? java.util.Optional.of(AwsProxy.Reply.s3Error(403, "AccessDenied", why))
                            : java.util.Optional.empty());
            case "RepairPartitions" -> cloud.proxy().addRule(call -> broken.get() && call.key().equals("glue:GetTables")
                    ? java.util.Optional.of(AwsProxy.Reply.awsError(400, "AccessDeniedException", why))
                            : java.util.Optional.empty());
            case "BuildErTable" -> cloud.proxy().addRuleFirst(call -> broken.get()
                    && call.key().equals("athena:StartQueryExecution")
                    && call.json().path("QueryString").asText().startsWith("CREATE TABLE")
                    ? java.util.Optional.of(AwsProxy.Reply.awsError(400, "AccessDeniedException", why))
                            : java.util.Optional.empty());
            case "Reports" -> cloud.proxy().addRule(call -> broken.get() && call.key().equals("s3:PutObject")
                    && call.path().contains("/data-monitor/")
                    ? java.util.Optional.of(AwsProxy.Reply.s3Error(403, "AccessDenied", why))
                            : java.util.Optional.empty());
            default -> {
                java.util.Set<String> failedRuns = java.util.concurrent.ConcurrentHashMap.newKeySet();
                cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(run -> {
                    if (!target.equals(run.path("JobName").asText())) {
                        return false;
                    }
                    if (broken.get()) {
                        failedRuns.add(run.path("Id").asText());
                    }
                    return failedRuns.contains(run.path("Id").asText());
                }, why + ": the job failed"));
            }
        }
    }

    private String input() {
        try {
            ObjectNode in = (ObjectNode) JSON.readTree(Files.readString(options.repo()
                    .resolve("events/db-refresh.json")));
            ((ObjectNode) in.get("limits")).put("repairWaitSeconds", 1);
            ((ObjectNode) in.get("reports").get("dataMonitor")).put("bucketCount", options.buckets())
                    .put("countCheckEnabled", true);
            // As the schedule's input with IdNamespaceArn set (template.yaml): the namespace made in the lake above.
            ((ObjectNode) in.get("associate")).put("idNamespaceArn",
                    "arn:aws:entityresolution:us-east-1:123456789012:idnamespace/ACXIdNamespace");
            if (options.snapshotDt() != null && options.months() == 1) {
                // With --months, each month's refresh resolves its own new snapshot.
                in.put("snapshotDt", options.snapshotDt());
            }
            return JSON.writeValueAsString(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read events/db-refresh.json", e);
        }
    }

    record Run(DescribeExecutionResponse execution, List<HistoryEvent> history, Map<String, Duration> stepTimes,
               List<String> topLevelStates) {
    }

    /** The names of a definition's top-level states, in order. */
    static List<String> topLevelStates(String definition) {
        try {
            List<String> names = new ArrayList<>();
            JSON.readTree(definition).path("States").fieldNames().forEachRemaining(names::add);
            return names;
        } catch (IOException e) {
            throw new IllegalStateException("the definition is not JSON", e);
        }
    }

    /** db-refresh as SAM deploys it, and its monthly schedule (what bin/flywheel refresh start reads). */
    private String createStateMachine(String input) {
        SfnClient sfn = com.omc.flywheel.shared.AwsClients.build(SfnClient.builder());
        String definition;
        try {
            definition = Files.readString(options.repo().resolve("statemachine/db-refresh.asl.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String fn : options.handlers().keySet()) {
            String logical = java.util.Arrays.stream(fn.split("-"))
                    .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
                    .reduce("", String::concat) + "Function";
            definition = definition.replace("${" + logical + "Arn}",
                    "arn:aws:lambda:us-east-1:123456789012:function:omc-flywheel-"
                    + ENV + "-" + fn + ":live");
        }
        // Speed only, never logic: retry intervals of 1 s (the jobs here take seconds, not hours).
        definition = definition.replaceAll("\"IntervalSeconds\": [0-9]+", "\"IntervalSeconds\": 1");
        String def = definition;
        topLevelStates = topLevelStates(def);
        String arn = sfn.createStateMachine(b -> b.name("omc-flywheel-" + ENV + "-db-refresh").definition(def)
                .roleArn("arn:aws:iam::123456789012:role/omc-flywheel-dev-db-refresh")).stateMachineArn();
        try (software.amazon.awssdk.services.scheduler.SchedulerClient scheduler =
                     com.omc.flywheel.shared.AwsClients.build(
                             software.amazon.awssdk.services.scheduler.SchedulerClient.builder())) {
            scheduler.createSchedule(b -> b.name("omc-flywheel-" + ENV + "-db-refresh-monthly")
                    .scheduleExpression("cron(0 2 1 * ? *)")
                    .state("DISABLED").flexibleTimeWindow(w -> w.mode("OFF"))
                    .target(t -> t.arn(arn).roleArn("arn:aws:iam::123456789012:role/omc-flywheel-dev-scheduler")
                            .input(input)));
        }
        return arn;
    }

    private Run execute(LocalCloud cloud, String stateMachine, String input) {
        SfnClient sfn = com.omc.flywheel.shared.AwsClients.build(SfnClient.builder());
        String execution = sfn.startExecution(b -> b.stateMachineArn(stateMachine)
                .name("local-run-" + System.currentTimeMillis())
                .input(input)).executionArn();
        say("db-refresh started: " + execution);
        ExecutionFollower.Followed f = ExecutionFollower.follow(sfn, execution, this::say, Duration.ofMillis(300),
                Duration.ofMinutes(15).minus(Duration.between(started, Instant.now())));
        DescribeExecutionResponse d = f.execution();
        List<HistoryEvent> history = f.history();
        Map<String, Duration> times = f.stepTimes();
        // EventBridge's part on AWS: an unsuccessful end goes to notify-failure, which publishes the notification.
        ExecutionEvents.deliver(cloud, d).ifPresent(delivery -> say(delivery.ok()
                ? "execution " + delivery.event().length() + "-byte status change event -> " + delivery.function()
                        + ": "
                        + delivery.response()
                : "!! " + delivery.function() + " failed: " + delivery.response()));
        return new Run(d, List.copyOf(history), times, topLevelStates);
    }

    /**
     * The operator's part: the cause is fixed (the injected failure removed), then {@code bin/flywheel
     * refresh resume EXECUTION --endpoint <local endpoint> --follow}, in this process. Returns the
     * executions that resumed the work (a redrive continues the same one; here moto has no redrive,
     * so a new execution that skips what finished).
     */
    private List<Run> resume(LocalCloud cloud, String stateMachine, Run failed) {
        broken.set(false);
        String arn = failed.execution().executionArn();
        say("the cause is fixed (--fail-step's failure removed); resuming as an operator would:");
        say("$ bin/flywheel refresh resume " + arn + " --endpoint " + cloud.endpoint() + " --follow");
        int code = com.omc.flywheel.ops.RefreshCommand.run(new String[] {"resume", arn, "--endpoint", cloud.endpoint(),
                "--follow"}, out, out);
        say("refresh resume exited " + code);
        SfnClient sfn = com.omc.flywheel.shared.AwsClients.build(SfnClient.builder());
        List<Run> resumed = new ArrayList<>();
        List<software.amazon.awssdk.services.sfn.model.ExecutionListItem> all =
                new ArrayList<>(sfn.listExecutionsPaginator(
                b -> b.stateMachineArn(stateMachine)).executions().stream().toList());
        all.sort(java.util.Comparator.comparing(software.amazon.awssdk.services.sfn.model.ExecutionListItem::startDate));
        for (var e : all) {
            if (e.executionArn().equals(arn)) {
                continue;
            }
            DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(e.executionArn()));
            List<HistoryEvent> history = new ArrayList<>();
            sfn.getExecutionHistoryPaginator(b -> b.executionArn(e.executionArn())).events().forEach(history::add);
            ExecutionEvents.deliver(cloud, d).ifPresent(delivery ->
                    say(delivery.function() + ": " + delivery.response()));
            resumed.add(new Run(d, List.copyOf(history), Map.of(), topLevelStates));
        }
        if (resumed.isEmpty()) {
            say("!! no execution resumed the run");
        }
        return resumed;
    }

    private int summarise(LocalCloud cloud, List<Run> runs, List<String> monthProblems) {
        Run r = runs.get(runs.size() - 1);
        // The largest of the executions' payloads, and every execution's violations.
        StepFunctionsLimits.Report limits = runs.stream().map(x -> StepFunctionsLimits.check(x.history()))
                .reduce((a, b) -> new StepFunctionsLimits.Report(Math.max(a.events(), b.events()),
                        Math.max(a.maxPayloadBytes(), b.maxPayloadBytes()),
                        a.maxPayloadBytes() >= b.maxPayloadBytes() ? a.largestAt() : b.largestAt(),
                        java.util.stream.Stream.concat(a.violations().stream(), b.violations().stream()).toList()))
                                .orElseThrow();
        List<String> denied = cloud.iam().describeDenials();
        List<String> unmapped = cloud.iam().unmapped();
        List<JobRunRecord> jobRuns = glueJobRuns();
        List<String> repeated = repeatedJobRuns(jobRuns);
        boolean ok = r.execution().status() == ExecutionStatus.SUCCEEDED && limits.ok() && denied.isEmpty()
                && unmapped.isEmpty()
                && repeated.isEmpty() && monthProblems.isEmpty()
                        && (options.months() == 1 || runs.size() == options.months());
        out.println();
        out.println("== local-run " + (ok ? "SUCCEEDED" : r.execution().statusAsString()) + " in "
                + seconds(Duration.between(started, Instant.now())));
        for (Map.Entry<String, Duration> e : r.stepTimes().entrySet()) {
            if (List.of("SplitInputs", "RegisterTables", "RepairPartitions", "BuildErTable", "AssociateTables",
                    "Reports",
                    "ResolveNewestSnapshot", "CheckGivenSnapshot").contains(e.getKey())) {
                out.printf("   %-22s %s%n", e.getKey(), seconds(e.getValue()));
            }
        }
        JsonNode output = null;
        try {
            output = ok ? JSON.readTree(r.execution().output()) : null;
        } catch (IOException ignored) {
            // no output to read
        }
        if (output != null) {
            JsonNode results = output.path("results");
            out.println("   partitions registered  " + results.path("repair").path("summary").path("partitionsAdded")
                    .asText("?")
                    + " in " + results.path("repair").path("summary").path("tables").asText("?") + " tables");
            out.println("   Clean Rooms actions     " + results.path("associate").path("actions"));
            for (JsonNode rep : results.path("reports")) {
                if (rep.has("issues")) {
                    out.println("   data monitor alerts    " + rep.get("issues").asText());
                }
            }
        }
        Map<String, Integer> perService = new TreeMap<>();
        cloud.proxy().counts().forEach((k, v) -> perService.merge(k.substring(0, k.indexOf(':')), v, Integer::sum));
        out.println("   AWS calls per service  " + perService);
        out.println("   Lambda invocations     " + cloud.lambdas().invocations());
        for (MotoServer.SnsMessage m : cloud.moto().snsMessages()) {
            if (m.topicArn().endsWith("db-refresh-notifications")) {
                out.println();
                out.println("-- notification: " + m.subject());
                m.message().lines().forEach(l -> out.println("   " + l));
            }
        }
        List<Path> copied = copyReports();
        out.println();
        out.println("reports in " + options.out().toAbsolutePath() + ":");
        copied.forEach(p -> out.println("   " + options.out().relativize(p)));
        out.println("the functions' JSON logs: " + options.out().resolve("function-logs.jsonl").toAbsolutePath());
        out.println("largest state payload   " + limits.maxPayloadBytes() + " bytes at " + limits.largestAt() + " ("
                + limits.events() + " history events)");
        limits.violations().forEach(v -> out.println("!! Step Functions limit: " + v));
        repeated.forEach(v -> out.println("!! a finished Glue job ran again: " + v));
        denied.forEach(d -> out.println("!! IAM denied: " + d));
        unmapped.forEach(u -> out.println("!! IAM unmapped: " + u));
        Path summary = writeSummary(cloud, runs, ok, limits, jobRuns, repeated, monthProblems);
        out.println("summary: " + summary.toAbsolutePath());
        return ok ? 0 : 1;
    }

    /** {@code <out>/summary.json}: what a script or a test reads instead of the terminal. */
    private Path writeSummary(LocalCloud cloud, List<Run> runs, boolean ok, StepFunctionsLimits.Report limits,
                              List<JobRunRecord> jobRuns, List<String> repeated, List<String> monthProblems) {
        Run last = runs.get(runs.size() - 1);
        ObjectNode root = JSON.createObjectNode();
        root.put("status", ok ? "SUCCEEDED" : last.execution().statusAsString().equals("SUCCEEDED") ? "FAILED"
                : last.execution().statusAsString());
        ArrayNode executions = root.putArray("executions");
        for (Run r : runs) {
            ObjectNode exec = executions.addObject();
            exec.put("executionArn", r.execution().executionArn()).put("status", r.execution().statusAsString());
            if (r.execution().startDate() != null && r.execution().stopDate() != null) {
                exec.put("seconds", Duration.between(r.execution().startDate(), r.execution().stopDate())
                        .toMillis() / 1000.0);
            }
            String failed = failedStep(r.history(), r.topLevelStates());
            if (failed == null) {
                exec.putNull("failedStep");
            } else {
                exec.put("failedStep", failed);
            }
            JsonNode skip = skipOf(r.execution().input());
            if (skip != null) {
                exec.set("skip", skip);
            }
            JsonNode output = outputOf(r);
            if (output != null) {
                exec.put("snapshotDt", output.path("snapshot").path("snapshotDt").asText(null));
                exec.set("erTable", erResult(output));
                exec.set("cleanRoomsActions", output.path("results").path("associate").path("actions"));
                ArrayNode keys = exec.putArray("reportKeys");
                output.path("results").path("reports").forEach(rep -> rep.path("reportKeys").forEach(keys::add));
            }
        }
        root.put("months", options.months());
        // The ER table as the lake has it at the end, and every CTAS the local Athena ran for it.
        root.put("erTableCtasQueries", cloud.athenaCtas().ctasQueries().size());
        try {
            root.put("erTableLocation", com.omc.flywheel.shared.AwsClients.build(GlueClient.builder())
                    .getTable(b -> b.databaseName(DB)
                    .name("part_addressable_ids_er")).table().storageDescriptor().location());
        } catch (software.amazon.awssdk.services.glue.model.EntityNotFoundException e) {
            root.putNull("erTableLocation");
        }
        root.set("monthProblems", JSON.valueToTree(monthProblems));
        root.put("glueJobRunsStarted", jobRuns.size());
        ArrayNode runList = root.putArray("glueJobRuns");
        for (JobRunRecord j : jobRuns) {
            runList.addObject().put("jobName", j.jobName()).put("jobRunId", j.jobRunId()).put("state", j.state())
                    .set("arguments", JSON.valueToTree(j.arguments()));
        }
        root.set("finishedJobRunsRepeated", JSON.valueToTree(repeated));
        var notifications = root.putArray("notifications");
        for (MotoServer.SnsMessage m : cloud.moto().snsMessages()) {
            notifications.addObject().put("topicArn", m.topicArn()).put("subject", m.subject())
                    .put("message", m.message());
        }
        Map<String, Integer> perService = new TreeMap<>();
        cloud.proxy().counts().forEach((k, v) -> perService.merge(k.substring(0, k.indexOf(':')), v, Integer::sum));
        root.set("awsCalls", JSON.valueToTree(perService));
        root.put("accessDenied", cloud.iam().denials().size());
        root.set("accessDeniedCalls", JSON.valueToTree(cloud.iam().describeDenials()));
        root.set("iamUnmapped", JSON.valueToTree(cloud.iam().unmapped()));
        root.set("iamCheckedCalls", JSON.valueToTree(cloud.iam().checked()));
        // The pipeline's own calls (functions and state machine), without the sample lake's generation.
        root.put("pipelineAwsCalls", cloud.iam().checked().entrySet().stream()
                .filter(e -> !e.getKey().equals("operator"))
                .mapToInt(Map.Entry::getValue).sum());
        root.put("maxStatePayloadBytes", limits.maxPayloadBytes());
        root.put("maxStatePayloadAt", limits.largestAt());
        root.put("historyEvents", limits.events());
        root.set("stepFunctionsLimitViolations", JSON.valueToTree(limits.violations()));
        root.set("lambdaInvocations", JSON.valueToTree(cloud.lambdas().invocations()));
        root.put("tables", lakeTables);
        root.put("elapsedSeconds", Duration.between(started, Instant.now()).toMillis() / 1000.0);
        Path file = options.out().resolve("summary.json");
        try {
            Files.createDirectories(options.out());
            Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
        return file;
    }

    /**
     * The step an execution failed in: the last top-level state entered (top-level states run one
     * after the other, and a failed step is the state that fails the execution), or null when the
     * execution did not fail.
     */
    static String failedStep(List<HistoryEvent> history, List<String> topLevelStates) {
        String last = null;
        boolean failed = false;
        for (HistoryEvent e : history) {
            if (e.stateEnteredEventDetails() != null && topLevelStates.contains(e.stateEnteredEventDetails().name())) {
                last = e.stateEnteredEventDetails().name();
            }
            failed |= e.typeAsString().equals("ExecutionFailed") || e.typeAsString().equals("ExecutionTimedOut")
                    || e.typeAsString().equals("ExecutionAborted");
        }
        return failed ? last : null;
    }

    /** One Glue job run as Glue answers GetJobRuns (through the local endpoint). */
    record JobRunRecord(String jobName, String jobRunId, String state, Map<String, String> arguments) {
    }

    /** Glue job runs that exist (were actually created), over every job of the lake, oldest first per job. */
    private static List<JobRunRecord> glueJobRuns() {
        GlueClient glue = com.omc.flywheel.shared.AwsClients.build(GlueClient.builder());
        List<JobRunRecord> runs = new ArrayList<>();
        for (String job : glue.getJobsPaginator(b -> { }).jobs().stream().map(j -> j.name()).sorted().toList()) {
            glue.getJobRunsPaginator(b -> b.jobName(job)).jobRuns().stream()
                    .sorted(java.util.Comparator.comparing(software.amazon.awssdk.services.glue.model.JobRun::startedOn))
                    .forEach(r -> runs.add(new JobRunRecord(job, r.id(), r.jobRunStateAsString(),
                            new TreeMap<>(r.arguments()))));
        }
        return runs;
    }

    /** Each job with the same arguments that SUCCEEDED more than once: a finished hour-long job done again. */
    static List<String> repeatedJobRuns(List<JobRunRecord> runs) {
        Map<String, List<String>> succeeded = new TreeMap<>();
        for (JobRunRecord r : runs) {
            if (r.state().equals("SUCCEEDED")) {
                succeeded.computeIfAbsent(r.jobName() + " " + r.arguments(), k -> new ArrayList<>()).add(r.jobRunId());
            }
        }
        List<String> repeated = new ArrayList<>();
        succeeded.forEach((k, ids) -> {
            if (ids.size() > 1) {
                repeated.add(k + ": " + ids);
            }
        });
        return repeated;
    }

    /** The {@code skip} an execution's input holds, or null. */
    private static JsonNode skipOf(String input) {
        try {
            return input == null ? null : JSON.readTree(input).get("skip");
        } catch (IOException e) {
            return null;
        }
    }

    private List<Path> copyReports() {
        return copyReports(options.out());
    }

    /**
     * The next month's raw snapshot, landed as the loader and the split jobs would leave it (the local
     * Glue jobs run, but write nothing): its {@code _SUCCESS} markers under both raw input prefixes,
     * the split outputs' {@code metadata/snapshot_dt.txt}, the addressable ids' files with one more
     * row per folder, and the data monitor's row counts for the new snapshot. Returns the snapshot.
     */
    private String newMonth(LocalCloud cloud, int month) {
        String snapshot = snapshotOf(month);
        S3Client s3 = com.omc.flywheel.shared.AwsClients.build(S3Client.builder());
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + snapshot + "/_SUCCESS"),
                    RequestBody.fromString(""));
            s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/" + source
                    + "/metadata/snapshot_dt.txt"),
                    RequestBody.fromString(snapshot));
        }
        if (addressableColumns > 0) {
            List<String> columns = LakeBuilder.columns("part_addressable_ids", addressableColumns).stream()
                    .map(software.amazon.awssdk.services.glue.model.Column::name).toList();
            for (int n = 0; n < options.buckets(); n++) {
                int bucket = n;
                s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/addressable_ids/ADDRESSABLE_IDS/id_bucket="
                        + bucket + "/part-00000.snappy.parquet"),
                                RequestBody.fromBytes(SampleParquet.file(columns, bucket,
                        4 + month - 1, false)));
            }
        }
        cloud.moto().athenaResults(monitorResults(month));
        return snapshot;
    }

    /** What month {@code month} (from 1) reads: --snapshot-dt (or yesterday) is the last month's, each earlier one a
    * month before. */
    private String snapshotOf(int month) {
        java.time.LocalDate last = options.snapshotDt() != null ? java.time.LocalDate.parse(options.snapshotDt())
                : java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1);
        return last.minusMonths(options.months() - month).toString();
    }

    /**
     * A later month against the one before: its own snapshot, the ER table refreshed again (re-pointed
     * from last month's folder to a new one), no Clean Rooms change to make, and reports of the new snapshot.
     */
    private List<String> checkMonth(Run before, Run now, int month) {
        List<String> problems = new ArrayList<>();
        JsonNode prev = outputOf(before);
        JsonNode out = outputOf(now);
        if (out == null || prev == null) {
            problems.add("month " + month + ": the refresh did not succeed (" + now.execution().statusAsString() + ")");
            return problems;
        }
        String snapshot = out.path("snapshot").path("snapshotDt").asText();
        if (!snapshot.equals(snapshotOf(month))) {
            problems.add("month " + month + " read snapshot " + snapshot + ", not the new " + snapshotOf(month));
        }
        JsonNode er = erResult(out);
        JsonNode erBefore = erResult(prev);
        if (!er.path("action").asText().equals("REFRESHED") || er.path("location").asText()
                .equals(erBefore.path("location").asText())
                || !er.path("previousLocation").asText().equals(erBefore.path("location").asText())
                        || er.path("rows").asLong() <= 0) {
            problems.add("month " + month + ": the ER table was not refreshed into a new folder after last month's: "
                    + er);
        }
        JsonNode actions = out.path("results").path("associate").path("actions");
        if (!actions.isObject() || actions.size() > 0) {
            problems.add("month " + month + ": associate-tables planned changes on an unchanged lake: " + actions);
        }
        try {
            S3Client s3 = com.omc.flywheel.shared.AwsClients.build(S3Client.builder());
            for (JsonNode rep : out.path("results").path("reports")) {
                for (JsonNode key : rep.path("reportKeys")) {
                    if (key.asText().endsWith(".json") && key.asText().startsWith("data-monitor/")) {
                        String body = s3.getObjectAsBytes(b -> b.bucket(REPORTS).key(key.asText())).asUtf8String();
                        if (!body.contains(snapshot)) {
                            problems.add("month " + month + ": " + key.asText() + " does not name snapshot "
                                    + snapshot);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            problems.add("month " + month + ": cannot read its reports: " + e);
        }
        return problems;
    }

    private static JsonNode outputOf(Run r) {
        try {
            return r.execution().status() == ExecutionStatus.SUCCEEDED && r.execution().output() != null
                    ? JSON.readTree(r.execution().output()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** refresh-er-table's answer in an execution's output ({@code results.er[0].result}). */
    private static JsonNode erResult(JsonNode output) {
        JsonNode er = output.path("results").path("er");
        return er.isArray() && er.size() > 0 ? er.get(0).path("result") : er;
    }

    private List<Path> copyReports(Path into) {
        S3Client s3 = com.omc.flywheel.shared.AwsClients.build(S3Client.builder());
        List<Path> copied = new ArrayList<>();
        try {
            Files.createDirectories(into);
            for (String prefix : List.of("data-monitor/", "cleanrooms-reports/")) {
                for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(REPORTS).prefix(prefix)).contents()) {
                    Path target = into.resolve(o.key());
                    Files.createDirectories(target.getParent());
                    Files.write(target, s3.getObjectAsBytes(b -> b.bucket(REPORTS).key(o.key())).asByteArray());
                    copied.add(target);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the reports under " + options.out(), e);
        }
        return copied;
    }

    private void say(String line) {
        out.printf("[%6s] %s%n", seconds(Duration.between(started, Instant.now())), line);
        out.flush();
    }

    private static String seconds(Duration d) {
        return ExecutionFollower.seconds(d);
    }
}
