package com.omc.flywheel.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code refresh start --shadow [repair]}: read before any AWS call, and only with start. */
class RefreshShadowArgumentsTest {
    private static final String NOWHERE = RefreshCommandArgumentsTest.NOWHERE;

    @Test
    void shadowAndShadowRepairAreReadWhereverTheyStand() {
        RefreshCommand.Options plain = RefreshCommand.Options.parse(new String[] {"start", "--endpoint", NOWHERE});
        RefreshCommand.Options shadow = RefreshCommand.Options.parse(new String[] {"start", "--shadow", "--dry-run",
            "--endpoint", NOWHERE});
        RefreshCommand.Options repair = RefreshCommand.Options.parse(new String[] {"start", "--endpoint", NOWHERE,
            "--shadow", "repair"});

        assertNull(plain.shadow());
        assertEquals(new RefreshCommand.Options.Shadow(false), shadow.shadow());
        assertTrue(shadow.dryRun(), "--dry-run after --shadow is an option, not its value");
        assertEquals(new RefreshCommand.Options.Shadow(true), repair.shadow());
    }

    @Test
    void shadowGoesWithStartOnly() {
        RefreshCommandArgumentsTest.Outcome o = RefreshCommandArgumentsTest.refresh("resume", "x", "--shadow",
                "--endpoint", NOWHERE);

        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("refresh: --shadow goes with start, not resume\n"), o.err());
        RefreshCommandArgumentsTest.Outcome extra = RefreshCommandArgumentsTest.refresh("start", "--shadow",
                "everything", "--endpoint", NOWHERE);
        assertEquals(2, extra.code());
        assertTrue(extra.err().startsWith("refresh: unexpected argument 'everything'\n"), extra.err());
    }
}
