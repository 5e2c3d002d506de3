package com.omc.flywheel.bench;

import com.omc.flywheel.local.LakeBuilder;
import com.omc.flywheel.local.MotoServer;
import com.omc.flywheel.local.SampleEvents;
import com.omc.flywheel.local.TopicRegistry;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.shared.AwsClients;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Cold invoke per function: a fresh JVM (Lambda's flags: tiered compilation stopped at level 1)
 * running the packaged handler once on its sample event against moto, from process start to result,
 * median of several runs; next to a bare JVM ({@code java -version}) and to the same first AWS call
 * written the common way ({@link DefaultClientBaseline}: SDK defaults, Apache client, default
 * chains). Also init vs first invoke, classes loaded, and the deployment artifact next to the same
 * function with the SDK's default HTTP clients added.
 *
 * <p>Usage: {@code bench/run cold-invoke [RUNS]} (default 5)
 */
public final class ColdInvokeBench {
    private static final Pattern TIMINGS = Pattern.compile("FLYWHEEL_TIMINGS initMs=([0-9]+) invokeMs=([0-9]+)");
    private static final String JOB = "etl-omc-flywheel-dev-addressable-split-and-part";

    record Target(String function, String handler, String event, String baseline, String baselineTarget) {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = SampleEvents.repoRoot();
        MotoServer moto = MotoServer.shared();
        CleanRoomsStandIn standIn = CleanRoomsStandIn.start(AwsClients.build(GlueClient.builder()));
        standIn.collaboration("AMC", List.of(new CleanRoomsStandIn.Member("111111111111", "AMC Service", List.of("CAN_QUERY"))),
                null, "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b");
        Path events = Files.createTempDirectory("cold-invoke");
        List<Target> targets = world(root, events);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String benchCp = System.getProperty("java.class.path");
        List<Map<String, Object>> rows = new ArrayList<>();
        long bare = median(runs, () -> time(List.of(java, "-version"), Map.of()).millis);
        System.out.printf("%-20s %8s %9s %9s %8s %8s %9s %9s %11s %11s%n", "function (median ms)", "bare JVM",
                "baseline", "ours", "faster", "init", "invoke", "classes", "zip bytes", "x smaller");
        for (Target t : targets) {
            String cp = root.resolve("functions/" + t.function() + "/target/" + t.function() + "-lambda/lib") + File.separator
                    + "*" + File.pathSeparator + root.resolve("local/target/flywheel-local.jar");
            Map<String, String> env = new LinkedHashMap<>();
            env.put("AWS_ENDPOINT_URL", moto.endpoint());
            env.put("AWS_ENDPOINT_URL_CLEANROOMS", standIn.endpoint());
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "bench");
            env.put("AWS_SECRET_ACCESS_KEY", "bench");
            env.put("FLYWHEEL_TIMINGS", "1");
            env.put("REGISTRY_TABLE", "omc-flywheel-dev-topic-registry");
            List<String> ours = List.of(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp,
                    "com.omc.flywheel.local.LocalInvoke", t.handler(), t.event(), t.function(), "60", "512");
            // The baseline: the same handler and event, "written the common way": the SDK's default
            // HTTP clients (Apache and Netty jars on the classpath, Apache picked) and the default
            // region and credential chains (FLYWHEEL_SDK_DEFAULTS).
            String defaultCp = cp + File.pathSeparator + defaultClientClasspath(benchCp);
            List<String> baseline = List.of(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", defaultCp, "com.omc.flywheel.local.LocalInvoke", t.handler(), t.event(), t.function(), "60", "512");
            Map<String, String> baselineEnv = new LinkedHashMap<>(env);
            baselineEnv.put("FLYWHEEL_SDK_DEFAULTS", "true");
            List<Long> oursMs = new ArrayList<>();
            List<Long> baseMs = new ArrayList<>();
            List<Long> initMs = new ArrayList<>();
            List<Long> invokeMs = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                Timed o = time(ours, env);
                if (o.exit != 0) {
                    throw new IllegalStateException(t.function() + " failed: " + o.output);
                }
                oursMs.add(o.millis);
                Matcher m = TIMINGS.matcher(o.output);
                if (m.find()) {
                    initMs.add(Long.parseLong(m.group(1)));
                    invokeMs.add(Long.parseLong(m.group(2)));
                }
                Timed b = time(baseline, baselineEnv);
                if (b.exit != 0) {
                    throw new IllegalStateException("baseline of " + t.function() + " failed: " + b.output);
                }
                baseMs.add(b.millis);
            }
            long classesOurs = classes(ours, env);
            long classesBase = classes(baseline, baselineEnv);
            long oneCall = med(List.of(time(List.of(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-cp", benchCp,
                    DefaultClientBaseline.class.getName(), t.baseline(), t.baselineTarget()), env).millis));
            long zip = Files.size(root.resolve("functions/" + t.function() + "/target/" + t.function() + "-lambda.zip"));
            long defaults = zip + defaultClientJars(benchCp);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("function", t.function());
            row.put("bareJvmMs", bare);
            row.put("baselineMs", med(baseMs));
            row.put("oursMs", med(oursMs));
            row.put("baselineOverOurs", round((double) med(baseMs) / med(oursMs)));
            row.put("initMs", med(initMs));
            row.put("firstInvokeMs", med(invokeMs));
            row.put("defaultClientFirstCallOnlyMs", oneCall);
            row.put("classesLoaded", classesOurs);
            row.put("baselineClassesLoaded", classesBase);
            row.put("zipBytes", zip);
            row.put("withSdkDefaultClientsBytes", defaults);
            row.put("defaultOverOurs", round((double) defaults / zip));
            rows.add(row);
            System.out.printf("%-20s %8d %9d %9d %7.2fx %8d %9d %9d %11d %10.2fx%n", t.function(), bare, med(baseMs),
                    med(oursMs), (double) med(baseMs) / med(oursMs), med(initMs), med(invokeMs), classesOurs, zip,
                    (double) defaults / zip);
        }
        standIn.close();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "cold-invoke");
        out.put("command", "bench/run cold-invoke " + runs);
        out.put("jvm", System.getProperty("java.version"));
        out.put("results", rows);
        BenchResults.write("cold-invoke", out);
        System.exit(0);
    }

    /** Each function's sample event made to succeed against moto and the stand-in. */
    private static List<Target> world(Path root, Path events) throws Exception {
        GlueClient glue = AwsClients.build(GlueClient.builder());
        S3Client s3 = AwsClients.build(S3Client.builder());
        glue.createJob(b -> b.name(JOB).role("arn:aws:iam::123456789012:role/glue")
                .command(c -> c.name("glueetl").scriptLocation("s3://scripts/split.py"))
                .executionProperty(e -> e.maxConcurrentRuns(1000)));
        String run = glue.startJobRun(b -> b.jobName(JOB).arguments(Map.of("--x", "y"))).jobRunId();
        Path check = events.resolve("check-status.json");
        Files.writeString(check, SampleEvents.read("check-status-glue.json").replaceAll("jr_0+", run));
        LakeBuilder lake = new LakeBuilder(glue, s3).database("omc_flywheel_dev").bucket("omc-flywheel-data-us-east-1-dev")
                .bucket("omc-flywheel-dev-analysis-data");
        lake.table(new LakeBuilder.Table("omc_flywheel_dev", "part_ibe_01", "s3://omc-flywheel-data-us-east-1-dev/p/IBE_01/", 5,
                LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(4), List.of(0), Map.of()));
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            s3.putObject(b -> b.bucket("omc-flywheel-data-us-east-1-dev").key("opus/" + source
                    + "/raw_input/snapshot_dt=2025-10-22/_SUCCESS"), RequestBody.fromString(""));
        }
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-data-monitor-alerts"));
        Path report = events.resolve("build-report.json");
        Files.writeString(report, SampleEvents.read("build-report-data-monitor.json").replace("\"countTolerancePct\": 0",
                "\"countCheckEnabled\": false"));
        TopicRegistry.create(AwsClients.build(DynamoDbClient.builder()), TopicRegistry.TABLE).topic("t", true, "ENABLED", Map.of());
        Path dry = SampleEvents.path("associate-tables-dry-run.json");
        String ev = root.resolve("events").toString() + File.separator;
        return List.of(
                new Target("start-glue-job", "com.omc.flywheel.startgluejob.StartGlueJobHandler", ev + "start-glue-job.json",
                        "glue-get-job", JOB),
                new Target("check-status", "com.omc.flywheel.checkstatus.CheckStatusHandler", check.toString(),
                        "glue-get-job", JOB),
                new Target("msck-repair", "com.omc.flywheel.msckrepair.MsckRepairHandler", ev + "msck-repair.json",
                        "glue-get-tables", "omc_flywheel_dev"),
                new Target("associate-tables", "com.omc.flywheel.associatetables.AssociateTablesHandler",
                        dry.toString(), "glue-get-tables", "omc_flywheel_dev"),
                new Target("build-report", "com.omc.flywheel.buildreport.BuildReportHandler", report.toString(),
                        "glue-get-tables", "omc_flywheel_dev"),
                new Target("resolve-snapshot", "com.omc.flywheel.resolvesnapshot.ResolveSnapshotHandler",
                        ev + "resolve-snapshot.json", "s3-list", "omc-flywheel-data-us-east-1-dev"),
                new Target("fetch-active-topics", "com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler",
                        ev + "fetch-active-topics.json", "dynamodb-scan", "omc-flywheel-dev-topic-registry"));
    }

    record Timed(long millis, int exit, String output) {
    }

    private static Timed time(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("JAVA_TOOL"));
            pb.environment().putAll(env);
            long start = System.nanoTime();
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(120, TimeUnit.SECONDS);
            return new Timed((System.nanoTime() - start) / 1_000_000, p.exitValue(), out);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long classes(List<String> command, Map<String, String> env) throws Exception {
        Path log = Files.createTempFile("classes", ".log");
        List<String> c = new ArrayList<>(command);
        c.add(1, "-Xlog:class+load=info:file=" + log);
        time(c, env);
        long n;
        try (var lines = Files.lines(log)) {
            n = lines.count();
        }
        Files.delete(log);
        return n;
    }

    /** The classpath entries of the SDK's default HTTP clients (Apache, Netty) and their dependencies. */
    private static String defaultClientClasspath(String classpath) {
        List<String> out = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (Arrays.asList("apache-client", "httpclient", "httpcore", "commons-logging", "commons-codec", "netty")
                    .stream().anyMatch(name::startsWith)) {
                out.add(entry);
            }
        }
        return String.join(File.pathSeparator, out);
    }

    /** The jars the SDK's default HTTP clients (Apache, Netty) add to a function. */
    private static long defaultClientJars(String classpath) throws Exception {
        long total = 0;
        for (String entry : classpath.split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (Arrays.asList("apache-client", "httpclient", "httpcore", "commons-logging", "commons-codec", "netty")
                    .stream().anyMatch(name::startsWith)) {
                total += Files.size(Path.of(entry));
            }
        }
        return total;
    }

    interface LongSupplier {
        long get() throws Exception;
    }

    private static long median(int n, LongSupplier s) throws Exception {
        List<Long> v = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            v.add(s.get());
        }
        return med(v);
    }

    private static long med(List<Long> v) {
        if (v.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(v);
        sorted.sort(Long::compare);
        return sorted.get(sorted.size() / 2);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
