package com.omc.flywheel.local.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleParquet;
import com.omc.flywheel.local.fixtures.TodaysCleanRooms;
import com.omc.flywheel.shared.AwsClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The world the refresh runs in, made on the emulators: a sample lake shaped like production (with
 * a stale table and one with duplicate keys), the raw snapshots, the Glue jobs, the topics, the
 * Clean Rooms collaboration (with --todays-clean-rooms, holding what today's scripts left in it) and the
 * ID namespace; and, with --months, each next month's snapshot.
 */
final class SampleWorld {
    static final String ENV = "dev";
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String REPORTS = "omc-flywheel-dev-analysis-data";
    static final String MEMBERSHIP = "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b";
    static final String ROOT = "s3://" + DATA + "/omc_cleanroom_data/split_part/";
    static final String STALE_TABLE = "part_miacs_04";
    static final String DUPLICATE_TABLE = "part_ibe_05";
    static final String TODAYS_ER_PREFIX = "omc_cleanroom_data/identity/acx_ids_cur/";
    static final String AMC_SERVICE = "111111111111";
    static final String AMC_RESULTS = "222222222222";
    static final String ADVERTISER = "333333333333";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunOptions options;
    private int lakeTables;
    private List<String> monitoredTables = List.of();
    /** part_addressable_ids' data columns in the lake (0 when it has none). */
    private int addressableColumns;

    SampleWorld(RunOptions options) {
        this.options = options;
    }

    /** How many tables the lake has (0 before {@link #build}). */
    int tables() {
        return lakeTables;
    }

    /** The lake, the jobs, the topics, the collaboration; returns what was made, for the first lines. */
    Map<String, Object> build(LocalCloud cloud) {
        GlueClient glue = AwsClients.build(GlueClient.builder());
        S3Client s3 = AwsClients.build(S3Client.builder());
        LakeBuilder lake = new LakeBuilder(glue, s3).database(DB).bucket(DATA).bucket(REPORTS)
                .withParquetFiles(DUPLICATE_TABLE);
        // Yesterday's snapshot by default, so the data monitor finds the lake fresh but for the stale table
        // (with --months N, the first month's: N - 1 months before).
        String snapshot = snapshotOf(1);
        String stale = LocalDate.parse(snapshot).minusDays(120).toString();
        landFirstSnapshots(s3, snapshot, stale);
        Map<String, Integer> tables = chooseTables();
        int unregistered = addTables(lake, tables);
        lake.todaysErTable(DB, "s3://" + DATA + "/" + TODAYS_ER_PREFIX, null);
        monitoredTables = List.copyOf(tables.keySet());
        addressableColumns = tables.getOrDefault("part_addressable_ids", 0);
        cloud.moto().athenaResults(monitorResults(1));
        ProductionAccount.glueJobs(s3, DATA);
        cloud.moto().glueJobRunsTakePolls(3);
        ProductionAccount.around(s3, DB, List.of(DATA, REPORTS));
        cleanRoomsRoleReadsTheLake();
        seedCleanRooms(cloud.cleanRooms(), options.todaysCleanRooms());
        Map<String, Object> made = new LinkedHashMap<>();
        made.put("tables", tables.size());
        lakeTables = tables.size();
        made.put("bucketsPerTable", options.buckets());
        made.put("partitionsUnregistered", unregistered);
        made.put("staleTable", tables.containsKey(STALE_TABLE) ? STALE_TABLE : "none");
        made.put("duplicateKeys", tables.containsKey(DUPLICATE_TABLE) ? DUPLICATE_TABLE : "none");
        made.put("rawSnapshot", snapshot);
        made.put("dataFiles", dataFiles(s3, tables));
        if (options.todaysCleanRooms()) {
            made.put("cleanRooms", todaysCleanRooms(glue));
        }
        return made;
    }

    /**
     * The raw input's {@code _SUCCESS} markers of the stale day and the snapshot, and the split
     * outputs' {@code metadata/snapshot_dt.txt} (the legacy attributes' is the stale day).
     */
    private static void landFirstSnapshots(S3Client s3, String snapshot, String stale) {
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            for (String day : List.of(stale, snapshot)) {
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day + "/_SUCCESS"),
                        RequestBody.fromString(""));
            }
            s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/" + source
                    + "/metadata/snapshot_dt.txt"),
                    RequestBody.fromString(snapshot));
        }
        s3.putObject(b -> b.bucket(DATA)
                .key("omc_cleanroom_data/split_part/legacy_attributes/metadata/snapshot_dt.txt"),
                RequestBody.fromString(stale));
    }

    /**
     * Production's tables and their column counts; with --tables N, the first N (at most 20 columns
     * each) with the stale and the duplicate-key table always among them, padded with generated ones.
     */
    private Map<String, Integer> chooseTables() {
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
        return tables;
    }

    /**
     * Each table and its {@code ext_} table into the lake: every fourth bucket folder left
     * unregistered, and every third table registered with its key as a column (no partitions at all).
     * Returns how many partitions the repair has to register.
     */
    private int addTables(LakeBuilder lake, Map<String, Integer> tables) {
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
        return unregistered;
    }

    /**
     * Today's Clean Rooms data-access role (made with {@link ProductionAccount#around}) with the policy
     * AWS documents for a service role that reads Glue tables for Clean Rooms: read-only Glue on the
     * catalog, the database and its tables, and the lake's objects and bucket, in this account only.
     */
    private static void cleanRoomsRoleReadsTheLake() {
        String account = "123456789012";
        String glue = "arn:aws:glue:us-east-1:" + account + ":";
        String policy = """
                {"Version": "2012-10-17", "Statement": [
                  {"Sid": "NecessaryGluePermissions", "Effect": "Allow",
                   "Action": ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables",
                              "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
                   "Resource": ["%1$scatalog", "%1$sdatabase/%2$s", "%1$stable/%2$s/*"]},
                  {"Sid": "NecessaryS3BucketPermissions", "Effect": "Allow",
                   "Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": ["arn:aws:s3:::%3$s"],
                   "Condition": {"StringEquals": {"s3:ResourceAccount": ["%4$s"]}}},
                  {"Sid": "NecessaryS3ObjectPermissions", "Effect": "Allow", "Action": ["s3:GetObject"],
                   "Resource": ["arn:aws:s3:::%3$s/omc_cleanroom_data/*"],
                   "Condition": {"StringEquals": {"s3:ResourceAccount": ["%4$s"]}}}]}""".formatted(glue, DB, DATA,
                account);
        try (IamClient iam = AwsClients.build(IamClient.builder())) {
            iam.putRolePolicy(b -> b.roleName(ProductionAccount.CLEAN_ROOMS_ROLE).policyName("read-glue-tables")
                    .policyDocument(policy));
        }
    }

    /**
     * The AMC Flywheel collaboration, and the ACX ID namespace and schema mapping of Entity Resolution;
     * with today's Clean Rooms state, the advertiser its association rules name among the members too.
     */
    private static void seedCleanRooms(CleanRoomsStandIn cr, boolean todays) {
        List<CleanRoomsStandIn.Member> members = new ArrayList<>(List.of(
                new CleanRoomsStandIn.Member(AMC_SERVICE, "AMC Service", List.of("CAN_QUERY")),
                new CleanRoomsStandIn.Member(AMC_RESULTS, "AMC Results Receiver", List.of("CAN_RECEIVE_RESULTS"))));
        if (todays) {
            members.add(new CleanRoomsStandIn.Member(ADVERTISER, "Advertiser", List.of("CAN_RECEIVE_RESULTS")));
        }
        cr.collaboration("AMC Flywheel", members, REPORTS, MEMBERSHIP);
        try {
            cr.idNamespace("ACXIdNamespace", (ObjectNode) JSON.readTree(
                    "{\"type\":\"SOURCE\",\"description\":\"ACX unique customer identifiers\","
                    + "\"inputSourceConfig\":[{\"inputSourceARN\":\"arn:aws:glue:us-east-1:123456789012:"
                    + "table/" + DB + "/part_addressable_ids_er\",\"schemaName\":\"ACX_SCHEMA\"}],"
                    + "\"idMappingWorkflowProperties\":[{\"idMappingType\":\"RULE_BASED\"}]}"));
            cr.schemaMapping("ACX_SCHEMA", (ArrayNode) JSON.readTree(
                    "[{\"fieldName\":\"row_id\",\"type\":\"UNIQUE_ID\"},"
                    + "{\"fieldName\":\"customer_user_id\",\"type\":\"STRING\",\"matchKey\":\"AXM\","
                    + "\"hashed\":false}]"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * --todays-clean-rooms: what today's scripts left in the membership (docs/today.md), made through the
     * Clean Rooms API as associate-tables' AdoptTodaysProductionTest makes it: both providers on every
     * configured table's rule, the results receiver and the advertiser on every association's rule,
     * today's role, part_miacs_02_a hand-fixed. Returns what was made, for the first lines.
     */
    private static String todaysCleanRooms(GlueClient glue) {
        List<String> associated = TodaysCleanRooms.associatedTables();
        try (CleanRoomsClient cleanRooms = AwsClients.buildWithPatch(CleanRoomsClient.builder())) {
            TodaysCleanRooms.build(cleanRooms, glue, new TodaysCleanRooms.Collaboration(DB, MEMBERSHIP,
                    "arn:aws:iam::123456789012:role/" + ProductionAccount.CLEAN_ROOMS_ROLE,
                    List.of(AMC_SERVICE, AMC_RESULTS), List.of(AMC_RESULTS, ADVERTISER)), associated);
        }
        return "today's: " + TodaysCleanRooms.configuredTables().size() + " configured tables, " + associated.size()
                + " associations, " + TodaysCleanRooms.HAND_FIXED_TABLE + " hand-fixed";
    }

    /** What the lake's data files are, read back from one of an infobase table's folders. */
    private static String dataFiles(S3Client s3, Map<String, Integer> tables) {
        String sampleKey = "omc_cleanroom_data/split_part/infobase_attributes/" + tables.keySet().stream()
                .filter(k -> !k.equals(STALE_TABLE) && !k.equals("part_addressable_ids")).findFirst()
                        .orElse("part_ibe_01")
                .substring("part_".length()).toUpperCase() + "/id_bucket=0/part-00000.snappy.parquet";
        byte[] sample = s3.getObjectAsBytes(b -> b.bucket(DATA).key(sampleKey)).asByteArray();
        boolean isParquet = sample.length > 8 && new String(sample, 0, 4, StandardCharsets.US_ASCII)
                .equals("PAR1")
                && new String(sample, sample.length - 4, 4, StandardCharsets.US_ASCII).equals("PAR1");
        return isParquet ? "Parquet files (e.g. " + sample.length + " bytes, PAR1 magic checked)" : "NOT Parquet";
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
     * The next month's raw snapshot, landed as the loader and the split jobs would leave it (the local
     * Glue jobs run, but write nothing): its {@code _SUCCESS} markers under both raw input prefixes,
     * the split outputs' {@code metadata/snapshot_dt.txt}, the addressable ids' files with one more
     * row per folder, and the data monitor's row counts for the new snapshot. Returns the snapshot.
     */
    String landMonth(LocalCloud cloud, int month) {
        String snapshot = snapshotOf(month);
        S3Client s3 = AwsClients.build(S3Client.builder());
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + snapshot + "/_SUCCESS"),
                    RequestBody.fromString(""));
            s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/" + source
                    + "/metadata/snapshot_dt.txt"),
                    RequestBody.fromString(snapshot));
        }
        if (addressableColumns > 0) {
            List<String> columns = LakeBuilder.columns("part_addressable_ids", addressableColumns).stream()
                    .map(Column::name).toList();
            for (int n = 0; n < options.buckets(); n++) {
                int bucket = n;
                s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/addressable_ids/ADDRESSABLE_IDS/"
                        + "id_bucket=" + bucket + "/part-00000.snappy.parquet"),
                        RequestBody.fromBytes(SampleParquet.file(columns, bucket, 4 + month - 1, false)));
            }
        }
        cloud.moto().athenaResults(monitorResults(month));
        return snapshot;
    }

    /**
     * The data monitor's query answers once more, for a second refresh of the last month (local-run
     * --shadow): moto hands the queued answers out once each.
     */
    void answerTheMonitorAgain(LocalCloud cloud) {
        cloud.moto().athenaResults(monitorResults(options.months()));
    }

    /**
     * What month {@code month} (from 1) reads: --snapshot-dt (or yesterday) is the last month's, each
     * earlier one a month before.
     */
    String snapshotOf(int month) {
        LocalDate last = options.snapshotDt() != null ? LocalDate.parse(options.snapshotDt())
                : LocalDate.now(ZoneOffset.UTC).minusDays(1);
        return last.minusMonths(options.months() - month).toString();
    }
}
