package com.omc.flywheel.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Options options;
    private final PrintStream out;
    private final Instant started = Instant.now();
    private int lakeTables;

    /** The command line. */
    record Options(Path repo, Path out, String snapshotDt, int tables, int buckets, String failStep, boolean keepRunning,
                   Map<String, String> handlers) {
        static Options parse(String[] args) {
            Path repo = null;
            Path out = Path.of("out/local-run");
            String snapshot = null;
            int tables = 0;
            int buckets = 8;
            String fail = null;
            boolean keep = false;
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
            return new Options(repo, out, snapshot, tables, buckets, fail, keep, handlers);
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

    /** The steps --fail-step can break, and the Glue job (or call) made to fail. */
    static final Map<String, String> FAILABLE = Map.of(
            "SplitInputs", "etl-omc-flywheel-dev-infobase-split-and-part",
            "RegisterTables", "etl-omc-flywheel-dev-register-part-tables",
            "BuildErTable", "etl-omc-flywheel-dev-create-part-addressable-ids-er-table",
            "AssociateTables", "CreateConfiguredTableAssociation");

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
            Run r = execute(cloud, input);
            int code = summarise(cloud, r);
            if (options.keepRunning()) {
                say("--keep-running: the emulators stay up. Try: aws --endpoint-url " + cloud.endpoint()
                        + " glue get-tables --database-name " + DB + "   (AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local"
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
        for (String s : List.of("POLL_MIN_SECONDS", "POLL_MAX_SECONDS", "POLL_NEAR_END_SECONDS", "ATHENA_POLL_MIN_SECONDS",
                "ATHENA_POLL_MAX_SECONDS", "GLUE_EMPTY_RETRY_MILLIS")) {
            System.setProperty(s, "1");
        }
        System.setProperty("ATHENA_POLL_MILLIS", "50");
        // moto answers injected Athena results in call order: one table and one query at a time.
        System.setProperty("REPORT_TABLE_CONCURRENCY", "1");
        System.setProperty("ATHENA_CONCURRENCY", "1");
        System.setProperty("ATHENA_RESULTS", "s3://" + REPORTS + "/query-results/monitor/");
        System.setProperty("ACCOUNT_DESCRIPTIONS", "111111111111=AMC Service,222222222222=Query Submitter/AMC Results Receiver,"
                + "333333333333=Advertiser");
        System.setProperty("FLYWHEEL_ENV", ENV);
        System.setProperty("CONTINUATION_BUCKET", "omc-flywheel-dev-analysis-data");
        // The functions' JSON logs would drown the progress lines; they are not what a user watches here.
        com.omc.flywheel.shared.JsonLog.redirect(new PrintStream(java.io.OutputStream.nullOutputStream()));
    }

    /**
     * Every function from its deployment package, each in a class loader of its own (as Lambda runs
     * them); their JSON logs go to {@code <out>/function-logs.jsonl}, not to the terminal.
     */
    private void register(LocalCloud cloud) {
        if (options.handlers().isEmpty()) {
            throw new IllegalStateException("no --function NAME=HandlerClass given (bin/flywheel passes them from template.yaml)");
        }
        try {
            Files.createDirectories(options.out());
            FunctionPackages.redirectLogs(new PrintStream(Files.newOutputStream(options.out().resolve("function-logs.jsonl")),
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
        // Yesterday's snapshot by default, so the data monitor finds the lake fresh but for the stale table.
        String snapshot = options.snapshotDt() != null ? options.snapshotDt()
                : java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString();
        String stale = java.time.LocalDate.parse(snapshot).minusDays(120).toString();
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            for (String day : List.of(stale, snapshot)) {
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day + "/_SUCCESS"),
                        RequestBody.fromString(""));
            }
            s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/" + source + "/metadata/snapshot_dt.txt"),
                    RequestBody.fromString(snapshot));
        }
        s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/legacy_attributes/metadata/snapshot_dt.txt"),
                RequestBody.fromString(stale));
        Map<String, Integer> tables = new TreeMap<>(LakeBuilder.PRODUCTION_TABLES);
        if (options.tables() > 0) {
            Map<String, Integer> some = new TreeMap<>();
            for (Map.Entry<String, Integer> e : tables.entrySet()) {
                if (some.size() < options.tables() || e.getKey().equals(STALE_TABLE) || e.getKey().equals(DUPLICATE_TABLE)) {
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
            LakeBuilder.Registration how = t % 3 == 0 ? LakeBuilder.Registration.KEY_AS_COLUMN : LakeBuilder.Registration.PARTITIONED;
            if (how == LakeBuilder.Registration.KEY_AS_COLUMN) {
                unregistered += registered.size();
                registered = List.of();
            }
            lake.table(new LakeBuilder.Table(DB, name, root + name.substring("part_".length()).toUpperCase() + "/", e.getValue(),
                    how, LakeBuilder.buckets(n), registered, Map.of()));
            lake.table(new LakeBuilder.Table(DB, "ext_" + name.substring("part_".length()), "s3://" + DATA + "/split_cluster/"
                    + name + "/", 2, LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
            t++;
        }
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids_er", ROOT.replace("split_part/", "identity/acx_ids_cur/"),
                2, LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        // Row counts for the data monitor, per table in name order: (rows, NULL keys, duplicate rows), source rows.
        List<List<String>> results = new ArrayList<>();
        for (String name : tables.keySet()) {
            boolean dupes = name.equals(DUPLICATE_TABLE);
            results.add(List.of(dupes ? "10012" : "10000", "0", dupes ? "24" : "0"));
            results.add(List.of(dupes ? "10012" : "10000"));
        }
        cloud.moto().athenaResults(results);
        for (String job : List.of("addressable-split-and-part", "infobase-split-and-part", "register-part-tables",
                "create-part-addressable-ids-er-table")) {
            glue.createJob(b -> b.name("etl-omc-flywheel-" + ENV + "-" + job).role("arn:aws:iam::123456789012:role/glue")
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
            cr.idNamespace("ACXIdNamespace", (ObjectNode) JSON.readTree("{\"type\":\"SOURCE\",\"description\":\"ACX unique "
                    + "customer identifiers\",\"inputSourceConfig\":[{\"inputSourceARN\":\"arn:aws:glue:us-east-1:123456789012:"
                    + "table/" + DB + "/part_addressable_ids_er\",\"schemaName\":\"ACX_SCHEMA\"}],"
                    + "\"idMappingWorkflowProperties\":[{\"idMappingType\":\"RULE_BASED\"}]}"));
            cr.schemaMapping("ACX_SCHEMA", (ArrayNode) JSON.readTree("[{\"fieldName\":\"row_id\",\"type\":\"UNIQUE_ID\"},"
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
                .filter(k -> !k.equals(STALE_TABLE) && !k.equals("part_addressable_ids")).findFirst().orElse("part_ibe_01")
                .substring("part_".length()).toUpperCase() + "/id_bucket=0/part-00000.snappy.parquet";
        byte[] sample = s3.getObjectAsBytes(b -> b.bucket(DATA).key(sampleKey)).asByteArray();
        boolean isParquet = sample.length > 8 && new String(sample, 0, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("PAR1")
                && new String(sample, sample.length - 4, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("PAR1");
        made.put("dataFiles", isParquet ? "Parquet files (e.g. " + sample.length + " bytes, PAR1 magic checked)" : "NOT Parquet");
        return made;
    }

    private void breakStep(LocalCloud cloud) {
        if (options.failStep() == null) {
            return;
        }
        String target = FAILABLE.get(options.failStep());
        say("--fail-step " + options.failStep() + ": " + target + " will fail");
        if (options.failStep().equals("AssociateTables")) {
            cloud.cleanRooms().failCall(target, 1, 403, "AccessDeniedException");
        } else {
            cloud.proxy().addRewrite(AwsProxy.failGlueJob(target, "local-run --fail-step " + options.failStep()
                    + ": the job failed on purpose"));
        }
    }

    private String input() {
        try {
            ObjectNode in = (ObjectNode) JSON.readTree(Files.readString(options.repo().resolve("events/db-refresh.json")));
            ((ObjectNode) in.get("limits")).put("repairWaitSeconds", 1);
            ((ObjectNode) in.get("reports").get("dataMonitor")).put("bucketCount", options.buckets())
                    .put("countCheckEnabled", true);
            if (options.snapshotDt() != null) {
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

    private Run execute(LocalCloud cloud, String input) {
        SfnClient sfn = com.omc.flywheel.shared.AwsClients.build(SfnClient.builder());
        String definition;
        try {
            definition = Files.readString(options.repo().resolve("statemachine/db-refresh.asl.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String fn : options.handlers().keySet()) {
            String logical = java.util.Arrays.stream(fn.split("-")).map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
                    .reduce("", String::concat) + "Function";
            definition = definition.replace("${" + logical + "Arn}", "arn:aws:lambda:us-east-1:123456789012:function:omc-flywheel-"
                    + ENV + "-" + fn + ":live");
        }
        // Speed only, never logic: retry intervals of 1 s (the jobs here take seconds, not hours).
        definition = definition.replaceAll("\"IntervalSeconds\": [0-9]+", "\"IntervalSeconds\": 1");
        String def = definition;
        String arn = sfn.createStateMachine(b -> b.name("omc-flywheel-" + ENV + "-db-refresh").definition(def)
                .roleArn("arn:aws:iam::123456789012:role/omc-flywheel-dev-db-refresh")).stateMachineArn();
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn).name("local-run-" + System.currentTimeMillis())
                .input(input)).executionArn();
        say("db-refresh started: " + execution);
        Map<String, Instant> entered = new HashMap<>();
        Map<String, Duration> times = new LinkedHashMap<>();
        Map<String, Integer> polls = new HashMap<>();
        int seen = 0;
        DescribeExecutionResponse d;
        List<HistoryEvent> history = new ArrayList<>();
        do {
            sleep(300);
            d = sfn.describeExecution(b -> b.executionArn(execution));
            history.clear();
            sfn.getExecutionHistoryPaginator(b -> b.executionArn(execution)).events().forEach(history::add);
            for (; seen < history.size(); seen++) {
                HistoryEvent e = history.get(seen);
                String type = e.typeAsString();
                if (type.endsWith("StateEntered")) {
                    String name = e.stateEnteredEventDetails().name();
                    entered.put(name, e.timestamp());
                    if (name.startsWith("Check")) {
                        polls.merge(name.substring("Check".length()), 1, Integer::sum);
                    } else if (name.startsWith("Start") && polls.containsKey(name.substring("Start".length()))) {
                        say("  retry: " + name.substring("Start".length()) + " starts its job again");
                    } else if (!name.endsWith("?") && !name.startsWith("WaitFor") && !name.startsWith("Record")) {
                        say("> " + name);
                    }
                } else if (type.endsWith("StateExited")) {
                    String name = e.stateExitedEventDetails().name();
                    Instant from = entered.get(name);
                    if (from != null && !name.endsWith("?") && !name.startsWith("Check") && !name.startsWith("WaitFor")
                            && !name.startsWith("Start") && !name.startsWith("Record")) {
                        Duration took = Duration.between(from, e.timestamp());
                        times.put(name, took);
                        Integer p = polls.get(name);
                        say("< " + name + " " + seconds(took) + (p == null ? "" : " (" + p + " polls)"));
                    }
                } else if (type.equals("TaskFailed") || type.equals("ExecutionFailed")) {
                    say("! " + type + (e.taskFailedEventDetails() != null ? ": " + e.taskFailedEventDetails().error() : ""));
                }
            }
        } while (d.status() == ExecutionStatus.RUNNING && Duration.between(started, Instant.now()).toMinutes() < 15);
        // EventBridge's part on AWS: an unsuccessful end goes to notify-failure, which publishes the notification.
        ExecutionEvents.deliver(cloud, d).ifPresent(delivery -> say(delivery.ok()
                ? "execution " + delivery.event().length() + "-byte status change event -> " + delivery.function() + ": "
                        + delivery.response()
                : "!! " + delivery.function() + " failed: " + delivery.response()));
        return new Run(d, List.copyOf(history), times, topLevelStates(def));
    }

    private int summarise(LocalCloud cloud, Run r) {
        StepFunctionsLimits.Report limits = StepFunctionsLimits.check(r.history());
        List<String> denied = cloud.iam().describeDenials();
        List<String> unmapped = cloud.iam().unmapped();
        boolean ok = r.execution().status() == ExecutionStatus.SUCCEEDED && limits.ok() && denied.isEmpty() && unmapped.isEmpty();
        out.println();
        out.println("== local-run " + (ok ? "SUCCEEDED" : r.execution().statusAsString()) + " in "
                + seconds(Duration.between(started, Instant.now())));
        for (Map.Entry<String, Duration> e : r.stepTimes().entrySet()) {
            if (List.of("SplitInputs", "RegisterTables", "RepairPartitions", "BuildErTable", "AssociateTables", "Reports",
                    "ResolveNewestSnapshot", "CheckGivenSnapshot", "NotifySuccess").contains(e.getKey())) {
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
            out.println("   partitions registered  " + results.path("repair").path("summary").path("partitionsAdded").asText("?")
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
        denied.forEach(d -> out.println("!! IAM denied: " + d));
        unmapped.forEach(u -> out.println("!! IAM unmapped: " + u));
        Path summary = writeSummary(cloud, r, ok, limits);
        out.println("summary: " + summary.toAbsolutePath());
        return ok ? 0 : 1;
    }

    /** {@code <out>/summary.json}: what a script or a test reads instead of the terminal. */
    private Path writeSummary(LocalCloud cloud, Run r, boolean ok, StepFunctionsLimits.Report limits) {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", ok ? "SUCCEEDED" : r.execution().statusAsString().equals("SUCCEEDED") ? "FAILED"
                : r.execution().statusAsString());
        ObjectNode exec = root.putArray("executions").addObject();
        exec.put("executionArn", r.execution().executionArn()).put("status", r.execution().statusAsString());
        if (r.execution().startDate() != null && r.execution().stopDate() != null) {
            exec.put("seconds", Duration.between(r.execution().startDate(), r.execution().stopDate()).toMillis() / 1000.0);
        }
        String failed = failedStep(r.history(), r.topLevelStates());
        if (failed == null) {
            exec.putNull("failedStep");
        } else {
            exec.put("failedStep", failed);
        }
        root.put("glueJobRunsStarted", glueJobRuns());
        var notifications = root.putArray("notifications");
        for (MotoServer.SnsMessage m : cloud.moto().snsMessages()) {
            notifications.addObject().put("topicArn", m.topicArn()).put("subject", m.subject()).put("message", m.message());
        }
        Map<String, Integer> perService = new TreeMap<>();
        cloud.proxy().counts().forEach((k, v) -> perService.merge(k.substring(0, k.indexOf(':')), v, Integer::sum));
        root.set("awsCalls", JSON.valueToTree(perService));
        root.put("accessDenied", cloud.iam().denials().size());
        root.set("accessDeniedCalls", JSON.valueToTree(cloud.iam().describeDenials()));
        root.set("iamUnmapped", JSON.valueToTree(cloud.iam().unmapped()));
        root.set("iamCheckedCalls", JSON.valueToTree(cloud.iam().checked()));
        // The pipeline's own calls (functions and state machine), without the sample lake's generation.
        root.put("pipelineAwsCalls", cloud.iam().checked().entrySet().stream().filter(e -> !e.getKey().equals("operator"))
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

    /** Glue job runs that exist (were actually created), over every job of the lake. */
    private static int glueJobRuns() {
        GlueClient glue = com.omc.flywheel.shared.AwsClients.build(GlueClient.builder());
        int runs = 0;
        for (String job : glue.getJobsPaginator(b -> { }).jobs().stream().map(j -> j.name()).toList()) {
            runs += (int) glue.getJobRunsPaginator(b -> b.jobName(job)).jobRuns().stream().count();
        }
        return runs;
    }

    private List<Path> copyReports() {
        S3Client s3 = com.omc.flywheel.shared.AwsClients.build(S3Client.builder());
        List<Path> copied = new ArrayList<>();
        try {
            Files.createDirectories(options.out());
            for (String prefix : List.of("data-monitor/", "cleanrooms-reports/")) {
                for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(REPORTS).prefix(prefix)).contents()) {
                    Path target = options.out().resolve(o.key());
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
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }


}
