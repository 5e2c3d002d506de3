package com.omc.flywheel.msckrepair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.lambda.LocalContext;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.errors.PartialFailureException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.model.Column;

/**
 * Transient failures are retried by the state machine; the state between calls and the full result can
 * live in S3; worker threads log with the request id.
 */
class MsckRepairStateTest extends LakeFixture {
    static final String STATE = "omc-flywheel-dev-analysis-data";

    private static MsckRepairRequest request(String extra) {
        String json = "{\"database\":\"" + DB + "\",\"tablePrefix\":\"part_\"" + extra + "}";
        return Events.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), MsckRepairRequest.class);
    }

    /** A table whose location is in a bucket that does not exist: a genuine, non-transient failure. */
    private void tableInAMissingBucket(String name) {
        lake.table(new LakeBuilder.Table(DB, name, ROOT + "X/", 3, LakeBuilder.Registration.PARTITIONED,
                LakeBuilder.buckets(2), List.of(), Map.of()));
        GLUE.updateTable(b -> b.databaseName(DB).tableInput(t -> t.name(name)
                .partitionKeys(Column.builder().name("id_bucket").type("int").build())
                .storageDescriptor(s -> s.location("s3://no-such-bucket-anywhere/X/")
                        .columns(LakeBuilder.columns(name, 3)))));
    }

    @Test
    void persistentThrottlingIsATransientFailureNamingEveryTableAndARerunCompletes() {
        partitioned("part_ibe_01", 4, List.of());
        partitioned("part_ibe_02", 4, List.of());
        tableInAMissingBucket("part_ibe_03");
        partitioned("part_ibe_04", 4, LakeBuilder.buckets(4));
        // Two SDK attempts a call instead of production's five: what is tested is what the service does
        // once the SDK gives up, and five throttled attempts spent some 25 s in the adaptive backoff.
        MsckRepairService service;
        System.setProperty("FLYWHEEL_MAX_ATTEMPTS", "2");
        try {
            service = service(2, 2, 2_000);
        } finally {
            System.clearProperty("FLYWHEEL_MAX_ATTEMPTS");
        }
        AwsProxy.Fault throttled = proxy.inject(AwsProxy.Fault.first("glue:BatchCreatePartition",
                AwsProxy.FaultKind.THROTTLING_400, 1_000));

        TransientAwsException e = assertThrows(TransientAwsException.class,
                () -> service.repair(request(""), () -> false));

        assertTrue(throttled.injected() >= 2, "every attempt was throttled");
        String m = e.getMessage();
        // Grouped by error: the two throttled tables share one.
        for (String t : List.of("2 tables (part_ibe_01, part_ibe_02): transient", "part_ibe_03 (",
                "no-such-bucket-anywhere",
                "part_ibe_04 UNCHANGED")) {
            assertTrue(m.contains(t), "the message names " + t + ": " + m);
        }
        assertEquals(0, catalogPartitions("part_ibe_01").size());

        proxy.clearFaults();
        PartialFailureException rerun = assertThrows(PartialFailureException.class,
                () -> service.repair(request(""), () -> false));
        assertEquals(List.of("part_ibe_03"), rerun.failed(), "only the genuine failure is left");
        assertEquals(4, catalogPartitions("part_ibe_01").size());
        assertEquals(4, catalogPartitions("part_ibe_02").size());
    }

    @Test
    void aTransientFailureInAnEarlierCallIsTriedAgainByTheNextCall() {
        for (int i = 1; i <= 3; i++) {
            partitioned("part_ibe_0" + i, 4, List.of());
        }
        MsckRepairService service = service(1, 2, 2_000);
        proxy.inject(AwsProxy.Fault.first("glue:BatchCreatePartition", AwsProxy.FaultKind.UNAVAILABLE_503, 1_000));
        AtomicInteger asked = new AtomicInteger();
        MsckRepairResult first = service.repair(request(""), () -> asked.incrementAndGet() > 1);
        assertEquals("IN_PROGRESS", first.status());
        assertEquals(Boolean.TRUE, first.tables().get(0).transientFailure(), first.tables().toString());

        proxy.clearFaults();
        MsckRepairResult second = service.repair(request(",\"continuationToken\":\"" + first.continuationToken()
                + "\""),
                () -> false);
        assertEquals("COMPLETE", second.status());
        assertEquals(0, second.summary().failed());
        assertEquals(4, catalogPartitions("part_ibe_01").size());
    }

    @Test
    void withAStateBucketTheTokenIsAnS3KeyWhateverTheNumberOfTablesAndTheStateIsDeletedAtTheEnd() {
        S3.createBucket(b -> b.bucket(STATE));
        int tables = 40;
        for (int i = 0; i < tables; i++) {
            partitioned(String.format("part_t%02d", i), 2, List.of());
        }
        MsckRepairService service = service(4, 2, 2_000);
        AtomicInteger asked = new AtomicInteger();
        MsckRepairResult first = service.repair(request(",\"stateBucket\":\"" + STATE + "\""),
                () -> asked.incrementAndGet() > 30);

        assertEquals("IN_PROGRESS", first.status());
        String token = first.continuationToken();
        assertTrue(token.startsWith("s3:msck-repair/.in-progress/") && token.length() < 100, token);
        String key = token.substring(3);
        assertNotNull(S3.headObject(b -> b.bucket(STATE).key(key)).serverSideEncryption(), "encrypted at rest");

        MsckRepairResult second = service.repair(request(",\"stateBucket\":\"" + STATE + "\",\"continuationToken\":\""
                + token + "\""), () -> false);
        assertEquals("COMPLETE", second.status());
        assertEquals(tables, second.tables().size());
        assertEquals(2 * tables, second.summary().partitionsAdded());
        assertEquals(0, S3.listObjectsV2(b -> b.bucket(STATE).prefix("msck-repair/.in-progress/")).keyCount(),
                "the state is deleted once the repair ends");
    }

    @Test
    void aCompactResultListsOnlyTheFailedTablesAndTheFullListIsInTheStateBucket() throws Exception {
        S3.createBucket(b -> b.bucket(STATE));
        tableInAMissingBucket("part_ibe_01");
        partitioned("part_ibe_02", 2, List.of());
        partitioned("part_ibe_03", 2, List.of());
        MsckRepairService service = service(1, 2, 2_000);
        AtomicInteger asked = new AtomicInteger();
        String extra = ",\"stateBucket\":\"" + STATE + "\",\"compactResult\":true";

        MsckRepairResult first = service.repair(request(extra), () -> asked.incrementAndGet() > 1);

        assertEquals("IN_PROGRESS", first.status());
        assertEquals(List.of("part_ibe_01"), first.tables().stream().map(TableOutcome::table).toList());
        assertEquals(2, first.summary().tables(), "the summary counts every table");
        assertEquals(1, first.summary().failed());
        JsonNode details = Events.mapper().readTree(S3.getObjectAsBytes(b -> b.bucket(STATE).key(first.detailsKey()))
                .asByteArray());
        assertEquals(2, details.size());
        assertEquals("SYNCED", details.get(1).get("action").asText());

        PartialFailureException e = assertThrows(PartialFailureException.class, () -> service.repair(request(extra
                + ",\"continuationToken\":\"" + first.continuationToken() + "\""), () -> false));
        assertTrue(e.getMessage().contains("s3://" + STATE + "/" + first.detailsKey()), e.getMessage());
        assertEquals(3, Events.mapper().readTree(S3.getObjectAsBytes(b -> b.bucket(STATE).key(first.detailsKey()))
                .asByteArray()).size());
    }

    @Test
    void linesLoggedByTheTableWorkersCarryTheRequestId() throws Exception {
        partitioned("part_ibe_01", 2, List.of());
        partitioned("part_ibe_02", 2, List.of());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LocalContext context = new LocalContext("msck-repair", 900, 1024);
        JsonLog.redirect(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            new MsckRepairHandler(service(2, 2, 2_000), 60).handleRequest(new ByteArrayInputStream(
                    ("{\"database\":\"" + DB + "\",\"tablePrefix\":\"part_\"}").getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayOutputStream(), context);
        } finally {
            JsonLog.redirect(System.err);
        }
        List<JsonNode> tableLines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode n = Events.mapper().readTree(line);
            if (n.has("table")) {
                tableLines.add(n);
            }
        }
        assertEquals(2, tableLines.size(), "one line per table, written by the table workers");
        for (JsonNode n : tableLines) {
            assertEquals(context.getAwsRequestId(), n.path("requestId").asText(), n.toString());
            assertEquals("msck-repair", n.path("function").asText());
        }
        assertFalse(context.getAwsRequestId().isBlank());
    }
}
