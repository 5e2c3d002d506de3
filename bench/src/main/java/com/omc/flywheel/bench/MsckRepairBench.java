package com.omc.flywheel.bench;

import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.msckrepair.MsckRepairHandler;
import com.omc.flywheel.msckrepair.MsckRepairRequest;
import com.omc.flywheel.msckrepair.MsckRepairResult;
import com.omc.flywheel.msckrepair.MsckRepairService;
import com.omc.flywheel.shared.AwsClients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * msck-repair over a generated catalog (default 30 tables × 256 partitions, 20 % missing) against
 * moto behind the counting proxy: GLUE_SYNC one table at a time (today's loop, the baseline), then
 * with the function's default concurrency, then ATHENA_MSCK. Reports partitions registered per
 * second, AWS calls per table next to the minimum the APIs allow, and the speed-up over the baseline.
 *
 * <p>Usage: {@code bench/run msck-repair [TABLES] [PARTITIONS] [MISSING_PERCENT]}
 */
public final class MsckRepairBench {
    private static final String DB = "omc_flywheel_bench";
    private static final String BUCKET = "omc-flywheel-data-us-east-1-bench";

    public static void main(String[] args) throws Exception {
        int tables = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int missingPct = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        // The function's per-table log lines would bury the table; they are not what is measured.
        com.omc.flywheel.shared.JsonLog.redirect(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        MotoServer moto = MotoServer.shared();
        try (AwsProxy proxy = AwsProxy.start(moto.endpoint())) {
            proxy.addRule(AwsProxy.glueBatchCreatePartitionLimit());
            int missing = 0;
            List<Map<String, Object>> rows = new ArrayList<>();
            Map<String, Object> baseline = null;
            for (String variant : List.of("GLUE_SYNC x1 (baseline)", "GLUE_SYNC x8", "ATHENA_MSCK x5")) {
                missing = buildLake(moto, tables, partitions, missingPct);
                int concurrency = variant.contains("x1") ? 1 : 8;
                boolean athena = variant.startsWith("ATHENA");
                ExecutorService pool = MsckRepairHandler.pool(concurrency);
                MsckRepairService service = new MsckRepairService(
                        AwsClients.build(GlueClient.builder().endpointOverride(proxy.endpointUri())),
                        AwsClients.build(S3Client.builder().endpointOverride(proxy.endpointUri())),
                        AwsClients.build(AthenaClient.builder().endpointOverride(proxy.endpointUri())), pool,
                        new MsckRepairService.Settings(concurrency, 5, "primary", "s3://" + BUCKET + "/results/", 2_000,
                                4));
                proxy.resetCounts();
                long start = System.nanoTime();
                int calls = 0;
                String token = null;
                MsckRepairResult r;
                do {
                    r = service.repair(new MsckRepairRequest(DB, "part_", null, null,
                            athena ? MsckRepairRequest.Mode.ATHENA_MSCK : MsckRepairRequest.Mode.GLUE_SYNC,
                            null, null, null, token), () -> false);
                    token = r.continuationToken();
                    calls++;
                } while (r.status().equals(MsckRepairResult.IN_PROGRESS) && calls < 10_000);
                double seconds = (System.nanoTime() - start) / 1e9;
                pool.shutdown();
                Map<String, Integer> counts = proxy.counts();
                int aws = proxy.total();
                // The floor: GetTables pages, then per table GetTable, one delimiter listing per
                // 1,000 folders, one GetPartitions page per 1,000 partitions, ceil(missing / 100) writes.
                int perTableMissing = (int) Math.ceil((double) missing / tables);
                int floor = (int) Math.ceil(tables / 100.0) + tables * (1 + (int) Math.ceil(partitions / 1000.0)
                        + (int) Math.ceil(Math.max(1, partitions - perTableMissing) / 1000.0)
                        + (int) Math.ceil(perTableMissing / 100.0));
                if (athena) {
                    floor = (int) Math.ceil(tables / 100.0) + tables * (1 + 1 + 1 + 1); // GetTable, list, Start, Get
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("variant", variant);
                row.put("functionCalls", calls);
                row.put("seconds", round(seconds));
                row.put("partitionsAdded", r.summary().partitionsAdded());
                row.put("partitionsPerSecond", athena ? null : round(r.summary().partitionsAdded() / seconds));
                row.put("awsCalls", aws);
                row.put("awsCallsPerTable", round((double) aws / tables));
                row.put("apiFloorPerTable", round((double) floor / tables));
                row.put("callsOverFloor", round((double) aws / floor));
                row.put("athenaQueries", counts.getOrDefault("athena:StartQueryExecution", 0));
                row.put("calls", counts);
                if (baseline == null) {
                    baseline = row;
                }
                row.put("speedupOverBaseline", round((double) baseline.get("seconds") / seconds));
                rows.add(row);
            }
            System.out.printf("msck-repair over %d tables x %d partitions, %d%% missing (%d partitions), moto on "
                    + "loopback%n",
                    tables, partitions, missingPct, missing);
            System.out.printf("%-24s %8s %9s %10s %9s %10s %8s %8s %8s%n", "variant", "seconds", "added", "parts/s",
                    "calls/tbl", "floor/tbl", "x floor", "queries", "speedup");
            for (Map<String, Object> row : rows) {
                System.out.printf("%-24s %8s %9s %10s %9s %10s %8s %8s %8s%n", row.get("variant"), row.get("seconds"),
                        row.get("partitionsAdded"), row.get("partitionsPerSecond") == null ? "-"
                                : row.get("partitionsPerSecond"),
                        row.get("awsCallsPerTable"), row.get("apiFloorPerTable"), row.get("callsOverFloor"),
                        row.get("athenaQueries"), row.get("speedupOverBaseline"));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("benchmark", "msck-repair");
            out.put("command", "bench/run msck-repair " + tables + " " + partitions + " " + missingPct);
            out.put("tables", tables);
            out.put("partitionsPerTable", partitions);
            out.put("missingPartitions", missing);
            out.put("results", rows);
            BenchResults.write("msck-repair", out);
        }
        System.exit(0);
    }

    /** A fresh lake; returns how many partitions are missing from the catalog. */
    private static int buildLake(MotoServer moto, int tables, int partitions, int missingPct) {
        moto.reset();
        LakeBuilder lake = new LakeBuilder(AwsClients.build(GlueClient.builder()), AwsClients.build(S3Client.builder()))
                .database(DB).bucket(BUCKET);
        int missing = 0;
        for (int t = 0; t < tables; t++) {
            List<Integer> registered = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                if ((p * 7 + t) % 100 >= missingPct) {
                    registered.add(p);
                } else {
                    missing++;
                }
            }
            String name = String.format("part_bench_%03d", t);
            lake.table(new LakeBuilder.Table(DB, name, "s3://" + BUCKET + "/split_part/" + name + "/", 10,
                    LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(partitions), registered, Map.of()));
        }
        return missing;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
