package com.omc.flywheel.resolvesnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/** resolve-snapshot against moto, through every sample event. */
class ResolveSnapshotTest {
    static final MotoServer MOTO = MotoServer.shared();
    static final S3Client S3 = AwsClients.build(S3Client.builder());
    static final String DATA = "omc-flywheel-data-us-east-1-dev";

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("resolve-snapshot");
        assertTrue(files.size() >= 4, files.toString());
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    /**
     * addressable_ids has the newest snapshot 2025-11-22 that infobase lacks; 2025-12-22 is under
     * both but infobase's is still being written (no _SUCCESS); the complete snapshots are 2025-09-22
     * and 2025-10-22, so the run takes 2025-10-22. Every folder but the one being written has its marker.
     */
    static void lake() {
        MOTO.reset();
        S3.createBucket(b -> b.bucket(DATA));
        for (String key : List.of("opus/addressable_ids/raw_input/snapshot_dt=2025-09-22/",
                "opus/addressable_ids/raw_input/snapshot_dt=2025-10-22/",
                "opus/addressable_ids/raw_input/snapshot_dt=2025-11-22/",
                "opus/addressable_ids/raw_input/snapshot_dt=2025-12-22/",
                "opus/infobase_attributes/raw_input/snapshot_dt=2025-09-22/",
                "opus/infobase_attributes/raw_input/snapshot_dt=2025-10-22/")) {
            put(key + "a.parquet");
            put(key + "_SUCCESS");
        }
        put("opus/infobase_attributes/raw_input/snapshot_dt=2025-12-22/a.parquet");
    }

    static void put(String key) {
        S3.putObject(b -> b.bucket(DATA).key(key), RequestBody.fromString(key.endsWith("_SUCCESS") ? "" : "x"));
    }

    private void run(String file) {
        lake();
        String body = SampleEvents.read(file);
        switch (file) {
            case "resolve-snapshot.json" -> {
                String out = SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", body);
                assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\"") && out.contains("\"resolved\":true"), out);
                assertTrue(out.contains("\"skippedIncomplete\":{\"2025-12-22\":\"s3://" + DATA
                        + "/opus/infobase_attributes/raw_input/\"}"), out);
            }
            case "resolve-snapshot-given.json" -> {
                String out = SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", body);
                assertTrue(out.contains("\"snapshotDt\":\"2025-09-22\"") && out.contains("\"resolved\":false"), out);
                assertThrows(ResourceNotFoundException.class, () -> SampleEvents.invoke(new ResolveSnapshotHandler(),
                        "resolve-snapshot", body.replace("2025-09-22", "2025-11-22")), "not under infobase");
                ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class, () -> SampleEvents.invoke(
                        new ResolveSnapshotHandler(), "resolve-snapshot", body.replace("2025-09-22", "2025-12-22")));
                assertTrue(e.getMessage().contains("s3://" + DATA
                        + "/opus/infobase_attributes/raw_input/snapshot_dt=2025-12-22/_SUCCESS")
                        && !e.getMessage().contains("addressable_ids/raw_input/snapshot_dt=2025-12-22/_SUCCESS"),
                                e.getMessage());
            }
            case "resolve-snapshot-invalid-prefix.json" -> {
                S3Client nowhere = AwsClients.build(S3Client.builder()
                        .endpointOverride(URI.create("http://127.0.0.1:9")));
                InvalidInputException e = assertThrows(InvalidInputException.class,
                        () -> SampleEvents.invoke(new ResolveSnapshotHandler(nowhere), "resolve-snapshot", body));
                assertEquals("rawInputPrefixes[0]", e.field());
            }
            case "resolve-snapshot-invalid-execution-arn.json" -> {
                // A state machine's ARN where the execution's belongs: refused before any call to S3 or Step Functions.
                S3Client nowhere = AwsClients.build(S3Client.builder()
                        .endpointOverride(URI.create("http://127.0.0.1:9")));
                SfnClient noSfn = AwsClients.build(SfnClient.builder()
                        .endpointOverride(URI.create("http://127.0.0.1:9")));
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> SampleEvents.invoke(
                        new ResolveSnapshotHandler(nowhere, noSfn), "resolve-snapshot", body));
                assertEquals("executionArn", e.field());
                assertTrue(e.getMessage().contains(":stateMachine:omc-flywheel-dev-db-refresh"), e.getMessage());
            }
            default -> fail("events/" + file + " has no expected outcome in this test: add one");
        }
    }
}
