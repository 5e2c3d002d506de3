package com.omc.flywheel.msckrepair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.LakeBuilder.Registration;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.Events;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The dry run a shadow refresh sends ({@code dryRun}, {@code shadow}): every table's plan, nothing
 * changed in the catalog, and the state objects under {@code msck-repair/shadow/}.
 */
class MsckRepairDryRunTest extends LakeFixture {

    private static final String STATE_BUCKET = "omc-flywheel-dev-analysis-data";

    @Test
    void aDryRunSaysWhatARepairWouldDoAndChangesNothing() throws Exception {
        partitioned("part_ibe_01", 16, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        table("part_ibe_02", Registration.KEY_AS_COLUMN, 8, Map.of());
        partitioned("part_new_borrowers", 4, LakeBuilder.buckets(4));
        S3.createBucket(b -> b.bucket(STATE_BUCKET));
        MsckRepairHandler handler = new MsckRepairHandler(service(4, 2, 2_000), 60);
        String event = SampleEvents.read("msck-repair.json").replaceFirst("\\{", "{\"dryRun\": true, \"shadow\": "
                + "true, \"stateBucket\": \"" + STATE_BUCKET + "\", \"compactResult\": true, ");

        JsonNode r = Events.mapper().readTree(SampleEvents.invoke(handler, "msck-repair", event));

        assertEquals("COMPLETE", r.get("status").asText(), r.toString());
        assertEquals(0, r.get("summary").get("partitionsAdded").asInt());
        assertEquals(6 + 8, r.get("summary").get("partitionsToAdd").asInt(), r.toString());
        assertEquals(IntStream.range(0, 10).boxed().collect(Collectors.toSet()), catalogPartitions("part_ibe_01"),
                "no partition created");
        assertEquals(List.of(), proxy.counts().keySet().stream().filter(k -> k.startsWith("glue:")
                && !k.startsWith("glue:Get")).toList(), "no Glue call but reads");
        assertEquals(List.of(), GLUE.getTable(b -> b.databaseName(DB).name("part_ibe_02")).table().partitionKeys()
                .stream().map(Column::name).toList(), "part_ibe_02 not re-partitioned");
        String details = r.get("detailsKey").asText();
        assertTrue(details.startsWith("msck-repair/shadow/results/"), details);
        JsonNode outcomes = Events.mapper().readTree(S3.getObjectAsBytes(b -> b.bucket(STATE_BUCKET).key(details))
                .asByteArray());
        Map<String, String> actions = new HashMap<>();
        outcomes.forEach(o -> actions.put(o.get("table").asText(), o.get("action").asText() + " "
                + o.path("partitionsToAdd").asInt(-1)));
        assertEquals(Map.of("part_ibe_01", "PLANNED 6", "part_ibe_02", "PLANNED 8", "part_new_borrowers",
                "UNCHANGED 0"), actions);
        assertTrue(outcomes.toString().contains("would re-partition by id_bucket int"), outcomes.toString());
        List<String> keys = S3.listObjectsV2(b -> b.bucket(STATE_BUCKET)).contents().stream().map(S3Object::key)
                .toList();
        assertEquals(List.of(details), keys, "the only object written is the shadow run's outcome file");
    }
}
