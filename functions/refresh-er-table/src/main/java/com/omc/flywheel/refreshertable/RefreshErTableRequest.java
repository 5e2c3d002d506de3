package com.omc.flywheel.refreshertable;

import com.omc.flywheel.shared.Fields;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.regex.Pattern;

/**
 * The refresh-er-table event. The first call names the tables and where the data goes; every later
 * call is the same event plus {@code queryExecutionId} and {@code attempt} from the previous
 * {@code IN_PROGRESS} answer (db-refresh merges them in, as it does msck-repair's continuation).
 *
 * @param database         the Glue database of both tables
 * @param sourceTable      the addressable ids table the ER table is projected from (default {@code
 * part_addressable_ids})
 * @param table            the ER table (default {@code part_addressable_ids_er}); never dropped, only re-pointed
 * @param location         {@code s3://bucket/prefix/} under which each refresh writes its own folder
 *                         {@code snapshot_dt=<D>/run=<attempt>/}; nothing under it is ever overwritten or deleted
 * @param snapshotDt       the refresh's snapshot date ({@code YYYY-MM-DD}), part of the folder name
 * @param idColumn         the source's id column (default {@code customer_user_id}); the ER table is
 *                         {@code row_id} (a copy of it) and the column itself, as today's job writes it
 * @param workgroup        the Athena workgroup of the CTAS query (default {@code primary})
 * @param outputLocation   Athena's results location ({@code s3://…/}); absent: the workgroup's
 * @param queryExecutionId the CTAS query of this refresh (later calls)
 * @param attempt          the attempt stamp of this refresh ({@code yyyymmddThhmmssZ}, lower case; later calls)
 * @param startedAt        when the caller's run started (ISO-8601 with an offset; db-refresh sends
 *                         {@code $$.Execution.StartTime}): the first call's attempt is stamped with it, so a
 *                         retried first call (a lost answer) names the same staging table and sends the same
 *                         ClientRequestToken, and Athena answers with the query already started instead of
 *                         starting a second one; absent (a direct invoke), the time of the call
 * @param shadow           when true (db-refresh's shadow run; default false), the table built is
 *                         {@code shadow_<table>} in {@code <location>shadow/}, with Athena's results in
 *                         {@code <outputLocation>shadow/}: the ER table production reads is not touched,
 *                         and the shadow name is outside the {@code part_} prefix every other step discovers
 */
public record RefreshErTableRequest(String database, String sourceTable, String table, String location,
                                    String snapshotDt, String idColumn, String workgroup, String outputLocation,
                                    String queryExecutionId, String attempt, String startedAt, Boolean shadow) {
    /** What a shadow run puts before the table's name, and as the last folder of its locations. */
    static final String SHADOW = "shadow";
    static final Pattern S3_FOLDER = Pattern.compile(
            "^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9!_.*()=-]+/)*$");
    static final Pattern ATTEMPT = Pattern.compile("^[0-9]{8}t[0-9]{6}z$");

    public RefreshErTableRequest {
        Identifiers.catalogName("database", database);
        sourceTable = sourceTable == null ? "part_addressable_ids"
                : Identifiers.catalogName("sourceTable", sourceTable);
        table = table == null ? "part_addressable_ids_er" : Identifiers.catalogName("table", table);
        if (table.equals(sourceTable)) {
            throw new InvalidInputException("table", "must differ from sourceTable '" + sourceTable + "'");
        }
        Fields.required("location", location);
        if (!S3_FOLDER.matcher(location).matches() || location.length() > 700) {
            throw new InvalidInputException("location", "must be s3://bucket/prefix/ ending in '/', at most 700 "
                    + "characters "
                    + "(got '" + abbreviate(location) + "')");
        }
        Identifiers.isoDate("snapshotDt", snapshotDt);
        idColumn = idColumn == null ? "customer_user_id" : Identifiers.catalogName("idColumn", idColumn);
        if (idColumn.equals("row_id")) {
            throw new InvalidInputException("idColumn", "must not be row_id: the ER table's first column is row_id, a "
                    + "copy of it");
        }
        workgroup = workgroup == null ? "primary" : Identifiers.workgroup("workgroup", workgroup);
        if (outputLocation != null && !S3_FOLDER.matcher(outputLocation).matches()) {
            throw new InvalidInputException("outputLocation", "must be s3://bucket/prefix/ ending in '/' (got '"
                    + abbreviate(outputLocation) + "')");
        }
        if ((queryExecutionId == null) != (attempt == null)) {
            throw new InvalidInputException(queryExecutionId == null ? "queryExecutionId" : "attempt",
                    "queryExecutionId and attempt come together, from the previous IN_PROGRESS answer");
        }
        if (queryExecutionId != null) {
            Identifiers.athenaQueryId("queryExecutionId", queryExecutionId);
            if (!ATTEMPT.matcher(attempt).matches()) {
                throw new InvalidInputException("attempt", "must be the attempt of the previous IN_PROGRESS answer, "
                        + "yyyymmddThhmmssZ in lower case (got '" + abbreviate(attempt) + "')");
            }
        }
        if (startedAt != null) {
            try {
                java.time.OffsetDateTime.parse(startedAt);
            } catch (java.time.format.DateTimeParseException e) {
                throw new InvalidInputException("startedAt", "must be an ISO-8601 time with an offset, e.g. "
                        + "2026-12-01T02:00:00.123Z (got '" + abbreviate(startedAt) + "')");
            }
        }
        shadow = shadow != null && shadow;
        if (shadow) {
            table = SHADOW + "_" + table;
            location = location + SHADOW + "/";
            outputLocation = outputLocation == null ? null : outputLocation + SHADOW + "/";
        }
        String staging = stagingTable(table, "20000101t000000z");
        if (staging.length() > 255) {
            throw new InvalidInputException("table", "is too long for its staging table name " + staging.length()
                    + " > 255 characters");
        }
    }

    /** The event without {@code shadow}: the ER table production reads. */
    public RefreshErTableRequest(String database, String sourceTable, String table, String location,
                                 String snapshotDt, String idColumn, String workgroup, String outputLocation,
                                 String queryExecutionId, String attempt, String startedAt) {
        this(database, sourceTable, table, location, snapshotDt, idColumn, workgroup, outputLocation,
                queryExecutionId, attempt, startedAt, null);
    }

    /** The ER table this event stands in for: the table itself, or a shadow run's production one. */
    String productionTable() {
        return shadow ? table.substring(SHADOW.length() + 1) : table;
    }

    /** The CTAS target of one attempt: outside the {@code part_} prefix, so no prefix discovery ever takes it. */
    static String stagingTable(String table, String attempt) {
        return "tmp_" + table + "_" + attempt;
    }

    /** Every staging table of this ER table starts with this. */
    static String stagingPrefix(String table) {
        return "tmp_" + table + "_";
    }

    /** Where one attempt writes: a folder of its own, so Athena's CTAS never meets a non-empty location. */
    String stagingLocation(String attempt) {
        return location + "snapshot_dt=" + snapshotDt + "/run=" + attempt + "/";
    }

    private static String abbreviate(String v) {
        return v.length() <= 120 ? v : v.substring(0, 117) + "...";
    }
}
