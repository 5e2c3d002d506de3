package com.omc.flywheel.ops.compare;

/**
 * The five report files of today's pipeline (docs/today.md, "Reports that downstream readers rely on"),
 * each with the column or member that names a row: the table, or the Entity Resolution namespace.
 */
enum ReportKind {
    DATA_MONITOR_JSON("data monitor JSON", false, "table"),
    DATA_MONITOR_CSV("data monitor CSV", true, "table"),
    CLEANROOMS_JSON("Clean Rooms JSON", false, "table_name"),
    CLEANROOMS_TABLES_CSV("Clean Rooms Tables CSV", true, "table_name"),
    CLEANROOMS_IDENTITY_CSV("Clean Rooms IdentityResolution CSV", true, "id namespace");

    private final String label;
    private final boolean csv;
    private final String key;

    ReportKind(String label, boolean csv, String key) {
        this.label = label;
        this.csv = csv;
        this.key = key;
    }

    String label() {
        return label;
    }

    boolean csv() {
        return csv;
    }

    /** The member (JSON rows) or column (CSV) whose value names a row. */
    String key() {
        return key;
    }

    boolean dataMonitor() {
        return this == DATA_MONITOR_JSON || this == DATA_MONITOR_CSV;
    }

    boolean cleanRooms() {
        return !dataMonitor();
    }
}
