package com.omc.flywheel.checkstatus;

import com.omc.flywheel.shared.Settings;
import java.util.OptionalLong;

/**
 * How long the state machine waits before the next poll. Pure arithmetic, so it can be simulated
 * (see bench/) over job durations from minutes to a day.
 *
 * <ul>
 *   <li><b>Glue, with history</b> (E = the median of the job's recent successful run times, t = how
 *       long this run has been going): before 0.8 E, jump straight to 0.8 E in waits of at most the
 *       maximum, so a long run costs few polls; from 0.8 E to E, poll every {@code nearEndSeconds},
 *       the detection delay promised around the expected end; after E, wait a quarter of the overrun
 *       (never less than {@code nearEndSeconds}), so a late run costs few polls but is still seen
 *       soon. For E = 1 h a run that ends on time costs 10 polls and is seen within 2 minutes.</li>
 *   <li><b>Glue, no history</b>: wait a tenth of the time the run has been going, so the end is
 *       seen within about 10 % of the run time.</li>
 *   <li><b>Athena</b>: a fifth of the time the oldest running query has been going.</li>
 * </ul>
 * Every wait is clamped to [min, max], set by the environment: {@code POLL_MIN_SECONDS} (30),
 * {@code POLL_MAX_SECONDS} (900), {@code POLL_NEAR_END_SECONDS} (120), {@code ATHENA_POLL_MIN_SECONDS}
 * (2), {@code ATHENA_POLL_MAX_SECONDS} (30).
 */
public record PollingPolicy(int minSeconds, int maxSeconds, int nearEndSeconds, int athenaMinSeconds,
                            int athenaMaxSeconds) {
    /** The share of the expected run time after which polls come every {@code nearEndSeconds}. */
    static final double NEAR_END = 0.8;

    public PollingPolicy {
        if (minSeconds > maxSeconds || athenaMinSeconds > athenaMaxSeconds) {
            throw new IllegalStateException("polling bounds are inverted: POLL_MIN_SECONDS=" + minSeconds
                    + " > POLL_MAX_SECONDS=" + maxSeconds + " or ATHENA_POLL_MIN_SECONDS=" + athenaMinSeconds
                    + " > ATHENA_POLL_MAX_SECONDS=" + athenaMaxSeconds);
        }
    }

    public static PollingPolicy fromEnvironment() {
        return new PollingPolicy(
                Settings.intValue("POLL_MIN_SECONDS", 30),
                Settings.intValue("POLL_MAX_SECONDS", 900),
                Settings.intValue("POLL_NEAR_END_SECONDS", 120),
                Settings.intValue("ATHENA_POLL_MIN_SECONDS", 2),
                Settings.intValue("ATHENA_POLL_MAX_SECONDS", 30));
    }

    /** The wait before the next poll of a Glue run that has been going {@code elapsedSeconds}. */
    public int glueWait(long elapsedSeconds, OptionalLong expectedSeconds) {
        long t = Math.max(0, elapsedSeconds);
        long wait;
        if (expectedSeconds.isPresent() && expectedSeconds.getAsLong() > 0) {
            long expected = expectedSeconds.getAsLong();
            long nearEnd = (long) (expected * NEAR_END);
            if (t < nearEnd) {
                wait = nearEnd - t;
            } else if (t < expected) {
                wait = nearEndSeconds;
            } else {
                wait = Math.max(nearEndSeconds, (t - expected) / 4);
            }
        } else {
            wait = t / 10;
        }
        return clamp(wait, minSeconds, maxSeconds);
    }

    /** The wait before the next poll of Athena queries, the oldest running for {@code elapsedSeconds}. */
    public int athenaWait(long elapsedSeconds) {
        return clamp(Math.max(0, elapsedSeconds) / 5, athenaMinSeconds, athenaMaxSeconds);
    }

    private static int clamp(long v, int min, int max) {
        return (int) Math.max(min, Math.min(max, v));
    }
}
