package com.omc.flywheel.buildreport;

import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.ReportFiles;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetPartitionsResponse;
import software.amazon.awssdk.services.glue.model.GetTablesResponse;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The data-monitor report (docs/today.md): every check of today's monitor for every {@code part_*}
 * table but {@code *_er}, the same file names, JSON fields, CSV columns, value formats and alert
 * templates, with today's bugs fixed (docs/today.md): counts compare with the real source, {@code
 * raw_input_snapshot_dt} holds the raw input's newest snapshot and the new last column (and JSON
 * member) {@code processed_snapshot_dt} the processed one, and nothing is repaired here.
 *
 * <p>Today's value formats kept: {@code generated_at} and {@code checked_at} are one timestamp for the
 * whole run ({@code %Y-%m-%dT%H:%M:%SZ}), also when the run continues over several calls; a value
 * that was not obtained is {@code ""} ({@code count_src} / {@code count_part} are {@code null} when the
 * count check ran but did not get them); {@code count_diff_pct} is a string with six decimals.
 */
final class DataMonitorReport {
    /** The CSV columns, in the order downstream consumers read them (docs/today.md), then the new one. */
    static final List<String> CSV_COLUMNS = List.of("input_source", "raw_input_snapshot_dt", "table", "location",
            "s3_partitions", "glue_partitions", "missing_glue_count", "table_type_ok", "contract_ok", "count_src",
            "count_part", "count_diff_pct", "pk_nulls", "pk_dupes", "file_issues_sample", "checked_at",
            "processed_snapshot_dt");
    private static final JsonLog LOG = JsonLog.forFunction("build-report");
    /** The members of a JSON row, in today's order, then the new one. */
    static final List<String> JSON_MEMBERS = List.of("table", "location", "input_source", "s3_partitions",
            "glue_partitions", "missing_glue_count", "table_type_ok", "contract_ok", "raw_input_snapshot_dt",
                    "count_src",
            "count_part", "count_diff_pct", "pk_nulls", "pk_dupes", "file_issues_sample", "checked_at",
            "processed_snapshot_dt");
    /** What Python's {@code strptime(s, "%Y-%m-%d")} accepts. */
    private static final Pattern PY_DATE = Pattern.compile(
            "^([0-9]{4})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])$");
    /** File-size issues kept per table, and shown in the alert and in {@code file_issues_sample}. */
    static final int FILE_ISSUES_MAX = 20;
    static final int FILE_ISSUES_SHOWN = 3;
    private final GlueClient glue;
    private final S3Client s3;
    private final AthenaClient athena;
    private final ExecutorService pool;
    private final ReportSettings settings;
    private final Clock clock;

    DataMonitorReport(GlueClient glue, S3Client s3, AthenaClient athena, ExecutorService pool, ReportSettings settings,
                      Clock clock) {
        this.glue = glue;
        this.s3 = s3;
        this.athena = athena;
        this.pool = pool;
        this.settings = settings;
        this.clock = clock;
    }

    /** SnapStart priming: one read of Glue, S3 and Athena, whatever the answer. */
    void prime() {
        Priming.call(() -> glue.getTable(b -> b.databaseName(Priming.NAME).name(Priming.NAME)));
        Priming.call(() -> s3.listObjectsV2(b -> b.bucket(Priming.BUCKET).maxKeys(1)));
        Priming.call(() -> athena.getQueryExecution(b -> b.queryExecutionId(Priming.ZERO_ID)));
    }

    /** The report's content: the JSON document, its CSV rows, the alerts. */
    record Content(Map<String, Object> json, List<List<String>> csvRows, List<String> alerts, Instant generatedAt) {
    }

    /** One table's row (CSV column to typed value) and its alerts. */
    record TableResult(String table, Map<String, Object> row, List<String> alerts) {
        /** The row with every CSV column, in order (state read back from JSON may lack the null ones). */
        TableResult {
            Map<String, Object> ordered = new LinkedHashMap<>();
            for (String c : CSV_COLUMNS) {
                ordered.put(c, row == null ? null : row.get(c));
            }
            row = ordered;
            alerts = alerts == null ? List.of() : List.copyOf(alerts);
        }
    }

    /**
     * The time budget of a call: no new table once {@code stopTaking} says so; Athena queries still
     * running are stopped, and their tables left for the next call, once {@code giveUp} does.
     */
    record Budget(BooleanSupplier stopTaking, BooleanSupplier giveUp) {
        static final Budget UNLIMITED = new Budget(() -> false, () -> false);
    }

    /**
     * The tables checked so far (sorted by name), with what the first call fixed: the report's time
     * and the raw inputs' snapshots; {@code remaining} tables are left for the next call.
     */
    record Run(Instant generatedAt, Map<String, String> rawSnapshots, List<TableResult> checked, int remaining) {
        boolean complete() {
            return remaining == 0;
        }

        List<String> alerts() {
            return checked.stream().flatMap(c -> c.alerts().stream()).toList();
        }
    }

    Content build(BuildReportRequest r) {
        return content(r, run(r, Budget.UNLIMITED, null));
    }

    /**
     * Checks the tables not in {@code resumed} (null for a first call) until done or out of time. The
     * first table of a call always starts, so every call makes progress.
     */
    Run run(BuildReportRequest r, Budget budget, Run resumed) {
        String results = r.athenaResults() != null ? r.athenaResults() : ShadowRunSummary.results(r, settings);
        if (r.countCheckEnabled() && results == null) {
            throw new InvalidInputException("athenaResults", "is required when countCheckEnabled is true (an s3:// "
                    + "location for Athena's results), or set ATHENA_RESULTS");
        }
        Instant now = resumed != null ? resumed.generatedAt() : clock.instant();
        AthenaQueries queries = new AthenaQueries(athena, r.athenaWorkgroup() != null ? r.athenaWorkgroup()
                : settings.athenaWorkgroup(), results, settings.athenaConcurrency(), settings.athenaPollMillis(),
                settings.athenaTimeoutSeconds() * 1000L, budget.giveUp());
        List<Table> tables = tables(r);
        Map<String, String> rawSnapshots;
        if (resumed != null) {
            rawSnapshots = resumed.rawSnapshots();
        } else {
            rawSnapshots = new LinkedHashMap<>();
            for (String source : List.of("addressable_ids", "infobase_attributes")) {
                rawSnapshots.put(source, newestRawSnapshot(r.dataBucket(), source));
            }
        }
        List<TableResult> checked = new ArrayList<>(resumed == null ? List.of() : resumed.checked());
        Set<String> done = checked.stream().map(TableResult::table).collect(Collectors.toSet());
        CompletionService<TableResult> running = new ExecutorCompletionService<>(pool);
        int inFlight = 0;
        int started = 0;
        int remaining = 0;
        for (Table t : tables) {
            if (done.contains(t.name())) {
                continue;
            }
            if (started > 0 && budget.stopTaking().getAsBoolean()) {
                remaining++;
                continue;
            }
            if (inFlight == settings.tableConcurrency()) {
                remaining += collect(running, checked);
                inFlight--;
            }
            running.submit(() -> {
                try {
                    return check(r, t, queries, rawSnapshots, now);
                } catch (SdkException e) {
                    throw ReportFaults.typed(e, "the data monitor's check of table " + r.database() + "." + t.name(),
                            "database");
                }
            });
            inFlight++;
            started++;
        }
        for (; inFlight > 0; inFlight--) {
            remaining += collect(running, checked);
        }
        checked.sort(java.util.Comparator.comparing(TableResult::table));
        if (remaining > 0) {
            LOG.info("data monitor continues in the next call", "database", r.database(), "checked", checked.size(),
                    "remaining", remaining, "outcome", "IN_PROGRESS");
        }
        return new Run(now, rawSnapshots, checked, remaining);
    }

    /** Adds the next finished table to {@code checked}; returns 1 when its check gave up for lack of time. */
    private static int collect(CompletionService<TableResult> running, List<TableResult> checked) {
        try {
            checked.add(running.take().get());
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking tables", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AthenaQueries.GaveUp) {
                return 1;
            }
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    /** The report of a complete run: what one uninterrupted call writes, whatever the calls it took. */
    Content content(BuildReportRequest r, Run run) {
        Instant now = run.generatedAt();
        List<TableResult> checked = run.checked();
        List<String> alerts = run.alerts();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("database", r.database());
        json.put("prefix", r.tablePrefix());
        json.put("bucket_count", r.bucketCount());
        json.put("generated_at", PythonFormats.secondsZ(now));
        json.put("freshness_window_days", r.freshnessWindowDays());
        Map<String, Object> compare = new LinkedHashMap<>();
        compare.put("enabled", r.countCheckEnabled());
        compare.put("type", r.compareSourceType());
        compare.put("db", r.compareDatabase());
        compare.put("tolerance_pct", r.countTolerancePct());
        json.put("compare", compare);
        json.put("pk_column", r.pkColumn());
        json.put("file_size_check", r.fileSizeCheck());
        json.put("alerts", alerts);
        json.put("tables", checked.stream().map(c -> {
            Map<String, Object> row = new LinkedHashMap<>();
            JSON_MEMBERS.forEach(m -> row.put(m, c.row().get(m)));
            return row;
        }).toList());
        List<List<String>> rows = checked.stream().map(c -> CSV_COLUMNS.stream().map(col -> csvValue(c.row().get(col)))
                .toList()).toList();
        return new Content(json, rows, alerts, now);
    }

    /** Prefixed tables but {@code *_er}, sorted; the first {@code maxTables} when it is set. */
    private List<Table> tables(BuildReportRequest r) {
        List<Table> out = new ArrayList<>();
        try {
            for (GetTablesResponse page : glue.getTablesPaginator(b -> b.databaseName(r.database()))) {
                for (Table t : page.tableList()) {
                    if (t.name().startsWith(r.tablePrefix()) && !t.name().endsWith("_er")) {
                        out.add(t);
                    }
                }
            }
        } catch (EntityNotFoundException e) {
            throw new ResourceNotFoundException("Glue database " + r.database() + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetTables for database " + r.database());
        }
        out.sort(java.util.Comparator.comparing(Table::name));
        return r.maxTables() > 0 && out.size() > r.maxTables() ? out.subList(0, r.maxTables()) : out;
    }

    private TableResult check(BuildReportRequest r, Table t, AthenaQueries queries, Map<String, String> raw,
            Instant now) {
        String name = t.name();
        List<String> alerts = new ArrayList<>();
        Map<String, Object> row = new LinkedHashMap<>();
        String source = name.contains("addressable_ids") ? "addressable_ids" : "infobase_attributes";
        String rawSnap = raw.get(source);
        row.put("input_source", r.dataBucket() == null || r.dataBucket().isEmpty() || rawSnap == null ? ""
                : "s3://" + r.dataBucket() + "/opus/" + source + "/raw_input/snapshot_dt=" + rawSnap + "/");
        row.put("raw_input_snapshot_dt", rawSnap == null ? "" : rawSnap);
        row.put("table", name);
        String location = t.storageDescriptor() == null ? null : t.storageDescriptor().location();
        row.put("location", location);
        int nb = r.bucketCount();
        // 1. S3 folders
        Set<Integer> folders = new TreeSet<>();
        if (location != null && location.startsWith("s3://")) {
            try {
                folders = partitionFolders(location);
            } catch (SdkException e) {
                if (AwsFaults.isTransient(e)) {
                    throw ReportFaults.typed(e, "S3 listing of " + location + " (table " + r.database() + "." + name
                            + ")",
                            "database");
                }
                alerts.add(name + ": S3 listing failed (" + e.getMessage() + ")");
            }
        }
        row.put("s3_partitions", folders.size());
        if (folders.size() != nb) {
            alerts.add(name + ": S3 has " + folders.size() + "/" + nb + " id_bucket partitions");
        }
        // 2. Catalog partitions
        boolean projection = "true".equalsIgnoreCase(t.parameters().get("projection.enabled"));
        Set<Integer> catalog = projection ? range(nb) : catalogPartitions(r.database(), name);
        row.put("glue_partitions", catalog.size());
        TreeSet<Integer> missing = new TreeSet<>(range(nb));
        missing.removeAll(catalog);
        row.put("missing_glue_count", missing.size());
        if (!missing.isEmpty()) {
            alerts.add(name + ": Glue missing " + missing.size() + " partitions (e.g., "
                    + missing.stream().limit(5).map(String::valueOf).collect(Collectors.joining(", ", "[", "]")) + ")");
        }
        // 3. Catalog definition
        var sd = t.storageDescriptor();
        String serde = sd == null || sd.serdeInfo() == null ? ""
                : String.valueOf(sd.serdeInfo().serializationLibrary());
        boolean typeOk = "EXTERNAL_TABLE".equals(t.tableType()) && serde.contains("ParquetHiveSerDe") && sd != null
                && String.valueOf(sd.inputFormat()).contains("Parquet")
                        && String.valueOf(sd.outputFormat()).contains("Parquet");
        row.put("table_type_ok", typeOk);
        if (!typeOk) {
            alerts.add(name + ": schema mismatch (EXTERNAL/Parquet/Serde)");
        }
        // 4. Contract
        List<String> keys = t.partitionKeys().stream().map(Column::name).toList();
        boolean pkIsColumn = sd != null && sd.columns().stream().anyMatch(c -> c.name().equals(r.pkColumn()));
        boolean contractOk = pkIsColumn && keys.equals(List.of("id_bucket"));
        row.put("contract_ok", contractOk);
        if (!contractOk) {
            List<String> problems = new ArrayList<>();
            if (!pkIsColumn) {
                problems.add("missing required column " + r.pkColumn());
            }
            if (!keys.equals(List.of("id_bucket"))) {
                problems.add("partition key must be [id_bucket], got " + PythonFormats.repr(keys));
            }
            alerts.add(name + ": schema contract issues: " + String.join(", ", problems));
        }
        // 5. Freshness of the processed snapshot: the marker's text, stripped, as today
        String processed = location == null || !location.startsWith("s3://") ? null : processedSnapshot(location);
        row.put("processed_snapshot_dt", processed == null ? "" : processed);
        if (r.strictSnapshot() && tooOld(processed, now, r.freshnessWindowDays())) {
            alerts.add(name + ": processed snapshot too old/missing (snap=" + (processed == null ? "None" : processed)
                    + ")");
        }
        // 7-8. Counts and keys: "" when not run; the counts null when run but not obtained (today's values)
        boolean counting = r.countCheckEnabled();
        row.put("count_src", counting ? null : "");
        row.put("count_part", counting ? null : "");
        row.put("count_diff_pct", "");
        row.put("pk_nulls", "");
        row.put("pk_dupes", "");
        if (counting) {
            counts(r, name, queries, row, alerts);
        }
        // 9. File sizes
        row.put("file_issues_sample", "");
        if (r.fileSizeCheck() && location != null && location.startsWith("s3://")) {
            fileSizes(r, name, location, folders, row, alerts);
        }
        // One timestamp for the whole run (the report's), also over several calls
        row.put("checked_at", PythonFormats.secondsZ(now));
        Map<String, Object> ordered = new LinkedHashMap<>();
        CSV_COLUMNS.forEach(c -> ordered.put(c, row.get(c)));
        LOG.info("table checked", "database", r.database(), "table", name, "alerts", alerts.size(),
                "outcome", alerts.isEmpty() ? "OK" : "ALERTS");
        return new TableResult(name, ordered, alerts);
    }

    private void counts(BuildReportRequest r, String name, AthenaQueries queries, Map<String, Object> row,
                        List<String> alerts) {
        String base = name.substring(r.tablePrefix().length());
        String src = r.compareSourceType() + "_" + base;
        String db = r.database();
        String sdb = r.compareDatabase();
        String pk = Identifiers.catalogName("pkColumn", r.pkColumn());
        try {
            boolean sourceExists = true;
            try {
                glue.getTable(b -> b.databaseName(sdb).name(src));
            } catch (EntityNotFoundException e) {
                sourceExists = false;
                alerts.add(name + ": source table not found " + sdb + "." + src + "; count match skipped");
            }
            List<String> part = queries.firstRow("SELECT COALESCE(SUM(c), 0), "
                    + "COALESCE(SUM(CASE WHEN k IS NULL THEN c ELSE 0 END), 0), "
                    + "COALESCE(SUM(CASE WHEN k IS NOT NULL AND c > 1 THEN c ELSE 0 END), 0) "
                    + "FROM (SELECT " + quote(pk) + " AS k, COUNT(*) AS c FROM " + quote(db) + "." + quote(name)
                    + " GROUP BY " + quote(pk) + ")");
            long countPart = Long.parseLong(part.get(0));
            long nulls = Long.parseLong(part.get(1));
            long dupes = Long.parseLong(part.get(2));
            row.put("count_part", countPart);
            row.put("pk_nulls", nulls);
            row.put("pk_dupes", dupes);
            if (sourceExists) {
                long countSrc = Long.parseLong(queries.firstRow("SELECT COUNT(*) FROM " + quote(sdb) + "." + quote(src))
                        .get(0));
                double diff = countPart == 0 && countSrc == 0 ? 0.0 : countPart == 0 || countSrc == 0 ? 100.0
                        : Math.abs(countPart - countSrc) * 100.0 / countSrc;
                row.put("count_src", countSrc);
                row.put("count_diff_pct", PythonFormats.fixed(diff, 6));
                if (diff > r.countTolerancePct()) {
                    alerts.add("[COUNT_MISMATCH] " + name + ": " + db + "." + name + "=" + countPart + " vs " + sdb
                            + "."
                            + src + "=" + countSrc + " (Δ=" + PythonFormats.fixed(diff, 3) + "%)");
                }
            }
            if (nulls > 0) {
                alerts.add("[PK_NULL] " + name + ": " + pk + " NULL rows=" + nulls);
            }
            if (dupes > 0) {
                alerts.add("[PK_DUPES] " + name + ": " + pk + " duplicate rows=" + dupes);
            }
        } catch (SdkException e) {
            if (AwsFaults.isTransient(e)) {
                throw ReportFaults.typed(e, "the count checks of table " + r.database() + "." + name, "database");
            }
            alerts.add(name + ": error during counts/key checks: " + e.getMessage());
        } catch (AthenaQueries.QueryFailed | NumberFormatException | IndexOutOfBoundsException e) {
            alerts.add(name + ": error during counts/key checks: " + e.getMessage());
        }
    }

    /**
     * Today's file-size hygiene: the objects of the first 5 {@code id_bucket=} folders (sorted) whose size
     * is not zero and outside min/max, at most 20; the alert shows the first 3 as a Python list, then
     * "...", and {@code file_issues_sample} joins the first 3 with ";".
     */
    private void fileSizes(BuildReportRequest r, String name, String location, Set<Integer> folders,
                           Map<String, Object> row, List<String> alerts) {
        String bucket = bucketOf(location);
        String prefix = prefixOf(location);
        List<String> issues = new ArrayList<>();
        double min = r.fileSizeMinMb();
        double max = r.fileSizeMaxMb();
        scan:
        for (int bucketValue : folders.stream().sorted().limit(5).toList()) {
            String p = prefix + "id_bucket=" + bucketValue + "/";
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(p)).contents()) {
                double mb = o.size() / (1024.0 * 1024.0);
                if (mb != 0 && (mb < min || mb > max)) {
                    issues.add("id_bucket=" + bucketValue + " object " + o.key() + " size=" + PythonFormats.fixed(mb, 1)
                            + "MB");
                    if (issues.size() >= FILE_ISSUES_MAX) {
                        break scan;
                    }
                }
            }
        }
        if (!issues.isEmpty()) {
            List<String> shown = issues.subList(0, Math.min(FILE_ISSUES_SHOWN, issues.size()));
            row.put("file_issues_sample", String.join(";", shown));
            alerts.add(name + ": file-size issues (sample): " + PythonFormats.repr(shown) + "...");
        }
    }

    private Set<Integer> partitionFolders(String location) {
        String bucket = bucketOf(location);
        String prefix = prefixOf(location);
        Set<Integer> values = new TreeSet<>();
        for (CommonPrefix p : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).delimiter("/"))
                .commonPrefixes()) {
            String folder = p.prefix().substring(prefix.length());
            if (folder.startsWith("id_bucket=") && folder.endsWith("/")) {
                try {
                    values.add(Integer.parseInt(folder.substring("id_bucket=".length(), folder.length() - 1)));
                } catch (NumberFormatException ignored) {
                    // not an id_bucket partition folder
                }
            }
        }
        return values;
    }

    /** The catalog's int partition values, every page; read again (up to 3 times, backing off) while empty. */
    private Set<Integer> catalogPartitions(String database, String table) {
        for (int attempt = 0; ; attempt++) {
            Set<Integer> values = new TreeSet<>();
            for (GetPartitionsResponse page : glue.getPartitionsPaginator(b -> b.databaseName(database).tableName(table)
                    .excludeColumnSchema(true))) {
                page.partitions().forEach(p -> {
                    try {
                        values.add(Integer.parseInt(p.values().get(0)));
                    } catch (RuntimeException ignored) {
                        // a partition that is not an id_bucket int is not counted
                    }
                });
            }
            if (!values.isEmpty() || attempt >= 3 || settings.glueEmptyRetryMillis() <= 0) {
                return values;
            }
            try {
                Thread.sleep((long) (settings.glueEmptyRetryMillis() * Math.pow(1.7, attempt)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return values;
            }
        }
    }

    /** The stripped text of {@code <parent of location>/metadata/snapshot_dt.txt}, or null when it cannot be read. */
    private String processedSnapshot(String location) {
        String prefix = prefixOf(location);
        String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String parent = trimmed.contains("/") ? trimmed.substring(0, trimmed.lastIndexOf('/') + 1) : "";
        try {
            return s3.getObjectAsBytes(b -> b.bucket(bucketOf(location)).key(parent + "metadata/snapshot_dt.txt"))
                    .asString(StandardCharsets.UTF_8).strip();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    /**
     * Today's freshness rule: a marker that is missing or not a {@code %Y-%m-%d} date is too old, and so
     * is one whose midnight (UTC) is more than the window before the run's time.
     */
    static boolean tooOld(String snapshot, Instant now, int windowDays) {
        Matcher m = snapshot == null ? null : PY_DATE.matcher(snapshot);
        if (m == null || !m.matches()) {
            return true;
        }
        LocalDate day;
        try {
            day = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3).strip()));
        } catch (java.time.DateTimeException e) {
            return true;
        }
        return java.time.Duration.between(day.atStartOfDay(ZoneOffset.UTC).toInstant(), now)
                .compareTo(java.time.Duration.ofDays(windowDays)) > 0;
    }

    /** The newest {@code snapshot_dt=} folder under {@code s3://<dataBucket>/opus/<source>/raw_input/}. */
    private String newestRawSnapshot(String dataBucket, String source) {
        if (dataBucket == null || dataBucket.isEmpty()) {
            return null;
        }
        String prefix = "opus/" + source + "/raw_input/";
        String newest = null;
        try {
            for (CommonPrefix p : s3.listObjectsV2Paginator(b -> b.bucket(dataBucket).prefix(prefix).delimiter("/"))
                    .commonPrefixes()) {
                Matcher m = Pattern.compile("snapshot_dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/$").matcher(p.prefix());
                if (m.find() && (newest == null || m.group(1).compareTo(newest) > 0)) {
                    newest = m.group(1);
                }
            }
        } catch (SdkException e) {
            LOG.warn("raw input snapshots unreadable", "bucket", dataBucket, "source", source, "error", e.getMessage());
        }
        return newest;
    }

    static String fileName(BuildReportRequest r, Instant at, String extension) {
        return r.reportPrefix() + "ACX_Data_Monitor_Report_" + DateTimeFormatter.ofPattern(r.dateFormat())
                .format(at.atZone(ZoneOffset.UTC)) + "." + extension;
    }

    byte[] csv(Content c) {
        return ReportFiles.csv(CSV_COLUMNS, c.csvRows());
    }

    /** Today's value formats: True/False, empty for missing (the text values are already today's). */
    static String csvValue(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(v);
    }

    private static Set<Integer> range(int n) {
        Set<Integer> all = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    private static String quote(String identifier) {
        return "\"" + Identifiers.catalogName("identifier", identifier) + "\"";
    }

    static String bucketOf(String location) {
        return com.omc.flywheel.shared.S3Location.parse(location).bucket();
    }

    static String prefixOf(String location) {
        return com.omc.flywheel.shared.S3Location.parse(location).prefix();
    }
}
