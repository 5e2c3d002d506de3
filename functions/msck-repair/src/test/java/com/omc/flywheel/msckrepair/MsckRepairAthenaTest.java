package com.omc.flywheel.msckrepair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.LakeBuilder.Registration;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.Events;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.glue.model.Column;

/**
 * ATHENA_MSCK against moto: MSCK REPAIR TABLE with quoted, validated names, never more than the
 * bound running at once, the state machine's loop (call, poll, call with the token) until COMPLETE.
 * moto's Athena succeeds every query and adds nothing to the catalog, so what is checked is the
 * queries themselves and the table layout, not partitions.
 */
class MsckRepairAthenaTest extends LakeFixture {

    @Test
    void everyTableGetsOneMsckQueryAtMostTwoAtATime() {
        for (int i = 1; i <= 5; i++) {
            partitioned("part_ibe_0" + i, 4, List.of());
        }
        table("part_miacs_01", Registration.KEY_AS_COLUMN, 4, Map.of());
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids_er", "s3://" + DATA + "/identity/", 2,
                Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        MsckRepairService service = service(4, 2, 2_000);
        String event = SampleEvents.read("msck-repair-athena.json");

        List<MsckRepairResult> calls = new ArrayList<>();
        MsckRepairResult r = service.repair(read(event), () -> false);
        calls.add(r);
        while (r.status().equals("IN_PROGRESS") && calls.size() < 20) {
            assertTrue(r.queryExecutionIds().size() <= 2, "at most 2 MSCK queries at once: " + r.queryExecutionIds());
            // (the state machine polls check-status with r.queryExecutionIds() here)
            r = service.repair(read(event.replace("\"mode\"", "\"continuationToken\": \"" + r.continuationToken()
                    + "\", \"mode\"")), () -> false);
            calls.add(r);
        }

        assertEquals("COMPLETE", r.status());
        assertTrue(calls.size() >= 4, "six tables, two at a time: " + calls.size() + " calls");
        Set<String> repaired = new TreeSet<>();
        for (TableOutcome o : r.tables()) {
            if (o.table().endsWith("_er")) {
                assertEquals("SKIPPED", o.action());
                continue;
            }
            assertEquals("REPAIRED", o.action(), o.toString());
            assertNotNull(o.queryExecutionId());
            QueryExecution q = ATHENA.getQueryExecution(b -> b.queryExecutionId(o.queryExecutionId())).queryExecution();
            assertEquals("MSCK REPAIR TABLE `" + DB + "`.`" + o.table() + "`", q.query());
            assertEquals("primary", q.workGroup());
            assertTrue(q.resultConfiguration().outputLocation().startsWith(
                    "s3://omc-flywheel-dev-analysis-data/query-results/msck/"),
                            q.resultConfiguration().outputLocation());
            repaired.add(o.table());
        }
        assertEquals(6, repaired.size());
        assertEquals(6, proxy.count("athena:StartQueryExecution"), "one query per table, none repeated");
        assertEquals(List.of("id_bucket"), GLUE.getTable(b -> b.databaseName(DB).name("part_miacs_01")).table()
                .partitionKeys().stream().map(Column::name).toList(), "the layout is fixed before MSCK runs");
    }

    private static MsckRepairRequest read(String json) {
        return Events.read(new java.io.ByteArrayInputStream(json.getBytes()), MsckRepairRequest.class);
    }
}
