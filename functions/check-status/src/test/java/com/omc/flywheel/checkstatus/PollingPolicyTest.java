package com.omc.flywheel.checkstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The polling policy, simulated: how many polls a run costs and how late its end is seen. */
class PollingPolicyTest {
    private final PollingPolicy defaults = new PollingPolicy(30, 900, 120, 2, 30);

    /** Polls the way the state machine does until the run (of {@code actual} seconds) is seen ended. */
    static long[] simulate(PollingPolicy policy, long actual, OptionalLong expected) {
        long t = 0;
        long polls = 0;
        while (true) {
            t += policy.glueWait(t, expected);
            polls++;
            if (t >= actual) {
                return new long[] {polls, t - actual};
            }
        }
    }

    @ParameterizedTest(name = "a run of {0} s, expected 3600 s")
    @ValueSource(longs = {2900, 3000, 3300, 3600, 3650, 3700, 3720, 3800})
    void anHourLongJobCostsAtMost15PollsAndIsSeenWithin2Minutes(long actual) {
        long[] r = simulate(defaults, actual, OptionalLong.of(3600));
        assertTrue(r[0] <= 15, "polls: " + r[0]);
        assertTrue(r[1] <= 120, "detection delay: " + r[1] + " s");
    }

    @ParameterizedTest(name = "a run of {0} s with no history")
    @ValueSource(longs = {300, 1800, 3600, 14_400, 86_400})
    void withoutHistoryTheDelayStaysWithinATenthOfTheRunOrTheMinimum(long actual) {
        long[] r = simulate(defaults, actual, OptionalLong.empty());
        assertTrue(r[1] <= Math.max(30, Math.min(900, actual / 10 + 30)), "delay " + r[1] + " for " + actual);
        long fixed30 = (actual + 29) / 30;
        assertTrue(actual < 600 || r[0] < fixed30, "fewer polls than fixed 30 s polling: " + r[0] + " vs " + fixed30);
    }

    @ParameterizedTest
    @CsvSource({"0, 3600, 900", "2700, 3600, 180", "2870, 3600, 30", "2880, 3600, 120", "3590, 3600, 120",
        "3600, 3600, 120", "4800, 3600, 300", "100000, 3600, 900", "0, 0, 30", "6000, 0, 600", "10, 100, 70"})
    void waitsJumpToNearTheEndThenComeEveryTwoMinutesThenBackOff(long elapsed, long expected, int wait) {
        assertEquals(wait, defaults.glueWait(elapsed, expected == 0 ? OptionalLong.empty()
                : OptionalLong.of(expected)));
    }

    @Test
    void athenaWaitsGrowWithTheQueryAgeWithinBounds() {
        assertEquals(2, defaults.athenaWait(0));
        assertEquals(12, defaults.athenaWait(60));
        assertEquals(30, defaults.athenaWait(3600));
    }

    @Test
    void invertedBoundsAreRejected() {
        assertThrows(IllegalStateException.class, () -> new PollingPolicy(60, 30, 120, 2, 30));
    }
}
