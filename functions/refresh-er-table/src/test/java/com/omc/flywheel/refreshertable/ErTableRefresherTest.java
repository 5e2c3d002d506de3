package com.omc.flywheel.refreshertable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.errors.EmptyResultException;
import com.omc.flywheel.shared.errors.QueryFailedException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The ER table's refresh against moto with the local Athena CTAS stand-in (LocalCloud): the CTAS
 * really reads the addressable ids' Parquet files and writes the new folder, so what is checked is
 * the catalog and the files, between calls as well as at the end.
 */
class ErTableRefresherTest {
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String IDS = "s3://" + DATA + "/omc_cleanroom_data/split_part/addressable_ids/ADDRESSABLE_IDS/";
    static final String TODAY = "s3://" + DATA + "/omc_cleanroom_data/identity/acx_ids_cur/";
    static final String BASE = "s3://" + DATA + "/omc_cleanroom_data/identity/acx_ids_er/";
    static final LocalCloud CLOUD = LocalCloud.start().asDefaultEndpoint();
    GlueClient glue;
    S3Client s3;
    LakeBuilder lake;
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-02T02:03:04Z"));

    @BeforeEach
    void world() {
        CLOUD.reset();
        glue = client(GlueClient.builder());
        s3 = client(S3Client.builder());
        lake = new LakeBuilder(glue, s3).database(DB).bucket(DATA).bucket("omc-flywheel-dev-analysis-data")
                .withParquetFiles(null);
    }

    @AfterAll
    static void stop() {
        CLOUD.close();
    }

    private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>
            & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, C>, C> C client(B builder) {
        return AwsClients.build(builder.endpointOverride(java.net.URI.create(CLOUD.endpoint()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1));
    }

    /** The refresher as of {@code now}: each attempt is stamped with the time of its first call. */
    private ErTableRefresher refresher() {
        return new ErTableRefresher(glue, client(AthenaClient.builder()), s3, Clock.fixed(now.get(), ZoneOffset.UTC),
                1);
    }

    /** part_addressable_ids as the registration job and msck-repair leave it: partitioned, 4 folders of 4 rows. */
    private void addressableIds(int folders) {
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids", IDS, 1, LakeBuilder.Registration.PARTITIONED,
                LakeBuilder.buckets(folders), LakeBuilder.buckets(folders), Map.of()));
    }

    /** Today's ER table, as today's job left it: row_id and customer_user_id, unpartitioned, in acx_ids_cur/. */
    private void todaysErTable() {
        lake.todaysErTable(DB, TODAY, "today's");
    }

    private static RefreshErTableRequest request(String snapshotDt, String queryExecutionId, String attempt) {
        String json = "{\"database\": \"" + DB + "\", \"location\": \"" + BASE + "\", \"snapshotDt\": \"" + snapshotDt
                + "\", "
                + "\"outputLocation\": \"s3://omc-flywheel-dev-analysis-data/query-results/er/\""
                + (queryExecutionId == null ? "" : ", \"queryExecutionId\": \"" + queryExecutionId
                        + "\", \"attempt\": \"" + attempt + "\"")
                + "}";
        return Events.read(new java.io.ByteArrayInputStream(json.getBytes()), RefreshErTableRequest.class);
    }

    private Table er() {
        return glue.getTable(b -> b.databaseName(DB).name("part_addressable_ids_er")).table();
    }

    /** The state machine's loop: the first call, then the same event with the query and attempt until COMPLETE. */
    private ErTableRefresher.Result loop(String snapshotDt, List<String> locationsSeenBetweenCalls) {
        ErTableRefresher refresher = refresher();
        CLOUD.proxy().resetCounts();
        ErTableRefresher.Result r = refresher.refresh(request(snapshotDt, null, null));
        int calls = 1;
        while (r.status().equals("IN_PROGRESS")) {
            assertTrue(calls++ < 20, "the loop ends");
            locationsSeenBetweenCalls.add(glue.getTables(b -> b.databaseName(DB)).tableList().stream()
                    .filter(t -> t.name().equals("part_addressable_ids_er")).map(t -> t.storageDescriptor().location())
                    .findFirst().orElse("(no table)"));
            r = refresher.refresh(request(snapshotDt, r.queryExecutionId(), r.attempt()));
        }
        return r;
    }

    private List<String> keys(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(DATA).prefix(prefix)).contents().stream().map(o -> o.key())
                .toList();
    }

    private List<String> stagingTables() {
        return glue.getTablesPaginator(b -> b.databaseName(DB)).stream().flatMap(p -> p.tableList().stream())
                .map(Table::name).filter(n -> n.startsWith("tmp_")).toList();
    }

    @Test
    void todaysTableIsRepointedAtANewFolderAndNeverDisappears() {
        addressableIds(4);
        todaysErTable();
        List<String> seen = new ArrayList<>();

        ErTableRefresher.Result r = loop("2026-11-01", seen);

        assertEquals("COMPLETE", r.status());
        assertEquals("REFRESHED", r.action());
        assertEquals(16L, r.rows(), "4 folders of 4 rows, every one projected");
        String folder = BASE + "snapshot_dt=2026-11-01/run=20261102t020304z/";
        assertEquals(folder, r.location());
        assertEquals(TODAY, r.previousLocation());
        assertFalse(seen.isEmpty(), "the query was polled at least once");
        assertTrue(seen.stream().allMatch(TODAY::equals), "until the swap readers see today's table: " + seen);
        Table t = er();
        assertEquals(folder, t.storageDescriptor().location());
        assertEquals(List.of("row_id", "customer_user_id"), t.storageDescriptor().columns().stream().map(Column::name)
                .toList());
        assertEquals(List.of(), t.partitionKeys(), "unpartitioned, as today");
        assertEquals("EXTERNAL_TABLE", t.tableType());
        assertEquals(LakeBuilder.PARQUET_SERDE, t.storageDescriptor().serdeInfo().serializationLibrary());
        assertEquals("today's", t.description(), "what the table says about itself is kept");
        assertEquals(TODAY, t.parameters().get("flywheel_previous_location"));
        assertEquals("2026-11-01", t.parameters().get("flywheel_snapshot_dt"));
        assertEquals("16", t.parameters().get("flywheel_rows"));
        assertEquals(r.queryExecutionId(), t.parameters().get("flywheel_query_execution_id"));
        assertEquals(List.of(), stagingTables(), "the staging table's metadata is gone");
        assertEquals(1, keys("omc_cleanroom_data/identity/acx_ids_cur/").size(), "today's files stay");
        assertFalse(keys("omc_cleanroom_data/identity/acx_ids_er/snapshot_dt=2026-11-01/run=20261102t020304z/")
                .isEmpty());
        assertEquals(1, CLOUD.proxy().count("glue:UpdateTable"), "one catalog change readers see");
        assertEquals(0, CLOUD.proxy().count("glue:CreateTable"), "by this function: the staging table is Athena's");
        assertEquals(0, CLOUD.proxy().count("s3:DeleteObject") + CLOUD.proxy().count("s3:DeleteObjects"),
                "nothing deleted");
    }

    @Test
    void theSecondMonthRefreshesAgainIntoItsOwnFolderAndKeepsTheFirst() {
        addressableIds(2);
        todaysErTable();
        ErTableRefresher.Result first = loop("2026-11-01", new ArrayList<>());
        now.set(Instant.parse("2026-12-01T02:10:00Z"));
        addressableIds2Rows();

        ErTableRefresher.Result second = loop("2026-12-01", new ArrayList<>());

        assertEquals("REFRESHED", second.action());
        assertEquals(first.location(), second.previousLocation());
        assertEquals(BASE + "snapshot_dt=2026-12-01/run=20261201t021000z/", er().storageDescriptor().location());
        assertEquals(12L, second.rows(), "the new snapshot's rows: 3 folders of 4");
        assertFalse(keys("omc_cleanroom_data/identity/acx_ids_er/snapshot_dt=2026-11-01/").isEmpty(),
                "last month's folder stays");
        assertEquals(List.of(), stagingTables());
    }

    /** The next month's addressable ids: one more folder. */
    private void addressableIds2Rows() {
        glue.deleteTable(b -> b.databaseName(DB).name("part_addressable_ids"));
        addressableIds(3);
    }

    @Test
    void withNoErTableYetItIsCreated() {
        addressableIds(1);

        ErTableRefresher.Result r = loop("2026-11-01", new ArrayList<>());

        assertEquals("CREATED", r.action());
        assertNull(r.previousLocation());
        assertEquals(4L, r.rows());
        assertEquals(r.location(), er().storageDescriptor().location());
        assertFalse(er().parameters().containsKey("flywheel_previous_location"));
    }

    @Test
    void aFailedCtasLeavesTodaysTableAsItWasAndSaysSo() {
        addressableIds(2);
        todaysErTable();
        // Something already in the folder this attempt would write: Athena refuses the CTAS.
        s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/identity/acx_ids_er/snapshot_dt=2026-11-01/run="
                + "20261102t020304z/x"),
                RequestBody.fromString("x"));

        QueryFailedException e = assertThrows(QueryFailedException.class, () -> loop("2026-11-01", new ArrayList<>()));

        assertTrue(e.getMessage().contains("part_addressable_ids_er is unchanged (still at " + TODAY + ")"),
                e.getMessage());
        assertTrue(e.getMessage().contains("HIVE_PATH_ALREADY_EXISTS"), e.getMessage());
        assertEquals(TODAY, er().storageDescriptor().location());
        assertEquals(0, CLOUD.proxy().count("glue:UpdateTable"));
        assertEquals(List.of(), stagingTables());

        // The operator's rerun, a minute later, writes a folder of its own and finishes the job.
        now.set(Instant.parse("2026-11-02T02:04:04Z"));
        ErTableRefresher.Result r = loop("2026-11-01", new ArrayList<>());
        assertEquals("REFRESHED", r.action());
        assertEquals(BASE + "snapshot_dt=2026-11-01/run=20261102t020404z/", er().storageDescriptor().location());
    }

    @Test
    void anEmptySourceNeverReplacesTheTable() {
        // Registered, with partitions, but no rows at all.
        addressableIds(0);
        todaysErTable();

        EmptyResultException e = assertThrows(EmptyResultException.class, () -> loop("2026-11-01", new ArrayList<>()));

        assertTrue(e.getMessage().contains("is unchanged (still at " + TODAY + ")"), e.getMessage());
        assertEquals(TODAY, er().storageDescriptor().location());
        assertEquals(0, CLOUD.proxy().count("glue:UpdateTable"));
        assertEquals(List.of(), stagingTables(), "the empty staging table is not left behind");
    }

    @Test
    void aRepeatedCallAfterTheSwapChangesNothing() {
        addressableIds(1);
        todaysErTable();
        ErTableRefresher refresher = refresher();
        CLOUD.proxy().resetCounts();
        ErTableRefresher.Result r = refresher.refresh(request("2026-11-01", null, null));
        ErTableRefresher.Result done = refresher.refresh(request("2026-11-01", r.queryExecutionId(), r.attempt()));
        while (done.status().equals("IN_PROGRESS")) {
            done = refresher.refresh(request("2026-11-01", r.queryExecutionId(), r.attempt()));
        }
        assertEquals("REFRESHED", done.action());

        // The answer was lost (a Lambda timeout) and Step Functions calls again with the same event.
        ErTableRefresher.Result again = refresher.refresh(request("2026-11-01", r.queryExecutionId(), r.attempt()));

        assertEquals("ALREADY_REFRESHED", again.action());
        assertEquals(TODAY, again.previousLocation());
        assertEquals(4L, again.rows());
        assertEquals(1, CLOUD.proxy().count("glue:UpdateTable"));
        assertEquals(1, CLOUD.proxy().count("athena:StartQueryExecution"));
    }

    @Test
    void aRetriedFirstCallNamesTheQueryAlreadyStartedAndKeepsItsStagingTable() {
        addressableIds(1);
        todaysErTable();
        String json = "{\"database\": \"" + DB + "\", \"location\": \"" + BASE + "\", \"snapshotDt\": \"2026-11-01\", "
                + "\"outputLocation\": \"s3://omc-flywheel-dev-analysis-data/query-results/er/\", "
                + "\"startedAt\": \"2026-11-01T02:00:00.123+00:00\"}";
        RefreshErTableRequest first = Events.read(new java.io.ByteArrayInputStream(json.getBytes()),
                RefreshErTableRequest.class);

        ErTableRefresher.Result r1 = refresher().refresh(first);
        // The CTAS runs to its end (its staging table registered) while the call's answer is lost.
        AthenaClient athena = client(AthenaClient.builder());
        String state;
        do {
            state = athena.getQueryExecution(b -> b.queryExecutionId(r1.queryExecutionId())).queryExecution()
                    .status().stateAsString();
        } while (state.equals("QUEUED") || state.equals("RUNNING"));
        assertEquals("SUCCEEDED", state);
        now.set(Instant.parse("2026-11-01T02:15:00Z")); // Step Functions retries the call after a Lambda timeout
        ErTableRefresher.Result r2 = refresher().refresh(first);

        assertEquals("20261101t020000z", r1.attempt(), "stamped with the run's start, not the call's time");
        assertEquals(r1.queryExecutionId(), r2.queryExecutionId(),
                "Athena answers the same ClientRequestToken with the same query");
        assertEquals(1, CLOUD.athenaCtas().ctasQueries().size(), "one CTAS, not two");
        assertEquals(List.of("tmp_part_addressable_ids_er_20261101t020000z"), stagingTables(),
                "the retried call does not take its own running attempt for a leftover");
    }

    @Test
    void aSwapGlueWroteInItsOwnFormIsRecognisedWhenTheCallIsRepeated() {
        addressableIds(1);
        todaysErTable();
        ErTableRefresher refresher = refresher();
        ErTableRefresher.Result r = refresher.refresh(request("2026-11-01", null, null));
        ErTableRefresher.Result done = refresher.refresh(request("2026-11-01", r.queryExecutionId(), r.attempt()));
        while (done.status().equals("IN_PROGRESS")) {
            done = refresher.refresh(request("2026-11-01", r.queryExecutionId(), r.attempt()));
        }
        // Glue keeps Athena's form of a path, without the final '/'.
        Table t = er();
        glue.updateTable(b -> b.databaseName(DB).tableInput(i -> i.name(t.name()).tableType(t.tableType())
                .parameters(t.parameters()).storageDescriptor(t.storageDescriptor().toBuilder()
                        .location(t.storageDescriptor().location().replaceAll("/$", "")).build())));
        CLOUD.proxy().resetCounts();

        ErTableRefresher.Result again = refresher.refresh(request("2026-11-01", r.queryExecutionId(), r.attempt()));

        assertEquals("ALREADY_REFRESHED", again.action());
        assertEquals(TODAY, again.previousLocation(), "the way back is kept");
        assertEquals(0, CLOUD.proxy().count("glue:UpdateTable"));
    }

    @Test
    void stagingTablesLeftByAnEarlierAttemptAreRemovedMetadataOnly() {
        addressableIds(1);
        todaysErTable();
        String leftover = BASE + "snapshot_dt=2026-10-01/run=20261001t020000z/";
        s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/identity/acx_ids_er/snapshot_dt=2026-10-01/run="
                + "20261001t020000z/f"),
                RequestBody.fromString("x"));
        glue.createTable(b -> b.databaseName(DB).tableInput(t -> t.name("tmp_part_addressable_ids_er_20261001t020000z")
                .tableType("EXTERNAL_TABLE").storageDescriptor(sd -> sd.location(leftover))));
        // Not this function's: a name it never gives, and one of its names over a folder elsewhere.
        glue.createTable(b -> b.databaseName(DB).tableInput(t -> t.name("tmp_part_addressable_ids_er_backup")
                .tableType("EXTERNAL_TABLE").storageDescriptor(sd -> sd.location(leftover))));
        glue.createTable(b -> b.databaseName(DB).tableInput(t -> t.name("tmp_part_addressable_ids_er_20260901t020000z")
                .tableType("EXTERNAL_TABLE").storageDescriptor(sd -> sd.location("s3://" + DATA + "/elsewhere/"))));

        ErTableRefresher.Result r = refresher().refresh(request("2026-11-01", null, null));

        assertEquals(List.of("tmp_part_addressable_ids_er_20261001t020000z"), r.removedStagingTables());
        assertTrue(stagingTables().containsAll(List.of("tmp_part_addressable_ids_er_backup",
                "tmp_part_addressable_ids_er_20260901t020000z")), stagingTables().toString());
        assertEquals(1, keys("omc_cleanroom_data/identity/acx_ids_er/snapshot_dt=2026-10-01/").size(),
                "its folder stays");
        assertEquals(TODAY, er().storageDescriptor().location());
    }

    @Test
    void aMissingSourceFailsBeforeAnyQueryOrWrite() {
        todaysErTable();

        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class,
                () -> refresher().refresh(request("2026-11-01", null, null)));

        assertTrue(e.getMessage().contains("omc_flywheel_dev.part_addressable_ids does not exist"), e.getMessage());
        assertEquals(0, CLOUD.proxy().count("athena:StartQueryExecution"));
        assertEquals(TODAY, er().storageDescriptor().location());
        assertThrows(EntityNotFoundException.class, () -> glue.getTable(b -> b.databaseName(DB).name("tmp_x")));
    }

    @Test
    void theCtasIsTheProjectionTodaysJobRunsWithEveryNameQuoted() {
        addressableIds(1);
        ErTableRefresher.Result r = refresher().refresh(request("2026-11-01", null, null));
        String query = client(AthenaClient.builder()).getQueryExecution(b -> b.queryExecutionId(r.queryExecutionId()))
                .queryExecution().query();
        assertEquals("CREATE TABLE \"omc_flywheel_dev\".\"tmp_part_addressable_ids_er_20261102t020304z\" WITH ("
                + "external_location = '" + BASE + "snapshot_dt=2026-11-01/run=20261102t020304z/', format = 'PARQUET', "
                + "write_compression = 'SNAPPY') AS SELECT \"customer_user_id\" AS \"row_id\", \"customer_user_id\" "
                + "FROM \"omc_flywheel_dev\".\"part_addressable_ids\"", query);
    }
}
