package com.omc.flywheel.bench;

import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.fixtures.TopicRegistry;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Cold invoke per function: a fresh JVM (Lambda's flags: tiered compilation stopped at level 1)
 * running the deployment package's handler once on its sample event against moto, from process start
 * to result, median of several runs; next to a bare JVM ({@code java -version}), to the same handler
 * and event built the default way (unshrunk jars, the SDK's default HTTP clients and chains) and to
 * the first AWS call alone written the common way ({@link DefaultClientBaseline}). Also init vs first
 * invoke, classes loaded, peak resident memory (GNU time, when installed), and the deployment zip
 * next to the zip of the default build.
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
        standIn.collaboration("AMC", List.of(new CleanRoomsStandIn.Member("111111111111", "AMC Service",
                List.of("CAN_QUERY"))),
                null, "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b");
        Path events = Files.createTempDirectory("cold-invoke");
        List<Target> targets = world(root, events);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String benchCp = System.getProperty("java.class.path");
        List<Map<String, Object>> rows = new ArrayList<>();
        long bare = median(runs, () -> time(List.of(java, "-version"), Map.of()).millis);
        boolean rss = Files.isExecutable(Path.of(TIME));
        System.out.printf("%-20s %8s %9s %9s %8s %7s %7s %8s %8s %9s %11s %11s %9s%n", "function (median ms)",
                "bare JVM",
                "baseline", "ours", "faster", "init", "invoke", "classes", "RSS MB", "base RSS", "zip bytes",
                        "base bytes",
                "x smaller");
        for (Target t : targets) {
            Path target = root.resolve("functions/" + t.function() + "/target");
            String local = root.resolve("local/emulators/target/flywheel-emulators.jar").toString();
            // Ours: the deployment package (the ProGuard-shrunk function jar and the libraries).
            String cp = target.resolve(t.function() + "-lambda/lib") + File.separator + "*" + File.pathSeparator
                    + local;
            // The baseline, "built with the SDK's default dependencies": the same handler and event,
            // unshrunk jars (the function's, shared, the SDK's), the SDK's default HTTP clients (Apache
            // and Netty on the classpath, Apache picked) and the default region and credential chains
            // (FLYWHEEL_SDK_DEFAULTS).
            List<Path> defaultJars = defaultBuild(target, t.function(), benchCp);
            String defaultCp = defaultJars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator))
                    + File.pathSeparator + local;
            Map<String, String> env = new LinkedHashMap<>();
            env.put("AWS_ENDPOINT_URL", moto.endpoint());
            env.put("AWS_ENDPOINT_URL_CLEANROOMS", standIn.endpoint());
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "bench");
            env.put("AWS_SECRET_ACCESS_KEY", "bench");
            env.put("FLYWHEEL_TIMINGS", "1");
            env.put("REGISTRY_TABLE", "omc-flywheel-dev-topic-registry");
            // What Lambda runs, nothing more: LocalInvoke's IAM proxy (a template parse and a proxy hop
            // in the function's JVM) would be timed as cold start, and it routes every service to moto.
            env.put("FLYWHEEL_LOCAL_IAM", "off");
            List<String> ours = invoke(rss, java, cp, t);
            List<String> baseline = invoke(rss, java, defaultCp, t);
            Map<String, String> baselineEnv = new LinkedHashMap<>(env);
            baselineEnv.put("FLYWHEEL_SDK_DEFAULTS", "true");
            List<Long> oursMs = new ArrayList<>();
            List<Long> baseMs = new ArrayList<>();
            List<Long> initMs = new ArrayList<>();
            List<Long> invokeMs = new ArrayList<>();
            List<Long> oursRss = new ArrayList<>();
            List<Long> baseRss = new ArrayList<>();
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
                maxRss(o.output).ifPresent(oursRss::add);
                Timed b = time(baseline, baselineEnv);
                if (b.exit != 0) {
                    throw new IllegalStateException("baseline of " + t.function() + " failed: " + b.output);
                }
                baseMs.add(b.millis);
                maxRss(b.output).ifPresent(baseRss::add);
            }
            long classesOurs = classes(ours, env);
            long classesBase = classes(baseline, baselineEnv);
            long oneCall = time(List.of(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-cp", benchCp,
                    DefaultClientBaseline.class.getName(), t.baseline(), t.baselineTarget()), env).millis;
            long zip = Files.size(target.resolve(t.function() + "-lambda.zip"));
            long defaults = zipSize(defaultJars);
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
            row.put("maxRssMb", Collections.max(oursRss.isEmpty() ? List.of(0L) : oursRss) / 1024);
            row.put("baselineMaxRssMb", Collections.max(baseRss.isEmpty() ? List.of(0L) : baseRss) / 1024);
            row.put("zipBytes", zip);
            row.put("defaultBuildZipBytes", defaults);
            row.put("defaultOverOurs", round((double) defaults / zip));
            rows.add(row);
            System.out.printf("%-20s %8d %9d %9d %7.2fx %7d %7d %8d %8d %9d %11d %11d %8.2fx%n", t.function(), bare,
                    med(baseMs),
                    med(oursMs), (double) med(baseMs) / med(oursMs), med(initMs), med(invokeMs), classesOurs,
                    row.get("maxRssMb"), row.get("baselineMaxRssMb"), zip, defaults, (double) defaults / zip);
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
        LakeBuilder lake = new LakeBuilder(glue, s3).database("omc_flywheel_dev")
                .bucket("omc-flywheel-data-us-east-1-dev")
                .bucket("omc-flywheel-dev-analysis-data");
        lake.table(new LakeBuilder.Table("omc_flywheel_dev", "part_ibe_01",
                "s3://omc-flywheel-data-us-east-1-dev/p/IBE_01/", 5,
                LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(4), List.of(0), Map.of()));
        // refresh-er-table's first call: the source table, then the CTAS start (moto's Athena answers it).
        lake.table(new LakeBuilder.Table("omc_flywheel_dev", "part_addressable_ids",
                "s3://omc-flywheel-data-us-east-1-dev/omc_cleanroom_data/split_part/addressable_ids/ADDRESSABLE_IDS/",
                        1,
                LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(2), LakeBuilder.buckets(2), Map.of()));
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            s3.putObject(b -> b.bucket("omc-flywheel-data-us-east-1-dev").key("opus/" + source
                    + "/raw_input/snapshot_dt=2025-10-22/_SUCCESS"), RequestBody.fromString(""));
        }
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-data-monitor-alerts"));
        Path report = events.resolve("build-report.json");
        Files.writeString(report, SampleEvents.read("build-report-data-monitor.json")
                .replace("\"countTolerancePct\": 0",
                "\"countCheckEnabled\": false"));
        TopicRegistry.create(AwsClients.build(DynamoDbClient.builder()), TopicRegistry.TABLE)
                .topic("t", true, "ENABLED", Map.of());
        Path dry = SampleEvents.path("associate-tables-dry-run.json");
        String ev = root.resolve("events").toString() + File.separator;
        return List.of(
                new Target("start-glue-job", "com.omc.flywheel.startgluejob.StartGlueJobHandler", ev
                        + "start-glue-job.json",
                        "glue-get-job-runs", JOB),
                new Target("check-status", "com.omc.flywheel.checkstatus.CheckStatusHandler", check.toString(),
                        "glue-get-job-run", JOB + "/" + run),
                new Target("msck-repair", "com.omc.flywheel.msckrepair.MsckRepairHandler", ev + "msck-repair.json",
                        "glue-get-tables", "omc_flywheel_dev"),
                new Target("associate-tables", "com.omc.flywheel.associatetables.AssociateTablesHandler",
                        dry.toString(), "glue-get-tables", "omc_flywheel_dev"),
                new Target("build-report", "com.omc.flywheel.buildreport.BuildReportHandler", report.toString(),
                        "glue-get-tables", "omc_flywheel_dev"),
                new Target("resolve-snapshot", "com.omc.flywheel.resolvesnapshot.ResolveSnapshotHandler",
                        ev + "resolve-snapshot.json", "s3-list", "omc-flywheel-data-us-east-1-dev"),
                new Target("fetch-active-topics", "com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler",
                        ev + "fetch-active-topics.json", "dynamodb-scan", "omc-flywheel-dev-topic-registry"),
                new Target("refresh-er-table", "com.omc.flywheel.refreshertable.RefreshErTableHandler",
                        ev + "refresh-er-table.json", "glue-get-tables", "omc_flywheel_dev"));
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
        int java = 0;
        while (!c.get(java).endsWith(File.separator + "java")) {
            java++;
        }
        c.add(java + 1, "-Xlog:class+load=info:file=" + log);
        time(c, env);
        long n;
        try (var lines = Files.lines(log)) {
            n = lines.count();
        }
        Files.delete(log);
        return n;
    }

    private static final String TIME = "/usr/bin/time";
    private static final Pattern MAX_RSS = Pattern.compile("FLYWHEEL_MAX_RSS_KB=([0-9]+)");

    /** The command of one cold invoke, under GNU time for the peak resident set when it is installed. */
    private static List<String> invoke(boolean rss, String java, String classpath, Target t) {
        List<String> c = new ArrayList<>();
        if (rss) {
            c.addAll(List.of(TIME, "-f", "FLYWHEEL_MAX_RSS_KB=%M"));
        }
        c.addAll(List.of(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                classpath,
                "com.omc.flywheel.local.lambda.LocalInvoke", t.handler(), t.event(), t.function(), "60", "512"));
        return c;
    }

    private static java.util.Optional<Long> maxRss(String output) {
        Matcher m = MAX_RSS.matcher(output);
        return m.find() ? java.util.Optional.of(Long.parseLong(m.group(1))) : java.util.Optional.empty();
    }

    /**
     * The jars of the function built the default way: its own jar, shared and the SDK jars unshrunk
     * (the ProGuard input the build keeps in target/lambda/shrink-input), the libraries, and the
     * SDK's default HTTP clients.
     */
    private static List<Path> defaultBuild(Path target, String function, String benchCp) throws Exception {
        List<Path> jars = new ArrayList<>();
        try (var own = Files.list(target)) {
            own.filter(p -> p.getFileName().toString().startsWith(function + "-")
                    && p.getFileName().toString().endsWith(".jar")).forEach(jars::add);
        }
        for (String dir : List.of("lambda/shrink-input", "lambda/lib")) {
            try (var in = Files.list(target.resolve(dir))) {
                in.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            }
        }
        for (String entry : defaultClientClasspath(benchCp).split(File.pathSeparator)) {
            jars.add(Path.of(entry));
        }
        return jars;
    }

    /** The size of a Lambda zip holding these jars under lib/ (deflated, as the assembly makes it). */
    private static long zipSize(List<Path> jars) throws Exception {
        Path zip = Files.createTempFile("default-build", ".zip");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            for (Path jar : jars) {
                out.putNextEntry(new java.util.zip.ZipEntry("lib/" + jar.getFileName()));
                Files.copy(jar, out);
                out.closeEntry();
            }
        }
        long size = Files.size(zip);
        Files.delete(zip);
        return size;
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
