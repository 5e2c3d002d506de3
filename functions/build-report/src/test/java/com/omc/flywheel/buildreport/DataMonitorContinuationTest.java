package com.omc.flywheel.buildreport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.lambda.LocalContext;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The data monitor within its Lambda time: out of time it answers IN_PROGRESS with the key of its state,
 * the next calls go on from there, and the last writes exactly the files of an uninterrupted run.
 */
class DataMonitorContinuationTest extends ReportFixture {
    static final List<String> TABLES = List.of("part_ibe_01", "part_ibe_02", "part_ibe_03", "part_ibe_04");
    private AwsProxy proxy;

    @BeforeEach
    void proxyAndLake() {
        proxy = AwsProxy.start(MOTO.endpoint());
        for (String t : TABLES) {
            partTable(t, ROOT + t.toUpperCase() + "/", 8, t.equals("part_ibe_02") ? List.of(0, 1, 2)
                    : LakeBuilder.buckets(8));
            String src = t.replace("part_", "ext_");
            lake.table(new LakeBuilder.Table(DB, src, "s3://" + DATA + "/split_cluster/" + src + "/", 5,
                    LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        }
        put(DATA, "omc_cleanroom_data/split_part/infobase_attributes/metadata/snapshot_dt.txt", "2025-10-22\n");
        put(DATA, "opus/infobase_attributes/raw_input/snapshot_dt=2025-10-22/_SUCCESS", "");
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    /** Per table, in name order: rows, NULL keys, duplicate rows; then the source's rows. */
    private static void athenaAnswers() {
        MOTO.athenaResults(List.of(List.of("1000", "0", "0"), List.of("1000"), List.of("990", "0", "0"),
                List.of("1000"),
                List.of("1000", "0", "6"), List.of("1000"), List.of("1000", "0", "0"), List.of("1000")));
    }

    /** The service with every client going through the proxy. */
    private BuildReportService viaProxy() {
        return viaProxy(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private BuildReportService viaProxy(Clock clock) {
        ReportSettings settings = new ReportSettings(1, 1, 10, 30, 0, "primary", null, null, Map.of());
        return new BuildReportService(AwsClients.build(GlueClient.builder().endpointOverride(proxy.endpointUri())),
                AwsClients.build(S3Client.builder().endpointOverride(proxy.endpointUri())),
                AwsClients.build(AthenaClient.builder().endpointOverride(proxy.endpointUri())),
                AwsClients.build(SnsClient.builder().endpointOverride(proxy.endpointUri())), CLEAN_ROOMS, ER,
                BuildReportHandler.pool(1), settings, clock);
    }

    /** A Lambda context with {@code remainingMillis} left, whatever the clock says. */
    private static Context remaining(long remainingMillis) {
        return remaining(() -> remainingMillis);
    }

    private static Context remaining(java.util.function.LongSupplier remainingMillis) {
        LocalContext local = new LocalContext("build-report", 900, 1024);
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (p, m, args) -> m.getName().equals("getRemainingTimeInMillis") ? (int) remainingMillis.getAsLong()
                        : m.invoke(local, args));
    }

    private static JsonNode invoke(BuildReportHandler handler, String body, Context context) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), out, context);
        return Events.mapper().readTree(out.toByteArray());
    }

    private static String withToken(String token) {
        String event = com.omc.flywheel.local.fixtures.SampleEvents.read("build-report-data-monitor.json");
        return token == null ? event : event.replaceFirst("\\{", "{\"continuationToken\": \"" + token + "\",");
    }

    private byte[] bytes(String key) {
        return S3.getObjectAsBytes(b -> b.bucket(REPORTS).key(key)).asByteArray();
    }

    @Test
    void outOfTimeItAnswersInProgressAndTheLastCallWritesTheFilesOfAnUninterruptedRun() throws Exception {
        // Each run's clock starts at NOW and moves on a second at every reading: the calls after the
        // first must keep the first call's time (generated_at, checked_at) for the files to be the same.
        BuildReportHandler handler = new BuildReportHandler(viaProxy(ticking(NOW)), 120);
        athenaAnswers();
        JsonNode whole = invoke(handler, withToken(null), remaining(800_000));
        assertEquals("COMPLETE", whole.get("status").asText());
        List<String> keys = new ArrayList<>();
        whole.get("reportKeys").forEach(k -> keys.add(k.asText()));
        byte[] json = bytes(keys.get(0));
        byte[] csv = bytes(keys.get(1));
        keys.forEach(k -> S3.deleteObject(b -> b.bucket(REPORTS).key(k)));
        JsonNode wholeJson = Events.mapper().readTree(json);
        assertEquals("2025-11-01T02:00:00Z", wholeJson.get("generated_at").asText());
        wholeJson.get("tables").forEach(t -> assertEquals("2025-11-01T02:00:00Z", t.get("checked_at").asText()));
        assertTrue(new String(csv, StandardCharsets.UTF_8).endsWith(",2025-11-01T02:00:00Z,2025-10-22\r\n"));

        handler = new BuildReportHandler(viaProxy(ticking(NOW)), 120);
        athenaAnswers();
        // 90 s left: less than the 120 s margin (no new table), more than half of it (queries go on).
        JsonNode first = invoke(handler, withToken(null), remaining(90_000));
        assertEquals("IN_PROGRESS", first.get("status").asText());
        assertEquals(1, first.get("tables").asInt(), "one table per call when time is short: progress, no more");
        assertEquals(0, first.get("reportKeys").size(), "nothing written yet");
        String token = first.get("continuationToken").asText();
        assertTrue(token.startsWith("data-monitor/.in-progress/") && token.endsWith(".json.gz"), token);
        assertTrue(S3.headObject(b -> b.bucket(REPORTS).key(token)).serverSideEncryptionAsString() != null);
        assertEquals(0, S3.listObjectsV2(b -> b.bucket(REPORTS).prefix("data-monitor/ACX_")).keyCount());

        JsonNode second = invoke(handler, withToken(token), remaining(90_000));
        assertEquals("IN_PROGRESS", second.get("status").asText());
        assertEquals(2, second.get("tables").asInt());
        assertEquals(token, second.get("continuationToken").asText());

        JsonNode last = invoke(handler, withToken(token), remaining(800_000));
        assertEquals("COMPLETE", last.get("status").asText());
        assertEquals(whole.get("reportKeys"), last.get("reportKeys"), "the same keys");
        assertEquals(whole.get("issues"), last.get("issues"));
        assertEquals(4, last.get("tables").asInt());
        assertArrayEquals(json, bytes(keys.get(0)), "the same JSON, byte for byte");
        assertArrayEquals(csv, bytes(keys.get(1)), "the same CSV, byte for byte");
        assertEquals(0, S3.listObjectsV2(b -> b.bucket(REPORTS).prefix("data-monitor/.in-progress/")).keyCount(),
                "the state is deleted once the report is written");
        assertEquals(8 * 2, proxy.count("athena:StartQueryExecution"), "no table's queries ran twice");
    }

    @Test
    void queriesStillRunningWhenTheCallGivesUpAreStoppedAndTheirTableIsCheckedNextCall() throws Exception {
        // Athena answers RUNNING to every poll, as a query that goes on would.
        proxy.addRewrite((call, answer) -> {
            if (!call.key().equals("athena:GetQueryExecution") || answer.status() != 200) {
                return Optional.empty();
            }
            try {
                JsonNode body = Events.mapper().readTree(answer.body());
                ((ObjectNode) body.path("QueryExecution").path("Status")).put("State", "RUNNING");
                return Optional.of(new AwsProxy.Reply(200, answer.headers(), Events.mapper().writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        BuildReportHandler handler = new BuildReportHandler(viaProxy(), 120);

        // 90 s left when the first query starts, 10 s (less than half the margin) once it runs.
        JsonNode first = invoke(handler, withToken(null),
                remaining(() -> proxy.count("athena:StartQueryExecution") > 0 ? 10_000 : 90_000));

        assertEquals("IN_PROGRESS", first.get("status").asText());
        assertEquals(0, first.get("tables").asInt(), "the table whose query was stopped is not counted as checked");
        assertEquals(1, proxy.count("athena:StartQueryExecution"));
        assertEquals(1, proxy.count("athena:StopQueryExecution"), "the query still running was stopped");

        proxy.clearRules();
        athenaAnswers();
        JsonNode last = invoke(handler, withToken(first.get("continuationToken").asText()), remaining(800_000));
        assertEquals("COMPLETE", last.get("status").asText());
        assertEquals(4, last.get("tables").asInt());
    }

    @Test
    void aTokenForAnotherReportPrefixOrReportIsInvalidInput() {
        assertThrows(InvalidInputException.class, () -> request("build-report-data-monitor.json", "{",
                "{\"continuationToken\": \"other/.in-progress/00000000-0000-0000-0000-000000000000.json.gz\","));
        assertThrows(InvalidInputException.class, () -> request("build-report-data-monitor.json", "{",
                "{\"continuationToken\": \"../x\","));
    }

    @Test
    void persistentS3FailuresAreTransientAndARerunCompletes() throws Exception {
        BuildReportHandler handler = new BuildReportHandler(viaProxy(), 120);
        AwsProxy.Fault fault = proxy.inject(AwsProxy.Fault.first("s3:ListObjectsV2", AwsProxy.FaultKind.INTERNAL_500,
                1_000));

        TransientAwsException e = assertThrows(TransientAwsException.class,
                () -> invoke(handler, withToken(null), remaining(800_000)));
        assertTrue(e.getMessage().contains("S3"), e.getMessage());
        assertTrue(fault.injected() >= 2);

        proxy.clearFaults();
        proxy.inject(AwsProxy.Fault.first("s3:PutObject", AwsProxy.FaultKind.INTERNAL_500, 1_000));
        athenaAnswers();
        TransientAwsException put = assertThrows(TransientAwsException.class,
                () -> invoke(handler, withToken(null), remaining(800_000)));
        assertTrue(put.getMessage().contains("s3://" + REPORTS + "/data-monitor/ACX_Data_Monitor_Report_2025-11-01"),
                put.getMessage());

        proxy.clearFaults();
        athenaAnswers();
        JsonNode rerun = invoke(handler, withToken(null), remaining(800_000));
        assertEquals("COMPLETE", rerun.get("status").asText());
        assertEquals(2, rerun.get("reportKeys").size());
    }

    @Test
    void aMissingReportBucketIsResourceNotFoundNamingIt() {
        BuildReportHandler handler = new BuildReportHandler(viaProxy(), 120);
        athenaAnswers();
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class, () -> invoke(handler,
                withToken(null).replace(REPORTS + "\"", "omc-flywheel-no-such-reports\""), remaining(800_000)));
        assertTrue(e.getMessage().contains("omc-flywheel-no-such-reports"), e.getMessage());
    }
}
