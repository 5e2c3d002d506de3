package com.omc.flywheel.bench;

import com.omc.flywheel.buildreport.BuildReportHandler;
import com.omc.flywheel.buildreport.BuildReportRequest;
import com.omc.flywheel.buildreport.BuildReportResult;
import com.omc.flywheel.buildreport.BuildReportService;
import com.omc.flywheel.buildreport.ReportSettings;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonLog;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.entityresolution.EntityResolutionClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The data-monitor report over a generated catalog (default 1,000 tables × 8 buckets, one partition
 * in eight missing) against moto behind the counting proxy: one table at a time (the baseline,
 * today's loop) and then 8 at a time. Reports tables per second and AWS calls per table, next to the
 * floor (GetTables pages, then per table one folder listing, one GetPartitions page, one snapshot
 * marker read). Row counts through Athena are off: moto's Athena answers nothing to count.
 *
 * <p>Usage: {@code bench/run data-monitor [TABLES] [BUCKETS]}
 */
public final class DataMonitorBench {
    private static final String DB = "omc_flywheel_bench";
    private static final String DATA = "omc-flywheel-data-us-east-1-bench";

    public static void main(String[] args) throws Exception {
        int tables = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int buckets = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        JsonLog.redirect(new PrintStream(OutputStream.nullOutputStream()));
        MotoServer moto = MotoServer.shared();
        long buildStart = System.nanoTime();
        LakeBuilder lake = new LakeBuilder(AwsClients.build(GlueClient.builder()), AwsClients.build(S3Client.builder()))
                .database(DB).bucket(DATA);
        for (int t = 0; t < tables; t++) {
            List<Integer> registered = new ArrayList<>();
            for (int b = 0; b < buckets; b++) {
                if ((b + t) % 8 != 0) {
                    registered.add(b);
                }
            }
            String name = String.format("part_bench_%04d", t);
            lake.table(new LakeBuilder.Table(DB, name, "s3://" + DATA + "/split_part/attributes/" + name + "/", 10,
                    LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(buckets), registered, Map.of()));
        }
        System.out.printf("generated %d tables x %d buckets in %.1f s%n", tables, buckets,
                (System.nanoTime() - buildStart) / 1e9);
        List<Map<String, Object>> rows = new ArrayList<>();
        double baselineSeconds = 0;
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint())) {
            URI via = proxy.endpointUri();
            for (int concurrency : List.of(1, 8)) {
                ExecutorService pool = BuildReportHandler.pool(concurrency);
                BuildReportService service = new BuildReportService(
                        AwsClients.build(GlueClient.builder().endpointOverride(via)),
                        AwsClients.build(S3Client.builder().endpointOverride(via)),
                        AwsClients.build(AthenaClient.builder().endpointOverride(via)),
                        AwsClients.build(SnsClient.builder().endpointOverride(via)),
                        AwsClients.build(CleanRoomsClient.builder().endpointOverride(via)),
                        AwsClients.build(EntityResolutionClient.builder().endpointOverride(via)), pool,
                        new ReportSettings(concurrency, 5, 100, 60, 0, "primary", null, null, Map.of()),
                                Clock.systemUTC());
                // The event as the state machine sends it, read and validated as the handler reads it.
                String event = "{\"report\": \"DATA_MONITOR\", \"database\": \"" + DB
                        + "\", \"tablePrefix\": \"part_\","
                        + " \"reportBucket\": \"" + DATA + "\", \"reportPrefix\": \"bench-reports/\", \"bucketCount\": "
                                + buckets
                        + ", \"dataBucket\": \"" + DATA + "\", \"strictSnapshot\": true, \"countCheckEnabled\": false,"
                        + " \"fileSizeCheck\": false}";
                BuildReportRequest request = com.omc.flywheel.shared.Events.read(
                        new java.io.ByteArrayInputStream(event.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                                BuildReportRequest.class);
                proxy.resetCounts();
                long start = System.nanoTime();
                BuildReportResult r = service.build(request);
                double seconds = (System.nanoTime() - start) / 1e9;
                pool.shutdown();
                if (concurrency == 1) {
                    baselineSeconds = seconds;
                }
                int calls = proxy.total();
                double floor = Math.ceil(tables / 100.0) + 2 + tables * 3.0 + 2; // + raw-input listings, 2 puts
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("variant", concurrency == 1 ? "1 table at a time (baseline)" : concurrency
                        + " tables at a time");
                row.put("seconds", round(seconds));
                row.put("tablesPerSecond", round(r.tables() / seconds));
                row.put("alerts", r.issues());
                row.put("awsCalls", calls);
                row.put("awsCallsPerTable", round((double) calls / tables));
                row.put("floorPerTable", round(floor / tables));
                row.put("speedup", round(baselineSeconds / seconds));
                row.put("calls", proxy.counts());
                rows.add(row);
            }
        }
        System.out.printf("%-32s %8s %10s %8s %10s %10s %8s%n", "variant", "seconds", "tables/s", "alerts", "calls/tbl",
                "floor/tbl", "speedup");
        for (Map<String, Object> row : rows) {
            System.out.printf("%-32s %8s %10s %8s %10s %10s %8s%n", row.get("variant"), row.get("seconds"),
                    row.get("tablesPerSecond"), row.get("alerts"), row.get("awsCallsPerTable"),
                            row.get("floorPerTable"),
                    row.get("speedup"));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "data-monitor");
        out.put("command", "bench/run data-monitor " + tables + " " + buckets);
        out.put("results", rows);
        BenchResults.write("data-monitor", out);
        System.exit(0);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
