package com.omc.flywheel.local.cleanrooms;

/**
 * The stand-in's clock for createTime / updateTime: it starts at 2026-01-01T00:00:00Z and moves one
 * second per change, so the order of changes is stable and visible in timestamps. Shared by the
 * Clean Rooms and Entity Resolution state; not reset with them. Guarded by the stand-in's lock.
 */
public final class ChangeClock {
    private long clock = 1_767_225_600L;

    /** The time of a new change, in epoch seconds. */
    public long tick() {
        return ++clock;
    }
}
