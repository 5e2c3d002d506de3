package com.omc.flywheel.msckrepair;

import com.omc.flywheel.msckrepair.MsckRepairRequest.Mode;
import com.omc.flywheel.shared.FailureGroups;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.S3Location;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.PartialFailureException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetTablesResponse;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * Brings every table's partitions into the Glue catalog (docs/functions.md msck-repair).
 *
 * <p>Per table, in order: check it is laid out as {@code <location>/<key>=<value>/} (else SKIPPED,
 * e.g. the unpartitioned Entity Resolution table), re-partition it by the key and drop projection
 * parameters ({@link TableLayout}), then repair: GLUE_SYNC creates exactly the missing partitions
 * ({@link PartitionSync}); ATHENA_MSCK starts {@code MSCK REPAIR TABLE} with at most
 * {@code athenaConcurrency} queries running. Tables run concurrently with a bound; one table's
 * failure never stops the others. Before Lambda's timeout ({@code deadline}) it takes no new tables
 * and answers IN_PROGRESS with a continuation token; at the end, a failure a rerun may repair
 * (throttling, 5xx, timeouts that outlived the SDK's retries, on any table) is a
 * {@link TransientAwsException}, which the state machine retries, and only genuine failures are a
 * {@link PartialFailureException}; both name every failed table and why, and the first every table done.
 */
public final class MsckRepairService {
    private static final JsonLog LOG = JsonLog.forFunction("msck-repair");
    private final GlueClient glue;
    private final S3Client s3;
    private final AthenaClient athena;
    private final ExecutorService pool;
    private final PartitionSync sync;
    private final Settings settings;

    /**
     * @param tableConcurrency  tables handled at once (GLUE_SYNC)
     * @param athenaConcurrency MSCK queries running at once (ATHENA_MSCK; Athena limits DDL concurrency)
     * @param workgroup         default Athena workgroup
     * @param outputLocation    default Athena results location, or null (the workgroup's)
     */
    public record Settings(int tableConcurrency, int athenaConcurrency, String workgroup, String outputLocation,
                           int segmentThreshold, int segments, String stateBucket) {
        /** With the state bucket from {@code CONTINUATION_BUCKET} (none when unset). */
        public Settings(int tableConcurrency, int athenaConcurrency, String workgroup, String outputLocation,
                        int segmentThreshold, int segments) {
            this(tableConcurrency, athenaConcurrency, workgroup, outputLocation, segmentThreshold, segments,
                    com.omc.flywheel.shared.Settings.value("CONTINUATION_BUCKET", null));
        }
    }

    public MsckRepairService(GlueClient glue, S3Client s3, AthenaClient athena, ExecutorService pool,
            Settings settings) {
        this.glue = glue;
        this.s3 = s3;
        this.athena = athena;
        this.pool = pool;
        this.settings = settings;
        this.sync = new PartitionSync(glue, pool, settings.segmentThreshold(), settings.segments());
    }

    /** SnapStart priming: one read of each service this function calls, whatever the answer. */
    public void prime() {
        Priming.call(() -> glue.getTable(b -> b.databaseName(Priming.NAME).name(Priming.NAME)));
        Priming.call(() -> s3.listObjectsV2(b -> b.bucket(Priming.BUCKET).maxKeys(1)));
        Priming.call(() -> athena.getQueryExecution(b -> b.queryExecutionId(Priming.ZERO_ID)));
    }

    /**
     * @param nearlyOutOfTime true once no new table should be taken (Lambda's remaining time is short)
     */
    public MsckRepairResult repair(MsckRepairRequest request, BooleanSupplier nearlyOutOfTime) {
        String bucket = request.stateBucket() != null ? request.stateBucket() : settings.stateBucket();
        if (request.compactResult() && bucket == null) {
            throw new InvalidInputException("compactResult", "needs a state bucket for the full list (stateBucket, "
                    + "or CONTINUATION_BUCKET in the environment)");
        }
        boolean stored = ContinuationStore.isStoredToken(request.continuationToken());
        if (stored && bucket == null) {
            throw new InvalidInputException("stateBucket", "is required with this continuationToken: its state is "
                    + "in S3 (pass the same stateBucket as the call that issued it)");
        }
        ContinuationStore store = bucket == null ? null : new ContinuationStore(s3, bucket);
        String stateKey = stored ? ContinuationStore.keyOf(request.continuationToken()) : null;
        Continuation state = stored ? store.load(stateKey, request) : Continuation.resume(request);
        // A table that failed transiently in an earlier call is tried again.
        state.done().removeIf(TableOutcome::isTransientFailure);
        Set<String> handled = state.done().stream().map(TableOutcome::table).collect(Collectors.toSet());
        state.pending().forEach(p -> handled.add(p.table()));
        List<String> todo = new ArrayList<>();
        for (String t : targets(request, state)) {
            if (!handled.contains(t)) {
                todo.add(t);
            }
        }
        // A dry run lists as GLUE_SYNC does whatever the mode: an MSCK query would change the catalog.
        List<String> notStarted = request.mode() == Mode.GLUE_SYNC || request.dryRun()
                ? runSync(request, todo, state, nearlyOutOfTime)
                : runAthena(request, todo, state, nearlyOutOfTime);
        return finish(request, state, notStarted, store, stateKey);
    }

    /** The explicit list (a missing name becomes a FAILED outcome) or every prefixed table, sorted. */
    private List<String> targets(MsckRepairRequest request, Continuation state) {
        Set<String> exclude = Set.copyOf(request.exclude());
        if (request.tables() != null) {
            return request.tables().stream().filter(t -> !exclude.contains(t)).sorted().toList();
        }
        List<String> names = new ArrayList<>();
        try {
            for (GetTablesResponse page : glue.getTablesPaginator(b -> b.databaseName(request.database()))) {
                for (Table t : page.tableList()) {
                    if (t.name().startsWith(request.tablePrefix()) && !exclude.contains(t.name())) {
                        names.add(t.name());
                    }
                }
            }
        } catch (EntityNotFoundException e) {
            throw new ResourceNotFoundException("Glue database " + request.database() + " does not exist; check the "
                    + "database in the state machine input", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetTables for database " + request.database());
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    private List<String> runSync(MsckRepairRequest request, List<String> todo, Continuation state,
                                 BooleanSupplier nearlyOutOfTime) {
        CompletionService<TableOutcome> running = new ExecutorCompletionService<>(pool);
        int inFlight = 0;
        int started = 0;
        List<String> notStarted = new ArrayList<>();
        for (String table : todo) {
            // Always make progress: the first table of a call starts even when time is short.
            if (started > 0 && nearlyOutOfTime.getAsBoolean()) {
                notStarted.add(table);
                continue;
            }
            if (inFlight == settings.tableConcurrency()) {
                state.done().add(take(running));
                inFlight--;
            }
            running.submit(() -> syncTable(request, table));
            inFlight++;
            started++;
        }
        for (; inFlight > 0; inFlight--) {
            state.done().add(take(running));
        }
        return notStarted;
    }

    private static TableOutcome take(CompletionService<TableOutcome> running) {
        try {
            return running.take().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while repairing tables", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a table worker failed unexpectedly", e.getCause());
        }
    }

    /** Layout, projection, then GLUE_SYNC for one table; every failure becomes this table's outcome. */
    private TableOutcome syncTable(MsckRepairRequest request, String name) {
        long start = System.nanoTime();
        TableOutcome outcome;
        try {
            Prepared p = prepare(request, name);
            PartitionSync.Result r = sync.sync(request.database(), p.table(), p.location(), request.partitionKey(),
                    p.folders().values(), request.dryRun());
            if (request.dryRun()) {
                boolean change = r.missing() > 0 || p.changed();
                outcome = new TableOutcome(name, change ? TableOutcome.PLANNED : TableOutcome.UNCHANGED, 0,
                        r.orphaned(), null, p.detail() + r.missing() + " of " + p.folders().values().size()
                        + " partition folders would be added (dry run: nothing changed)", null, null, r.missing());
                log(request, outcome, start);
                return outcome;
            }
            String detail = p.detail() + r.added() + " of " + p.folders().values().size() + " partition folders added"
                    + (r.alreadyPresent() > 0 ? ", " + r.alreadyPresent() + " created meanwhile" : "")
                    + (p.folders().ignored().isEmpty() ? "" : ", folders ignored (not <key>=<int>): "
                    + p.folders().ignored().size());
            if (!r.errors().isEmpty()) {
                boolean retryable = r.errors().stream().allMatch(MsckRepairService::isTransientPartitionError);
                outcome = new TableOutcome(name, TableOutcome.FAILED, r.added(), r.orphaned(), null, detail,
                        r.errors().size() + " partitions could not be created: " + String.join("; ", r.errors()),
                        retryable ? Boolean.TRUE : null);
            } else {
                String action = p.migrated() ? TableOutcome.MIGRATED
                        : r.added() > 0 || p.changed() ? TableOutcome.SYNCED : TableOutcome.UNCHANGED;
                outcome = new TableOutcome(name, action, r.added(), r.orphaned(), null, detail, null);
            }
        } catch (TableProblem e) {
            outcome = e.outcome;
        } catch (RuntimeException e) {
            outcome = failure(name, e);
        }
        log(request, outcome, start);
        return outcome;
    }

    /** A table ready to repair: its definition after the layout change, its location and folders. */
    private record Prepared(Table table, S3Location location, PartitionFolders folders, boolean migrated,
                            boolean changed, String detail) {
    }

    /** Ends one table's work with a given outcome (skip or failure) from deep inside. */
    private static final class TableProblem extends RuntimeException {
        final transient TableOutcome outcome;

        TableProblem(TableOutcome outcome) {
            super(outcome.error() != null ? outcome.error() : outcome.detail(), null, false, false);
            this.outcome = outcome;
        }
    }

    /**
     * Reads the table, checks its folder layout, and applies the layout change; a table that is not
     * one to repair ends here with a {@link TableProblem} carrying its SKIPPED or FAILED outcome.
     */
    private Prepared prepare(MsckRepairRequest request, String name) {
        String key = request.partitionKey();
        if (name.endsWith("_er")) {
            throw new TableProblem(TableOutcome.skipped(name, "Entity Resolution tables (*_er) are unpartitioned "
                    + "by design and never repaired"));
        }
        Table table;
        try {
            table = glue.getTable(b -> b.databaseName(request.database()).name(name)).table();
        } catch (EntityNotFoundException e) {
            throw new TableProblem(TableOutcome.failed(name, "table " + request.database() + "." + name
                    + " does not exist"));
        }
        if (table.storageDescriptor() == null || table.storageDescriptor().location() == null) {
            throw new TableProblem(TableOutcome.skipped(name, "no storage location, so no partition folders"));
        }
        S3Location location;
        try {
            location = S3Location.parse(table.storageDescriptor().location());
        } catch (IllegalArgumentException e) {
            throw new TableProblem(TableOutcome.skipped(name, e.getMessage()));
        }
        Optional<Column> existingKey = table.partitionKeys().stream().filter(c -> c.name().equals(key)).findFirst();
        boolean integerKey = existingKey.map(c -> c.type() == null || c.type().startsWith("int")
                || c.type().equals("bigint") || c.type().equals("smallint")).orElse(true);
        PartitionFolders folders;
        try {
            folders = PartitionFolders.list(s3, location, key, integerKey);
        } catch (NoSuchBucketException e) {
            throw new TableProblem(TableOutcome.failed(name, "its location " + location.uri()
                    + " is in bucket " + location.bucket() + ", which does not exist"));
        }
        if (folders.values().isEmpty()) {
            throw new TableProblem(TableOutcome.skipped(name, "not laid out as " + location.uri() + key
                    + "=<value>/ (no such folder)"));
        }
        TableLayout.Change change;
        try {
            change = TableLayout.plan(table, key);
        } catch (IllegalStateException e) {
            throw new TableProblem(TableOutcome.failed(name, e.getMessage()));
        }
        StringBuilder detail = new StringBuilder();
        if (change.update().isPresent() && request.dryRun()) {
            detail.append(change.migrated() ? "would re-partition by " + key + " int; " : "")
                    .append(change.removedParameters().isEmpty() ? "" : "would remove parameters "
                            + change.removedParameters() + "; ");
        } else if (change.update().isPresent()) {
            TableLayout.apply(glue, request.database(), change.update().get());
            table = glue.getTable(b -> b.databaseName(request.database()).name(name)).table();
            if (change.migrated()) {
                detail.append("re-partitioned by ").append(key).append(" int; ");
            }
            if (!change.removedParameters().isEmpty()) {
                detail.append("removed parameters ").append(change.removedParameters()).append("; ");
            }
        }
        return new Prepared(table, location, folders, change.migrated(), change.update().isPresent(),
                detail.toString());
    }

    private List<String> runAthena(MsckRepairRequest request, List<String> todo, Continuation state,
                                   BooleanSupplier nearlyOutOfTime) {
        // 1. The queries of earlier calls: finished ones become outcomes.
        List<Continuation.Pending> stillRunning = new ArrayList<>();
        for (Continuation.Pending p : state.pending()) {
            QueryExecution q = queryExecution(p.queryExecutionId());
            QueryExecutionState s = q.status().state();
            if (s == QueryExecutionState.SUCCEEDED) {
                state.done().add(new TableOutcome(p.table(), TableOutcome.REPAIRED, null, null, p.queryExecutionId(),
                        p.detail() + "MSCK REPAIR TABLE succeeded", null));
            } else if (s == QueryExecutionState.FAILED || s == QueryExecutionState.CANCELLED
                    || s == QueryExecutionState.UNKNOWN_TO_SDK_VERSION) {
                String why = q.status().athenaError() != null && q.status().athenaError().errorMessage() != null
                        ? q.status().athenaError().errorMessage() : q.status().stateChangeReason();
                state.done().add(new TableOutcome(p.table(), TableOutcome.FAILED, null, null, p.queryExecutionId(),
                        p.detail(), "MSCK REPAIR TABLE " + q.status().stateAsString() + ": " + why));
            } else {
                stillRunning.add(p);
            }
        }
        state.pending().clear();
        state.pending().addAll(stillRunning);
        // 2. New queries, while there is room.
        List<String> notStarted = new ArrayList<>();
        int started = 0;
        String workgroup = request.workgroup() != null ? request.workgroup() : settings.workgroup();
        String output = request.outputLocation() != null ? request.outputLocation() : settings.outputLocation();
        for (String name : todo) {
            if (state.pending().size() >= settings.athenaConcurrency()
                    || (started > 0 && nearlyOutOfTime.getAsBoolean())) {
                notStarted.add(name);
                continue;
            }
            long t0 = System.nanoTime();
            try {
                Prepared p = prepare(request, name);
                String sql = "MSCK REPAIR TABLE " + Identifiers.quoted(request.database()) + "."
                        + Identifiers.quoted(name);
                String id = athena.startQueryExecution(b -> {
                    b.queryString(sql).workGroup(workgroup);
                    if (output != null) {
                        b.resultConfiguration(c -> c.outputLocation(output));
                    }
                }).queryExecutionId();
                state.pending().add(new Continuation.Pending(name, id, p.detail()));
                started++;
                LOG.info("MSCK started", "database", request.database(), "table", name, "queryExecutionId", id,
                        "workgroup", workgroup, "outcome", "STARTED");
            } catch (TableProblem e) {
                state.done().add(e.outcome);
                log(request, e.outcome, t0);
            } catch (RuntimeException e) {
                TableOutcome failed = failure(name, e);
                state.done().add(failed);
                log(request, failed, t0);
            }
        }
        return notStarted;
    }

    private QueryExecution queryExecution(String id) {
        try {
            return athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution();
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Athena GetQueryExecution for MSCK query " + id);
        }
    }

    private MsckRepairResult finish(MsckRepairRequest request, Continuation state, List<String> notStarted,
                                    ContinuationStore store, String stateKey) {
        List<TableOutcome> done = new ArrayList<>(state.done());
        done.sort(Comparator.comparing(TableOutcome::table));
        boolean complete = notStarted.isEmpty() && state.pending().isEmpty();
        int failed = (int) done.stream().filter(TableOutcome::isFailed).count();
        int added = done.stream().mapToInt(o -> o.partitionsAdded() == null ? 0 : o.partitionsAdded()).sum();
        Integer toAdd = request.dryRun() ? done.stream().mapToInt(o -> o.partitionsToAdd() == null ? 0
                : o.partitionsToAdd()).sum() : null;
        MsckRepairResult.Summary summary = new MsckRepairResult.Summary(done.size(), failed, added,
                notStarted.size() + state.pending().size(), toAdd);
        LOG.info(complete ? "repair complete" : "repair continues in the next call", "database", request.database(),
                "mode", request.mode().name(), "dryRun", request.dryRun(), "partitionsToAdd", toAdd,
                "tables", done.size(), "failed", failed, "partitionsAdded", added,
                "remaining", summary.remaining(), "outcome", complete ? "COMPLETE" : "IN_PROGRESS");
        if (complete && !request.dryRun()) {
            // Once per repair (the counts are cumulative across continued calls).
            LOG.metrics("repair metrics", java.util.Map.of("PartitionsAdded", added, "TablesFailed", failed,
                    "TablesRepaired", done.size()), null, null);
        }
        String key = stateKey;
        if (store != null && key == null && (!complete || request.compactResult())) {
            key = ContinuationStore.newStateKey(request.shadow());
        }
        String detailsKey = null;
        if (request.compactResult()) {
            detailsKey = ContinuationStore.resultsKey(key);
            store.saveResults(detailsKey, done);
        }
        if (complete && failed > 0) {
            List<TableOutcome> failures = done.stream().filter(TableOutcome::isFailed).toList();
            List<TableOutcome> retryable = failures.stream().filter(TableOutcome::isTransientFailure).toList();
            // Grouped by error: 28 tables denied one action read as one error and 28 names, not 28 errors.
            java.util.Map<String, String> errors = new java.util.LinkedHashMap<>();
            failures.forEach(o -> errors.put(o.table(), o.error()));
            String list = FailureGroups.describe(errors);
            String doneList = done.stream().filter(o -> !o.isFailed()).map(o -> o.table() + " " + o.action())
                    .collect(Collectors.joining(", "));
            String where = detailsKey == null ? "" : " Every table's outcome: s3://" + store.bucket() + "/" + detailsKey
                    + ".";
            if (!retryable.isEmpty()) {
                // A rerun could succeed: the state machine retries this step. Not deleted: a retry of a
                // continued call reads the state it was given again (and tries the transient failures again).
                throw new TransientAwsException("msck-repair finished " + done.size() + " tables of "
                        + request.database() + " (" + added + " partitions added) but " + failed + " failed, "
                        + retryable.size() + " of them for a transient reason (throttling, 5xx or timeouts that "
                        + "outlived the SDK's retries), so a rerun may repair them: " + list + ". Done: [" + doneList
                        + "]." + where + " The state machine retries this step; a rerun redoes nothing that is done.");
            }
            if (key != null) {
                store.delete(key);
            }
            throw new PartialFailureException("msck-repair finished " + done.size() + " tables of " + request.database()
                    + " (" + added + " partitions added) but " + failed + " failed: " + list
                    + ". Fix them and rerun; tables already repaired are left as they are." + where,
                    failures.stream().map(TableOutcome::table).toList());
        }
        String token = null;
        if (!complete) {
            if (store == null) {
                token = state.encode();
            } else {
                store.save(key, state);
                token = ContinuationStore.TOKEN_PREFIX + key;
            }
        } else if (store != null && stateKey != null) {
            store.delete(stateKey);
        }
        List<TableOutcome> listed = request.compactResult() ? done.stream().filter(TableOutcome::isFailed).toList()
                : done;
        List<String> queryIds = state.pending().stream().map(Continuation.Pending::queryExecutionId).toList();
        return new MsckRepairResult(complete ? MsckRepairResult.COMPLETE : MsckRepairResult.IN_PROGRESS,
                token, listed, queryIds.isEmpty() ? null : queryIds, summary, detailsKey);
    }

    /** A table's failure from an exception, marked when a rerun may not meet it again. */
    private static TableOutcome failure(String table, RuntimeException e) {
        return AwsFaults.isTransient(e) ? TableOutcome.failedTransiently(table, describe(e))
                : TableOutcome.failed(table, describe(e));
    }

    /** BatchCreatePartition's per-partition errors that a later call may not get. */
    private static boolean isTransientPartitionError(String error) {
        return error.contains(": InternalServiceException ") || error.contains(": OperationTimeoutException ")
                || error.contains(": ThrottlingException ");
    }

    private static String describe(RuntimeException e) {
        if (AwsFaults.isTransient(e)) {
            return "transient AWS fault after the SDK's retries (" + e.getMessage() + "); rerun to finish this table";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static void log(MsckRepairRequest request, TableOutcome o, long start) {
        JsonLog.Level level = o.isFailed() ? JsonLog.Level.ERROR : JsonLog.Level.INFO;
        LOG.at(level, "table " + o.action().toLowerCase(), "database", request.database(), "table", o.table(),
                "outcome", o.action(), "partitionsAdded", o.partitionsAdded(), "partitionsOrphaned",
                        o.partitionsOrphaned(),
                "detail", o.detail(), "error", o.error(), "durationMs", (System.nanoTime() - start) / 1_000_000);
    }
}
