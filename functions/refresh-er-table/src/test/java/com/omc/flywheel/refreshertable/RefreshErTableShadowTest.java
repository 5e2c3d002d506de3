package com.omc.flywheel.refreshertable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.shared.Events;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A shadow run's event ({@code shadow: true}): the ER table built under its shadow name, outside the
 * {@code part_} prefix, in a folder of the location's own, with its Athena results apart; the table
 * production reads is named only as what it stands in for. (The CTAS itself runs in
 * ShadowRefreshStateMachineTest.)
 */
class RefreshErTableShadowTest {
    private static RefreshErTableRequest read(String extra) {
        String json = "{\"database\": \"omc_flywheel_dev\", \"location\": \"s3://data/identity/acx_ids_er/\", "
                + "\"snapshotDt\": \"2026-11-30\", \"outputLocation\": \"s3://reports/query-results/er/\"" + extra
                + "}";
        return Events.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                RefreshErTableRequest.class);
    }

    @Test
    void theShadowTableHasItsOwnNameLocationAndResults() {
        RefreshErTableRequest r = read(", \"shadow\": true");

        assertEquals("shadow_part_addressable_ids_er", r.table());
        assertFalse(r.table().startsWith("part_"), "no step discovering part_* takes it");
        assertEquals("s3://data/identity/acx_ids_er/shadow/", r.location());
        assertEquals("s3://reports/query-results/er/shadow/", r.outputLocation());
        assertEquals("part_addressable_ids_er", r.productionTable());
        assertTrue(r.stagingLocation("20261201t020000z").startsWith("s3://data/identity/acx_ids_er/shadow/"
                + "snapshot_dt=2026-11-30/run=20261201t020000z/"));
        assertEquals("tmp_shadow_part_addressable_ids_er_20261201t020000z",
                RefreshErTableRequest.stagingTable(r.table(), "20261201t020000z"));
    }

    @Test
    void withoutShadowTheEventIsTheTableProductionReads() {
        RefreshErTableRequest r = read("");

        assertEquals("part_addressable_ids_er", r.table());
        assertEquals("s3://data/identity/acx_ids_er/", r.location());
        assertEquals(r.table(), r.productionTable());
        assertFalse(r.shadow());
    }
}
