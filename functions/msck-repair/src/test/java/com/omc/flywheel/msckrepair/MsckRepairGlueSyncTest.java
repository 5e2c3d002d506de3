package com.omc.flywheel.msckrepair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.LakeBuilder.Registration;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.PartialFailureException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.GlueException;
import software.amazon.awssdk.services.glue.model.Table;

/** GLUE_SYNC against moto: the catalog ends equal to the folders, and says what it did per table. */
class MsckRepairGlueSyncTest extends LakeFixture {

    private static Map<String, TableOutcome> byTable(MsckRepairResult r) {
        return r.tables().stream().collect(Collectors.toMap(TableOutcome::table, o -> o));
    }

    private static MsckRepairRequest request(String json) {
        return Events.read(new java.io.ByteArrayInputStream(json.getBytes()), MsckRepairRequest.class);
    }

    /** A lake like production's after the register job, with everything that goes wrong today. */
    private void productionLikeLake() {
        partitioned("part_ibe_01", 16, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));         // 6 missing
        table("part_ibe_02", Registration.KEY_AS_COLUMN, 16, Map.of());                 // register job's output
        lake.table(new LakeBuilder.Table(DB, "part_ibe_03", ROOT + "IBE_03/", 5, Registration.PARTITIONED,
                LakeBuilder.buckets(8), LakeBuilder.buckets(8), Map.of("projection.enabled", "true",
                "projection.id_bucket.type", "integer", "storage.location.template", ROOT
                        + "IBE_03/id_bucket=${id_bucket}/")));
        partitioned("part_new_borrowers", 4, LakeBuilder.buckets(4));                   // already complete
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids_er", "s3://" + DATA
                + "/omc_cleanroom_data/identity/acx_ids_cur/", 2, Registration.UNPARTITIONED, List.of(), List.of(),
                        Map.of()));
        partitioned("part_n_a", 4, List.of());                                          // excluded by the event
        partitioned("ext_ibe_01", 4, List.of());                                        // not prefixed
    }

    @Test
    void everyTableEndsWithItsFoldersAsPartitionsAndASecondRunChangesNothing() throws Exception {
        productionLikeLake();
        MsckRepairHandler handler = new MsckRepairHandler(service(4, 2, 2_000), 60);

        JsonNode first = Events.mapper().readTree(SampleEvents.invoke(handler, "msck-repair",
                SampleEvents.read("msck-repair.json")));

        assertEquals("COMPLETE", first.get("status").asText());
        Map<String, String> actions = new HashMap<>();
        first.get("tables").forEach(t -> actions.put(t.get("table").asText(), t.get("action").asText()));
        assertEquals(Map.of("part_ibe_01", "SYNCED", "part_ibe_02", "MIGRATED", "part_ibe_03", "SYNCED",
                "part_new_borrowers", "UNCHANGED", "part_addressable_ids_er", "SKIPPED"), actions);
        assertEquals(6 + 16, first.get("summary").get("partitionsAdded").asInt());
        assertEquals(LakeBuilder.buckets(16).stream().collect(Collectors.toSet()), catalogPartitions("part_ibe_01"));
        assertEquals(LakeBuilder.buckets(16).stream().collect(Collectors.toSet()), catalogPartitions("part_ibe_02"));

        Table migrated = GLUE.getTable(b -> b.databaseName(DB).name("part_ibe_02")).table();
        assertEquals(List.of("id_bucket"), migrated.partitionKeys().stream().map(Column::name).toList());
        assertEquals("int", migrated.partitionKeys().get(0).type());
        assertFalse(migrated.storageDescriptor().columns().stream().anyMatch(c -> c.name().equals("id_bucket")));
        assertEquals(ROOT + "IBE_02/", migrated.storageDescriptor().location());
        assertEquals(LakeBuilder.PARQUET_SERDE, migrated.storageDescriptor().serdeInfo().serializationLibrary());
        Map<String, String> params = GLUE.getTable(b -> b.databaseName(DB).name("part_ibe_03")).table().parameters();
        assertTrue(params.keySet().stream().noneMatch(k -> k.startsWith("projection.")
                || k.equals("storage.location.template")),
                params.toString());
        assertEquals(List.of(), GLUE.getTable(b -> b.databaseName(DB).name("part_addressable_ids_er")).table()
                .partitionKeys(),
                "the ER table is never re-partitioned (today's month-2 bug)");
        assertEquals(List.of(), List.copyOf(catalogPartitions("part_n_a")), "excluded tables are untouched");
        assertEquals(List.of(), List.copyOf(catalogPartitions("ext_ibe_01")), "other prefixes are untouched");

        proxy.resetCounts();
        JsonNode second = Events.mapper().readTree(SampleEvents.invoke(handler, "msck-repair",
                SampleEvents.read("msck-repair.json")));
        second.get("tables").forEach(t -> {
            String expected = t.get("table").asText().endsWith("_er") ? "SKIPPED" : "UNCHANGED";
            assertEquals(expected, t.get("action").asText(), t.toString());
        });
        assertEquals(0, second.get("summary").get("partitionsAdded").asInt());
        assertEquals(0, proxy.count("glue:BatchCreatePartition") + proxy.count("glue:UpdateTable"),
                proxy.counts().toString());
    }

    @Test
    void moreThan100MissingPartitionsGoInCallsOfAtMost100() {
        partitioned("part_ibe_01", 256, List.of(7));
        MsckRepairResult r = service(2, 2, 2_000).repair(request("{\"database\":\"" + DB
                + "\",\"tablePrefix\":\"part_\"}"),
                () -> false);

        assertEquals(255, r.summary().partitionsAdded());
        assertEquals(3, proxy.count("glue:BatchCreatePartition"), "ceil(255 / 100) calls");
        assertEquals(LakeBuilder.buckets(256).stream().collect(Collectors.toSet()), catalogPartitions("part_ibe_01"));
        assertEquals(1, proxy.count("s3:ListObjectsV2"), "one delimiter listing: 256 folders fit a page");
    }

    @Test
    void theProxyReallyRejectsOversizedBatches() {
        partitioned("part_ibe_01", 1, List.of());
        var glue = software.amazon.awssdk.services.glue.GlueClient.builder().endpointOverride(proxy.endpointUri())
                .build();
        var inputs = LakeBuilder.buckets(101).stream().map(i ->
                software.amazon.awssdk.services.glue.model.PartitionInput
                .builder().values(Integer.toString(i)).build()).toList();
        GlueException e = assertThrows(GlueException.class, () -> glue.batchCreatePartition(b -> b.databaseName(DB)
                .tableName("part_ibe_01").partitionInputList(inputs)));
        assertEquals(400, e.statusCode());
    }

    @Test
    void aFailingTableNeverStopsTheOthersAndIsNamedAtTheEnd() {
        partitioned("part_ibe_01", 8, List.of());
        lake.table(new LakeBuilder.Table(DB, "part_ibe_04", ROOT + "IBE_04/", 3, Registration.PARTITIONED,
                LakeBuilder.buckets(2), List.of(), Map.of()));
        GLUE.updateTable(b -> b.databaseName(DB).tableInput(t -> t.name("part_ibe_04")
                .partitionKeys(Column.builder().name("id_bucket").type("int").build())
                .storageDescriptor(s -> s.location("s3://no-such-bucket-anywhere/IBE_04/")
                        .columns(LakeBuilder.columns("part_ibe_04", 3)))));
        partitioned("part_ibe_05", 8, List.of());

        PartialFailureException e = assertThrows(PartialFailureException.class, () -> service(2, 2, 2_000)
                .repair(request("{\"database\":\"" + DB + "\",\"tablePrefix\":\"part_\"}"), () -> false));

        assertEquals(List.of("part_ibe_04"), e.failed());
        assertTrue(e.getMessage().contains("no-such-bucket-anywhere") && e.getMessage().contains("16 partitions added"),
                e.getMessage());
        assertEquals(8, catalogPartitions("part_ibe_01").size());
        assertEquals(8, catalogPartitions("part_ibe_05").size());
    }

    @Test
    void anExplicitListWithAMissingTableReportsItAndRepairsTheRest() {
        partitioned("part_ibe_01", 4, List.of());
        PartialFailureException e = assertThrows(PartialFailureException.class, () -> new MsckRepairHandler(
                service(2, 2, 2_000), 60).handleRequest(new java.io.ByteArrayInputStream(
                SampleEvents.read("msck-repair-tables.json").getBytes()), new java.io.ByteArrayOutputStream(), null));

        assertEquals(List.of("part_ibe_02"), e.failed());
        assertTrue(e.getMessage().contains("part_ibe_02 (table omc_flywheel_dev.part_ibe_02 does not exist)"),
                e.getMessage());
        assertEquals(4, catalogPartitions("part_ibe_01").size());
    }

    @Test
    void nearTheTimeoutItStopsTakingTablesAndTheNextCallFinishesWithoutRedoingAny() {
        for (int i = 1; i <= 5; i++) {
            partitioned("part_ibe_0" + i, 4, List.of());
        }
        AtomicInteger asked = new AtomicInteger();
        MsckRepairService service = service(1, 2, 2_000);
        MsckRepairResult first = service.repair(request("{\"database\":\"" + DB + "\",\"tablePrefix\":\"part_\"}"),
                () -> asked.incrementAndGet() > 1);

        assertEquals("IN_PROGRESS", first.status());
        assertNotNull(first.continuationToken());
        assertEquals(List.of("part_ibe_01", "part_ibe_02"), first.tables().stream().map(TableOutcome::table).toList());
        assertEquals(3, first.summary().remaining());

        proxy.resetCounts();
        MsckRepairResult second = service.repair(request("{\"database\":\"" + DB + "\",\"tablePrefix\":\"part_\","
                + "\"continuationToken\":\"" + first.continuationToken() + "\"}"), () -> false);

        assertEquals("COMPLETE", second.status());
        assertNull(second.continuationToken());
        assertEquals(5, second.tables().size(), "every table once, earlier calls' included");
        assertEquals(20, second.summary().partitionsAdded());
        assertEquals(3, proxy.count("glue:GetPartitions"), "only the three remaining tables were read");
        for (int i = 1; i <= 5; i++) {
            assertEquals(4, catalogPartitions("part_ibe_0" + i).size());
        }
    }

    @Test
    void aTokenFromAnotherCallIsInvalidInput() {
        partitioned("part_ibe_01", 2, List.of());
        MsckRepairService service = service(1, 2, 2_000);
        String token = service.repair(request("{\"database\":\"" + DB + "\",\"tablePrefix\":\"part_\"}"), () -> true)
                .continuationToken();
        assertNull(token, "one table: done in the first call");

        assertThrows(InvalidInputException.class, () -> service.repair(request("{\"database\":\"" + DB
                + "\",\"tablePrefix\":\"part_\",\"continuationToken\":\"bm90LWEtdG9rZW4\"}"), () -> false));
    }

    @Test
    void largeTablesAreReadInParallelSegmentsWithTheSameResult() {
        partitioned("part_ibe_01", 40, LakeBuilder.buckets(25));
        MsckRepairResult r = service(2, 2, 10).repair(request("{\"database\":\"" + DB
                + "\",\"tablePrefix\":\"part_\"}"),
                () -> false);

        assertEquals(15, r.summary().partitionsAdded());
        assertEquals(4, proxy.count("glue:GetPartitions"), "four segments");
        assertEquals(40, catalogPartitions("part_ibe_01").size());
    }
}
