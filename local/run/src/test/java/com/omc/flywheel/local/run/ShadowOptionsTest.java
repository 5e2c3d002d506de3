package com.omc.flywheel.local.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** local-run --shadow: its command line, and how the state around the shadow run is compared. */
class ShadowOptionsTest {

    @Test
    void shadowFollowsOnePlainRefresh() {
        assertTrue(RunOptions.parse(new String[] {"--shadow"}).shadow());
        assertFalse(RunOptions.parse(new String[] {}).shadow());
        assertEquals("--shadow follows one plain refresh; it goes without --fail-step and --months",
                assertThrows(IllegalArgumentException.class,
                        () -> RunOptions.parse(new String[] {"--shadow", "--months", "2"})).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RunOptions.parse(new String[] {"--shadow", "--fail-step", "BuildErTable"}));
    }

    @Test
    void onlyTheShadowRunsOwnFoldersAndNamesAreLeftOut() {
        assertTrue(EmulatorState.isShadow("s3 reports/shadow/data-monitor/r.json"));
        assertTrue(EmulatorState.isShadow("s3 data/omc_cleanroom_data/identity/acx_ids_er/shadow/run=1/p.parquet"));
        assertTrue(EmulatorState.isShadow("s3 reports/msck-repair/shadow/results/1.json"));
        assertTrue(EmulatorState.isShadow("glue omc_flywheel_dev.shadow_part_addressable_ids_er"));
        assertTrue(EmulatorState.isShadow("glue omc_flywheel_dev.tmp_shadow_part_addressable_ids_er_1"));
        assertFalse(EmulatorState.isShadow("s3 reports/data-monitor/r.json"));
        assertFalse(EmulatorState.isShadow("s3 reports/shadowed/r.json"));
        assertFalse(EmulatorState.isShadow("s3 reports/msck-repair/results/1.json"));
        assertFalse(EmulatorState.isShadow("glue omc_flywheel_dev.part_addressable_ids_er"));
        assertFalse(EmulatorState.isShadow("glue omc_flywheel_dev.part_addressable_ids_er partition [1]"));
        assertFalse(EmulatorState.isShadow("cleanrooms configured-table shadow_x"));
    }

    @Test
    void everyThingAddedRemovedOrChangedIsAChange() {
        EmulatorState before = EmulatorState.of(Map.of("s3 a/x", "1", "s3 a/y", "2", "glue db.t", "T"));
        EmulatorState after = EmulatorState.of(Map.of("s3 a/x", "1", "s3 a/z", "3", "glue db.t", "T2"));

        assertEquals(List.of("changed glue db.t", "removed s3 a/y", "added s3 a/z"), after.changesSince(before));
        assertEquals(List.of(), before.changesSince(EmulatorState.of(Map.of("s3 a/y", "2", "glue db.t", "T",
                "s3 a/x", "1"))));
    }
}
