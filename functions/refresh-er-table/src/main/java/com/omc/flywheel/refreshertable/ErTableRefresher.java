package com.omc.flywheel.refreshertable;

import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.EmptyResultException;
import com.omc.flywheel.shared.errors.QueryFailedException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Refreshes the Entity Resolution table so that it is never absent, never empty, and a failure leaves
 * last month's table as it was.
 *
 * <p>Today's job drops the table and runs a CTAS into the same, non-empty location, which Athena
 * refuses: from the second month the table is gone (docs/today.md). Here each refresh writes a folder of
 * its own, {@code <location>snapshot_dt=<D>/run=<attempt>/}, through an Athena CTAS into a staging table
 * ({@code tmp_<table>_<attempt>}, outside the {@code part_} prefix so no other step ever takes it); once
 * the query has SUCCEEDED with at least one row and its files are there, the ER table is re-pointed at
 * the new folder and schema with one Glue UpdateTable (CreateTable the first time), which readers see
 * as one change; then the staging table's metadata is deleted. Until that one call nothing readers see
 * has changed. Nothing is ever deleted from S3: last month's folder stays, and Glue keeps the table's
 * previous version (GetTableVersions), so going back is one UpdateTable; the table's parameters
 * {@code flywheel_previous_location} and {@code flywheel_snapshot_dt} say where it came from.
 *
 * <p>A call returns {@code IN_PROGRESS} while the query runs; the state machine waits and calls again
 * with {@code queryExecutionId} and {@code attempt}. Every call can be repeated: a swap already done is
 * recognised by the table's location, and a staging table left by an attempt that failed is deleted
 * (metadata only) by the next first call.
 */
public final class ErTableRefresher {
    private static final JsonLog LOG = JsonLog.forFunction("refresh-er-table");
    /** The table parameter naming the CTAS query the table's folder came from. */
    static final String QUERY_PARAMETER = "flywheel_query_execution_id";
    private static final DateTimeFormatter ATTEMPT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private final GlueClient glue;
    private final AthenaClient athena;
    private final S3Client s3;
    private final Clock clock;
    private final int waitSeconds;

    /**
     * @param waitSeconds what an {@code IN_PROGRESS} answer asks the state machine to wait before the next call
     */
    public ErTableRefresher(GlueClient glue, AthenaClient athena, S3Client s3, Clock clock, int waitSeconds) {
        this.glue = glue;
        this.athena = athena;
        this.s3 = s3;
        this.clock = clock;
        this.waitSeconds = waitSeconds;
    }

    /**
     * The answer of one call.
     *
     * @param status           {@code IN_PROGRESS} (call again with queryExecutionId and attempt after nextWaitSeconds)
     * or {@code COMPLETE}
     * @param action           on COMPLETE: {@code CREATED} (there was no ER table), {@code REFRESHED}, or
     *                         {@code ALREADY_REFRESHED} (a repeated call found its swap done)
     * @param rows             rows of the new table, as the CTAS reported them (-1 when Athena did not say)
     * @param previousLocation where the table pointed before (null when it was created)
     * @param removedStagingTables staging tables of earlier failed attempts whose metadata this call deleted
     * @param shadowOf         a shadow run's only: the ER table production reads, which this run left as it was
     *                         ({@code table} is the shadow one)
     */
    public record Result(String status, String table, String sourceTable, String queryExecutionId, String attempt,
                         String stagingTable, String stagingLocation, Integer nextWaitSeconds, String action,
                         Long rows, String location, String previousLocation, List<String> removedStagingTables,
                         String shadowOf) {
        Result(String status, String table, String sourceTable, String queryExecutionId, String attempt,
               String stagingTable, String stagingLocation, Integer nextWaitSeconds, String action, Long rows,
               String location, String previousLocation, List<String> removedStagingTables) {
            this(status, table, sourceTable, queryExecutionId, attempt, stagingTable, stagingLocation, nextWaitSeconds,
                    action, rows, location, previousLocation, removedStagingTables, null);
        }

        Result shadowOf(String productionTable) {
            return new Result(status, table, sourceTable, queryExecutionId, attempt, stagingTable, stagingLocation,
                    nextWaitSeconds, action, rows, location, previousLocation, removedStagingTables, productionTable);
        }
    }

    /** A cheap call per client, for SnapStart. */
    public void prime() {
        Priming.call(() -> glue.getTable(b -> b.databaseName(Priming.NAME).name(Priming.NAME)));
        Priming.call(() -> athena.getQueryExecution(b -> b.queryExecutionId(Priming.ZERO_ID)));
        Priming.call(() -> s3.listObjectsV2(b -> b.bucket(Priming.BUCKET).maxKeys(1)));
    }

    public Result refresh(RefreshErTableRequest r) {
        Result result = r.queryExecutionId() == null ? start(r) : proceed(r);
        return r.shadow() ? result.shadowOf(r.productionTable()) : result;
    }

    private Result start(RefreshErTableRequest r) {
        Table source = table(r.database(), r.sourceTable()).orElseThrow(() -> new ResourceNotFoundException(
                "source table " + r.database() + "." + r.sourceTable() + " does not exist; " + r.table()
                        + " is unchanged (register the addressable ids table first)"));
        boolean hasColumn = source.storageDescriptor() != null && source.storageDescriptor().columns().stream()
                .anyMatch(c -> c.name().equals(r.idColumn()));
        if (!hasColumn) {
            throw new ResourceNotFoundException("source table " + r.database() + "." + r.sourceTable()
                    + " has no column "
                    + r.idColumn() + "; " + r.table() + " is unchanged");
        }
        Optional<Table> current = table(r.database(), r.table());
        java.time.Instant stamp = r.startedAt() != null ? java.time.OffsetDateTime.parse(r.startedAt()).toInstant()
                : clock.instant();
        String attempt = ATTEMPT.format(stamp).toLowerCase(java.util.Locale.ROOT);
        List<String> removed = removeStagingTables(r, attempt, current.map(ErTableRefresher::location).orElse(null));
        String staging = RefreshErTableRequest.stagingTable(r.table(), attempt);
        String stagingLocation = r.stagingLocation(attempt);
        String sql = "CREATE TABLE " + quoted(r.database()) + "." + quoted(staging)
                + " WITH (external_location = '" + stagingLocation
                        + "', format = 'PARQUET', write_compression = 'SNAPPY')"
                + " AS SELECT " + quoted(r.idColumn()) + " AS " + quoted("row_id") + ", " + quoted(r.idColumn())
                + " FROM " + quoted(r.database()) + "." + quoted(r.sourceTable());
        String id;
        try {
            // The token makes the SDK's own retries of this call start one query, not two.
            id = athena.startQueryExecution(b -> {
                b.queryString(sql).workGroup(r.workgroup()).clientRequestToken(token(staging))
                        .queryExecutionContext(c -> c.database(r.database()));
                if (r.outputLocation() != null) {
                    b.resultConfiguration(c -> c.outputLocation(r.outputLocation()));
                }
            }).queryExecutionId();
        } catch (SdkException e) {
            // An InvalidRequestException (no results location, an unknown workgroup) keeps Athena's own type and
            // message.
            throw AwsFaults.translate(e, "Athena StartQueryExecution (CTAS of " + r.database() + "." + staging + "; "
                    + r.table() + " is unchanged)");
        }
        LOG.info("ER table CTAS started", "table", r.table(), "sourceTable", r.sourceTable(), "stagingTable", staging,
                "stagingLocation", stagingLocation, "queryExecutionId", id, "currentLocation",
                current.map(ErTableRefresher::location).orElse(null), "removedStagingTables", removed);
        return new Result("IN_PROGRESS", r.table(), r.sourceTable(), id, attempt, staging, stagingLocation, waitSeconds,
                null, null, null, current.map(ErTableRefresher::location).orElse(null), removed);
    }

    private Result proceed(RefreshErTableRequest r) {
        String staging = RefreshErTableRequest.stagingTable(r.table(), r.attempt());
        String stagingLocation = r.stagingLocation(r.attempt());
        QueryExecution q;
        try {
            q = athena.getQueryExecution(b -> b.queryExecutionId(r.queryExecutionId())).queryExecution();
        } catch (software.amazon.awssdk.services.athena.model.InvalidRequestException e) {
            throw new ResourceNotFoundException("Athena query " + r.queryExecutionId() + " (CTAS of " + staging
                    + ") is unknown: " + e.awsErrorDetails().errorMessage() + "; " + r.table() + " is unchanged", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Athena GetQueryExecution " + r.queryExecutionId());
        }
        switch (q.status().state()) {
            case QUEUED, RUNNING -> {
                // One call per poll while the query runs; the table is read once it has ended.
                return new Result("IN_PROGRESS", r.table(), r.sourceTable(), r.queryExecutionId(), r.attempt(), staging,
                        stagingLocation, waitSeconds, null, null, null, null, List.of());
            }
            case SUCCEEDED -> {
                return swap(r, staging, stagingLocation, table(r.database(), r.table()));
            }
            default -> {
                String currentLocation = table(r.database(), r.table()).map(ErTableRefresher::location).orElse(null);
                String why = q.status().athenaError() != null && q.status().athenaError().errorMessage() != null
                        ? q.status().athenaError().errorMessage() : q.status().stateChangeReason();
                deleteTable(r.database(), staging);
                LOG.error("ER table CTAS failed", "table", r.table(), "stagingTable", staging, "queryExecutionId",
                        r.queryExecutionId(), "state", q.status().stateAsString(), "reason", why);
                throw new QueryFailedException("the CTAS of " + r.database() + "." + staging + " (Athena query "
                        + r.queryExecutionId() + ") ended " + q.status().stateAsString() + ": " + why + ". "
                                + r.database()
                        + "." + r.table() + " is unchanged" + (currentLocation == null ? " (it does not exist)"
                        : " (still at " + currentLocation + ")")
                                + "; a resumed run starts a new CTAS into a new folder.",
                        r.queryExecutionId());
            }
        }
    }

    private Result swap(RefreshErTableRequest r, String staging, String stagingLocation, Optional<Table> current) {
        String currentLocation = current.map(ErTableRefresher::location).orElse(null);
        // Done already when the table names this query, or its folder: Glue may keep Athena's form of the
        // path (without the final '/'), so folders compare without it.
        boolean swapped = current.isPresent() && (r.queryExecutionId()
                .equals(current.get().parameters().get(QUERY_PARAMETER))
                || folder(stagingLocation).equals(folder(currentLocation)));
        if (swapped) {
            // A repeated call after the swap (its answer was lost): only the staging metadata may be left.
            dropAfterSwap(r, staging);
            LOG.info("ER table already refreshed", "table", r.table(), "location", currentLocation, "queryExecutionId",
                    r.queryExecutionId());
            return new Result("COMPLETE", r.table(), r.sourceTable(), r.queryExecutionId(), r.attempt(), staging,
                    stagingLocation, null, "ALREADY_REFRESHED", rowsOf(current.get()), currentLocation,
                    current.get().parameters().get("flywheel_previous_location"), List.of());
        }
        long rows = rows(r.queryExecutionId());
        Table built = table(r.database(), staging).orElseThrow(() -> new ResourceNotFoundException(
                "Athena query " + r.queryExecutionId() + " SUCCEEDED but its table " + r.database() + "." + staging
                        + " is not in the catalog; " + r.table() + " is unchanged"));
        boolean hasFiles = hasObjects(stagingLocation);
        if (rows == 0 || !hasFiles) {
            deleteTable(r.database(), staging);
            String what = rows == 0 ? "wrote 0 rows" : rows < 0 ? "reported no row count and left no file in "
                    + stagingLocation
                    : "reported " + rows + " rows but left no file in " + stagingLocation;
            throw new EmptyResultException("the new " + r.table() + " is empty (the CTAS of " + r.database() + "."
                    + r.sourceTable() + " " + what + "), so it was not put in place: " + r.database() + "." + r.table()
                    + " is unchanged"
                    + (currentLocation == null ? " (it does not exist)" : " (still at " + currentLocation + ")")
                    + ". Check " + r.database() + "." + r.sourceTable()
                            + " (the addressable ids split and registration).");
        }
        Map<String, String> parameters = new LinkedHashMap<>(built.parameters());
        parameters.put(QUERY_PARAMETER, r.queryExecutionId());
        parameters.put("flywheel_snapshot_dt", r.snapshotDt());
        parameters.put("flywheel_rows", Long.toString(rows));
        if (currentLocation != null) {
            parameters.put("flywheel_previous_location", currentLocation);
        }
        TableInput.Builder input = TableInput.builder().name(r.table()).tableType("EXTERNAL_TABLE")
                .storageDescriptor(built.storageDescriptor()).partitionKeys(built.partitionKeys())
                        .parameters(parameters);
        current.ifPresent(t -> input.description(t.description()).owner(t.owner()));
        String action;
        try {
            if (current.isPresent()) {
                glue.updateTable(b -> b.databaseName(r.database()).tableInput(input.build()));
                action = "REFRESHED";
            } else {
                try {
                    glue.createTable(b -> b.databaseName(r.database()).tableInput(input.build()));
                } catch (AlreadyExistsException raced) {
                    glue.updateTable(b -> b.databaseName(r.database()).tableInput(input.build()));
                }
                action = "CREATED";
            }
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue " + (current.isPresent() ? "UpdateTable" : "CreateTable") + " of "
                    + r.database() + "." + r.table() + " (to " + stagingLocation + "; the table is unchanged)");
        }
        dropAfterSwap(r, staging);
        LOG.info("ER table refreshed", "table", r.table(), "action", action, "rows", rows, "location", stagingLocation,
                "previousLocation", currentLocation, "queryExecutionId", r.queryExecutionId(), "snapshotDt",
                        r.snapshotDt());
        return new Result("COMPLETE", r.table(), r.sourceTable(), r.queryExecutionId(), r.attempt(), staging,
                stagingLocation, null, action, rows, stagingLocation, currentLocation, List.of());
    }

    /**
     * The staging tables of earlier attempts (an attempt that failed, or lost its answer): metadata
     * only, and only tables this function names ({@code tmp_<table>_<attempt>}) over a folder under
     * {@code location}; never this attempt's own (a retried first call whose query is running).
     */
    private List<String> removeStagingTables(RefreshErTableRequest r, String attempt, String currentLocation) {
        List<String> removed = new ArrayList<>();
        java.util.regex.Pattern mine = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(
                RefreshErTableRequest.stagingPrefix(r.table())) + "[0-9]{8}t[0-9]{6}z");
        String own = RefreshErTableRequest.stagingTable(r.table(), attempt);
        try {
            for (Table t : glue.getTablesPaginator(b -> b.databaseName(r.database())).stream()
                    .flatMap(p -> p.tableList().stream()).toList()) {
                if (mine.matcher(t.name()).matches() && !t.name().equals(own) && location(t) != null
                        && location(t).startsWith(r.location())) {
                    deleteTable(r.database(), t.name());
                    removed.add(t.name());
                    LOG.warn("staging table of an earlier attempt removed (metadata only; its folder stays)", "table",
                            r.table(), "stagingTable", t.name(), "location", location(t), "isCurrent",
                            location(t).equals(currentLocation));
                }
            }
        } catch (EntityNotFoundException e) {
            throw new ResourceNotFoundException("Glue database " + r.database() + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetTables of " + r.database());
        }
        return removed;
    }

    /** The swap is done: a staging table that cannot be deleted now is removed by next month's first call. */
    private void dropAfterSwap(RefreshErTableRequest r, String staging) {
        try {
            deleteTable(r.database(), staging);
        } catch (RuntimeException e) {
            LOG.warn("staging table left after the swap", "table", r.table(), "stagingTable", staging, "error",
                    e.getMessage());
        }
    }

    private Optional<Table> table(String database, String name) {
        try {
            return Optional.of(glue.getTable(b -> b.databaseName(database).name(name)).table());
        } catch (EntityNotFoundException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetTable " + database + "." + name);
        }
    }

    private void deleteTable(String database, String name) {
        try {
            glue.deleteTable(b -> b.databaseName(database).name(name));
        } catch (EntityNotFoundException gone) {
            // nothing to delete
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue DeleteTable " + database + "." + name + " (a staging table's metadata)");
        }
    }

    /**
     * The rows a CTAS wrote, which Athena answers as {@code UpdateCount} (the result set has the one
     * column {@code rows} and no rows); -1 when it does not say (the folder's files are checked anyway).
     */
    private long rows(String queryExecutionId) {
        try {
            GetQueryResultsResponse results = athena.getQueryResults(b ->
                    b.queryExecutionId(queryExecutionId).maxResults(1));
            return results.updateCount() != null ? results.updateCount() : -1;
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Athena GetQueryResults " + queryExecutionId);
        }
    }

    private boolean hasObjects(String folder) {
        com.omc.flywheel.shared.S3Location where = com.omc.flywheel.shared.S3Location.parse(folder);
        try {
            return s3.listObjectsV2(b -> b.bucket(where.bucket()).prefix(where.prefix()).maxKeys(10)).contents()
                    .stream()
                    .anyMatch(o -> o.size() != null && o.size() > 0);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "S3 listing of " + folder);
        }
    }

    /** A folder without its final '/', for comparing Glue's form of a path with ours. */
    private static String folder(String location) {
        return location == null ? "" : location.replaceAll("/+$", "");
    }

    private static Long rowsOf(Table t) {
        String v = t.parameters().get("flywheel_rows");
        return v != null && v.matches("[0-9]{1,19}") ? Long.parseLong(v) : -1L;
    }

    private static String location(Table t) {
        return t.storageDescriptor() == null ? null : t.storageDescriptor().location();
    }

    /** Athena's ClientRequestToken is 32 to 128 characters. */
    private static String token(String staging) {
        String t = "flywheel-" + staging;
        return t.length() >= 32 ? (t.length() <= 128 ? t : t.substring(t.length() - 128))
                : String.format("%-32s", t).replace(' ', '0');
    }

    /** A validated catalog name in double quotes (CTAS runs on Athena's SQL engine, not its Hive DDL). */
    static String quoted(String name) {
        return com.omc.flywheel.shared.Identifiers.sqlQuoted(name);
    }
}
