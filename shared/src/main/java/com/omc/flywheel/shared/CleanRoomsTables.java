package com.omc.flywheel.shared;

import java.util.Collection;

/**
 * Which tables of the Glue database associate-tables makes available in Clean Rooms
 * (docs/functions.md, associate-tables): those with the prefix, not excluded, except the addressable
 * ids table (the ER table's source) and the Entity Resolution tables ({@code *_er}). One rule, for
 * associate-tables and for doctor's count of what the refresh will associate.
 */
public final class CleanRoomsTables {
    /** The addressable ids table: the Entity Resolution table's source, never associated. */
    public static final String ADDRESSABLE_IDS = "part_addressable_ids";

    private CleanRoomsTables() {
    }

    /** Whether associate-tables associates {@code name}, given the request's prefix and exclusions. */
    public static boolean isAssociated(String name, String prefix, Collection<String> exclude) {
        return name.startsWith(prefix) && !exclude.contains(name) && !name.equals(ADDRESSABLE_IDS)
                && !name.endsWith("_er");
    }
}
