package com.omc.flywheel.local.athena;

import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.HydratorSupplier;
import blue.strategic.parquet.ParquetReader;
import blue.strategic.parquet.ParquetWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Partition;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Athena's {@code CREATE TABLE ... AS SELECT} (CTAS), executed for real on this machine: moto's
 * Athena "runs" every query at once and does nothing, so this {@link AwsProxy.Rule} answers
 * {@code athena:StartQueryExecution} itself when the QueryString is a CTAS, and
 * GetQueryExecution / BatchGetQueryExecution / GetQueryResults / StopQueryExecution for the queries
 * it started. Every other Athena call (and every other query) goes to moto unchanged.
 *
 * <p>A CTAS is run the way Athena engine version 3 (Trino's Hive connector on the Glue catalog)
 * runs one: the target must not exist ({@code TABLE_ALREADY_EXISTS}), the source and its columns
 * must ({@code TABLE_NOT_FOUND}, {@code COLUMN_NOT_FOUND}), {@code external_location} must be empty
 * ({@code HIVE_PATH_ALREADY_EXISTS}); the source's Parquet objects are read from moto's S3 (each
 * registered partition's location when the table is partitioned, partition values as columns), the
 * selected columns are written as one SNAPPY Parquet object under {@code external_location}, a data
 * manifest goes to {@code <OutputLocation>tables/<id>-manifest.csv}, and the table is created in
 * moto's Glue catalog with the shape Athena gives a CTAS table. With IAM enforced, every catalog and
 * S3 access is authorized as the caller (Athena uses the caller's credentials for them): a missing
 * grant fails the query. The query is {@code RUNNING} for the first {@link #runningPolls(int)} polls,
 * then {@code SUCCEEDED} or {@code FAILED} with Athena's reason and {@code AthenaError}.
 *
 * <p>Supported SQL, and nothing else (anything else fails the query loudly, naming this stand-in):
 * {@code CREATE TABLE [db.]t WITH (external_location = '...', format = 'PARQUET',
 * write_compression = 'SNAPPY') AS SELECT col [[AS] alias], ... FROM [db.]source [;]}; keywords in
 * any case, identifiers optionally double-quoted, comments and any whitespace; unqualified names use
 * the QueryExecutionContext's database. Source columns of Glue type string, varchar, char, tinyint,
 * smallint, int and bigint.
 */
public final class AthenaCtasStandIn implements AwsProxy.Rule {
    /** Athena's catalog name as its engine spells it in messages. */
    private static final String CATALOG = "awsdatacatalog";
    private static final String ENGINE_VERSION = "Athena engine version 3";
    private static final String STAND_IN = "LOCAL ATHENA STAND-IN (AthenaCtasStandIn)";
    private static final String SUPPORTED = "it runs only CREATE TABLE [db.]t WITH (external_location = 's3://...', "
            + "format = 'PARQUET', write_compression = 'SNAPPY') AS SELECT col [AS alias], ... FROM [db.]table";
    /** Measured on Athena (athena-local, docs/dev/measurements/result-files.md): the double space is Athena's. */
    static final String NO_OUTPUT_LOCATION = "No output location provided. You did not provide an output location for  "
            + "your query results. Either specify an S3 bucket location or enable Athena managed query results in your "
            + "workgroup settings.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Set<String> STRING_TYPES = Set.of("string", "varchar", "char");
    private static final Set<String> INT32_TYPES = Set.of("int", "integer", "smallint", "tinyint");
    private static final Pattern S3_PATH = Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?");
    private static final DateTimeFormatter ENGINE_ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    // Athena's ErrorType values for the engine's error names (ErrorCategory 2, USER), as measured on
    // Athena by athena-local (src/.../error mapping: "measured_error_type"); 1000 ("User error" in the
    // Athena error catalog) for the names nobody measured.
    private static final int USER_ERROR = 1000;
    private static final int COLUMN_NOT_FOUND = 1006;
    private static final int TABLE_ALREADY_EXISTS = 1110;
    private static final int NOT_SUPPORTED = 1200;
    private static final int TABLE_NOT_FOUND = 1301;

    /**
     * Authorizes, as the caller of StartQueryExecution, an access Athena makes on its behalf (given as
     * the call the caller would make itself); answers IAM's refusal, or empty when allowed.
     */
    @FunctionalInterface
    public interface OnBehalf {
        Optional<String> denied(AwsProxy.Call caller, AwsProxy.Call access);

        OnBehalf ALLOW_ALL = (caller, access) -> Optional.empty();
    }

    /** A query this stand-in ran; its visible state is RUNNING until its running polls are used up. */
    private static final class Execution {
        final String id;
        final String engineId;
        final String query;
        final String database;
        final String catalog;
        final String workGroup;
        final String outputBase;
        final String token;
        final String requestedOutput;
        final Instant submitted = Instant.now();
        final AtomicInteger runningPollsLeft;
        volatile Instant completed;
        volatile boolean succeeded;
        volatile String reason;
        volatile int errorType;
        volatile long rows;
        volatile long scannedBytes;
        volatile String manifest;
        volatile String table;

        Execution(String id, String query, String database, String catalog, String workGroup, String outputBase,
                String token,
                  String requestedOutput, int runningPolls) {
            this.id = id;
            this.engineId = ENGINE_ID_TIME.format(submitted) + "_" + String.format("%05d", RANDOM.nextInt(100_000))
                    + "_"
                    + randomLetters(5);
            this.query = query;
            this.database = database;
            this.catalog = catalog;
            this.workGroup = workGroup;
            this.outputBase = outputBase;
            this.token = token;
            this.requestedOutput = requestedOutput;
            this.runningPollsLeft = new AtomicInteger(runningPolls);
        }

        /** Counts one poll; true while the query still shows RUNNING to this poll. */
        boolean pollRunning() {
            return runningPollsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        }

        boolean running() {
            return runningPollsLeft.get() > 0;
        }
    }

    /** A query failure: Athena's reason (StateChangeReason and AthenaError.ErrorMessage) and ErrorType. */
    private static final class Failure extends Exception {
        final int errorType;
        /** An error of Athena's engine (not a refusal of the stand-in or of IAM). */
        final boolean engine;

        Failure(int errorType, String reason) {
            this(errorType, reason, true);
        }

        Failure(int errorType, String reason, boolean engine) {
            super(reason, null, false, false);
            this.errorType = errorType;
            this.engine = engine;
        }
    }

    private final GlueClient glue;
    private final S3Client s3;
    private final String moto;
    private final OnBehalf iam;
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final Map<String, Execution> byToken = new ConcurrentHashMap<>();
    private final List<String> ctasQueries = new CopyOnWriteArrayList<>();
    private volatile int runningPolls = 1;

    /**
     * @param glue  a Glue client pointed straight at moto (not through the proxy: Athena's own calls
     *              are not the caller's, they are authorized through {@code iam} instead)
     * @param s3    an S3 client pointed straight at moto
     * @param moto  moto's endpoint, for the workgroup and for moto's ids in a BatchGetQueryExecution
     * @param iam   the caller's permissions on what the query touches
     */
    public AthenaCtasStandIn(GlueClient glue, S3Client s3, String moto, OnBehalf iam) {
        this.glue = glue;
        this.s3 = s3;
        this.moto = moto;
        this.iam = iam == null ? OnBehalf.ALLOW_ALL : iam;
    }

    /** The QueryStrings of the CTAS queries this stand-in took (ran or failed), in order. */
    public List<String> ctasQueries() {
        return List.copyOf(ctasQueries);
    }

    /** How many GetQueryExecution / BatchGetQueryExecution polls see a new query RUNNING (default 1). */
    public void runningPolls(int polls) {
        if (polls < 0) {
            throw new IllegalArgumentException("running polls must be 0 or more, not " + polls);
        }
        this.runningPolls = polls;
    }

    /** Whether {@code queryExecutionId} is one of this stand-in's queries. */
    public boolean owns(String queryExecutionId) {
        return executions.containsKey(queryExecutionId);
    }

    /** Forgets every query (moto's reset clears the tables and objects they made). */
    public void reset() {
        executions.clear();
        byToken.clear();
        ctasQueries.clear();
        runningPolls = 1;
    }

    @Override
    public Optional<AwsProxy.Reply> apply(AwsProxy.Call call) {
        if (!call.service().equals("athena")) {
            return Optional.empty();
        }
        JsonNode body = call.json();
        return switch (call.operation()) {
            case "StartQueryExecution" -> start(call, body);
            case "GetQueryExecution" -> mine(body.path("QueryExecutionId").asText(null))
                    .map(e -> ok(JSON.createObjectNode().set("QueryExecution", view(e, true))));
            case "BatchGetQueryExecution" -> batchGet(call, body);
            case "GetQueryResults" -> mine(body.path("QueryExecutionId").asText(null)).map(e -> results(e, body));
            // Stopping a query that has finished succeeds and changes nothing (this stand-in's queries
            // have finished by the time StartQueryExecution answers).
            case "StopQueryExecution" -> mine(body.path("QueryExecutionId").asText(null))
                    .map(e -> ok(JSON.createObjectNode()));
            default -> Optional.empty();
        };
    }

    private Optional<Execution> mine(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(executions.get(id));
    }

    // ---------------------------------------------------------------- StartQueryExecution

    private Optional<AwsProxy.Reply> start(AwsProxy.Call call, JsonNode body) {
        String sql = body.path("QueryString").asText(null);
        if (sql == null || !isCtas(sql)) {
            return Optional.empty();
        }
        String token = text(body, "ClientRequestToken");
        if (token == null || token.isEmpty()) {
            return Optional.of(athenaError("INVALID_INPUT", "clientRequestToken is null or empty"));
        }
        String database = text(body.path("QueryExecutionContext"), "Database");
        String catalog = text(body.path("QueryExecutionContext"), "Catalog");
        String requestedOutput = text(body.path("ResultConfiguration"), "OutputLocation");
        String workGroup = Optional.ofNullable(text(body, "WorkGroup")).orElse("primary");
        synchronized (byToken) {
            Execution earlier = byToken.get(token);
            if (earlier != null) {
                // A retry with the same token starts nothing: the same id, or a mismatch (as on Athena).
                boolean same = earlier.query.equals(sql) && java.util.Objects.equals(earlier.database, database)
                        && java.util.Objects.equals(earlier.catalog, catalog)
                        && java.util.Objects.equals(earlier.requestedOutput, requestedOutput);
                return Optional.of(same ? ok(JSON.createObjectNode().put("QueryExecutionId", earlier.id))
                        : athenaError("IDEMPOTENT_PARAMETER_MISMATCH", "Idempotent parameters do not match"));
            }
            JsonNode wg = workGroup(workGroup);
            if (wg == null) {
                return Optional.of(athenaError("INVALID_INPUT", "WorkGroup is not found."));
            }
            JsonNode config = wg.path("Configuration");
            String wgOutput = text(config.path("ResultConfiguration"), "OutputLocation");
            boolean enforced = config.path("EnforceWorkGroupConfiguration").asBoolean(false) && wgOutput != null;
            String output = enforced ? wgOutput : requestedOutput != null ? requestedOutput : wgOutput;
            if (output == null) {
                return Optional.of(athenaError("INVALID_INPUT", NO_OUTPUT_LOCATION));
            }
            if (!S3_PATH.matcher(output).matches()) {
                return Optional.of(athenaError("INVALID_INPUT", "outputLocation is not a valid S3 path."));
            }
            Execution e = new Execution(UUID.randomUUID().toString(), sql, database, catalog, workGroup,
                    output.endsWith("/") ? output : output + "/", token, requestedOutput, runningPolls);
            byToken.put(token, e);
            executions.put(e.id, e);
            ctasQueries.add(sql);
            long t0 = System.nanoTime();
            try {
                run(e, call, enforced);
                e.succeeded = true;
            } catch (Failure f) {
                e.succeeded = false;
                e.errorType = f.errorType;
                e.reason = f.getMessage();
            } catch (RuntimeException unexpected) {
                // A fault of the stand-in itself (or of moto): the query fails loudly, naming it.
                e.succeeded = false;
                e.errorType = 200;
                e.reason = STAND_IN + " failed: " + unexpected;
                unexpected.printStackTrace();
            }
            e.completed = e.submitted.plusNanos(System.nanoTime() - t0);
            return Optional.of(ok(JSON.createObjectNode().put("QueryExecutionId", e.id)));
        }
    }

    /** A CTAS: {@code CREATE [OR REPLACE] [EXTERNAL] TABLE ... AS <query>}; everything else is moto's. */
    static boolean isCtas(String sql) {
        List<Token> t;
        try {
            t = tokenize(sql);
        } catch (Failure unreadable) {
            return Pattern.compile("^\\s*CREATE\\s+TABLE\\b.*\\bAS\\s*(\\(|SELECT\\b|WITH\\b)",
                    Pattern.CASE_INSENSITIVE | Pattern.DOTALL).matcher(sql).find();
        }
        if (t.isEmpty() || !t.get(0).is("CREATE")) {
            return false;
        }
        int i = 1;
        while (i < t.size() && (t.get(i).is("OR") || t.get(i).is("REPLACE") || t.get(i).is("EXTERNAL"))) {
            i++;
        }
        if (i >= t.size() || !t.get(i).is("TABLE")) {
            return false;
        }
        for (int j = i + 1; j + 1 < t.size(); j++) {
            Token n = t.get(j + 1);
            if (t.get(j).is("AS") && (n.is("SELECT") || n.is("WITH") || n.is("VALUES") || n.is("TABLE")
                    || n.text.equals("("))) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- the query

    private void run(Execution e, AwsProxy.Call caller, boolean enforcedOutput) throws Failure {
        String cleanUp = ". You may need to manually clean the data at location '" + e.outputBase + "tables/" + e.id
                + "' before retrying. Athena will not delete data in your account.";
        try {
            execute(e, caller, enforcedOutput);
        } catch (Failure f) {
            // Athena adds where to clean up to the engine's failures of a CTAS (measured for
            // TABLE_ALREADY_EXISTS and NOT_SUPPORTED); refusals of the stand-in or of IAM are left as they are.
            throw f.engine ? new Failure(f.errorType, f.getMessage() + cleanUp) : f;
        }
    }

    private void execute(Execution e, AwsProxy.Call caller, boolean enforcedOutput) throws Failure {
        if (e.catalog != null && !e.catalog.equalsIgnoreCase("AwsDataCatalog")) {
            throw unsupported("the data catalog '" + e.catalog + "' (only AwsDataCatalog, the Glue catalog)");
        }
        Ctas ctas = new Parser(e.query).parse();
        String defaultDb = e.database == null ? "default" : e.database.toLowerCase(Locale.ROOT);
        String targetDb = ctas.target.db == null ? defaultDb : ctas.target.db;
        String sourceDb = ctas.source.db == null ? defaultDb : ctas.source.db;
        String target = ctas.target.table;
        e.table = targetDb + "." + target;

        // Analysis, in the engine's order: the target, the properties, then the query.
        glueAccess(caller, "GetTable", JSON.createObjectNode().put("DatabaseName", targetDb).put("Name", target));
        if (table(targetDb, target).isPresent()) {
            throw new Failure(TABLE_ALREADY_EXISTS, "TABLE_ALREADY_EXISTS: " + ctas.createPos + ": Destination table '"
                    + CATALOG + "." + targetDb + "." + target + "' already exists");
        }
        String location = ctas.property("external_location");
        if (location == null) {
            throw unsupported("a CTAS without external_location (Athena would write under the results location's "
                    + "tables/<query id>/)");
        }
        if (enforcedOutput) {
            throw unsupported("external_location in a workgroup that enforces its query results location (Athena fails "
                    + "such a query, see docs ctas-considerations-limitations; its message is not known here)");
        }
        if (!S3_PATH.matcher(location).matches()) {
            throw unsupported("external_location '" + location + "' (not an s3://bucket/prefix/ path)");
        }
        String format = Optional.ofNullable(ctas.property("format")).orElse("PARQUET");
        if (!format.equalsIgnoreCase("PARQUET")) {
            throw unsupported("format = '" + format + "' (only PARQUET)");
        }
        String compression = Optional.ofNullable(ctas.property("write_compression"))
                .orElse(ctas.property("parquet_compression"));
        if (compression == null) {
            throw unsupported("a Parquet CTAS without write_compression (Athena's default for Parquet is GZIP; the "
                    + "stand-in "
                    + "writes SNAPPY only: add write_compression = 'SNAPPY')");
        }
        if (!compression.equalsIgnoreCase("SNAPPY")) {
            throw unsupported("write_compression = '" + compression + "' (only SNAPPY)");
        }

        glueAccess(caller, "GetDatabase", JSON.createObjectNode().put("Name", sourceDb));
        glueAccess(caller, "GetTable", JSON.createObjectNode().put("DatabaseName", sourceDb)
                .put("Name", ctas.source.table));
        if (database(sourceDb).isEmpty()) {
            throw new Failure(TABLE_NOT_FOUND, "SCHEMA_NOT_FOUND: " + ctas.source.pos + ": Schema '" + sourceDb
                    + "' does not exist");
        }
        Table source = table(sourceDb, ctas.source.table).orElseThrow(() ->
                new Failure(TABLE_NOT_FOUND, "TABLE_NOT_FOUND: "
                + ctas.source.pos + ": Table '" + CATALOG + "." + sourceDb + "." + ctas.source.table
                        + "' does not exist"));
        StorageDescriptor sd = source.storageDescriptor();
        if (sd == null || sd.location() == null) {
            throw unsupported("a source table without a StorageDescriptor.Location (" + sourceDb + "." + source.name()
                    + ")");
        }
        if (sd.serdeInfo() == null || !LakeBuilder.PARQUET_SERDE.equals(sd.serdeInfo().serializationLibrary())) {
            throw unsupported("a source table that is not Parquet (" + sourceDb + "." + source.name() + " has SerDe "
                    + (sd.serdeInfo() == null ? null : sd.serdeInfo().serializationLibrary()) + ")");
        }
        Map<String, Column> dataColumns = new LinkedHashMap<>();
        sd.columns().forEach(c -> dataColumns.put(c.name().toLowerCase(Locale.ROOT), c));
        Map<String, Column> partitionKeys = new LinkedHashMap<>();
        source.partitionKeys().forEach(c -> partitionKeys.put(c.name().toLowerCase(Locale.ROOT), c));
        List<Column> outColumns = new ArrayList<>();
        List<String> sourceNames = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Item item : ctas.items) {
            Column c = dataColumns.containsKey(item.column) ? dataColumns.get(item.column)
                    : partitionKeys.get(item.column);
            if (c == null) {
                throw new Failure(COLUMN_NOT_FOUND, "COLUMN_NOT_FOUND: " + item.pos + ": Column '" + item.column
                        + "' cannot be resolved");
            }
            String base = baseType(c.type());
            if (!STRING_TYPES.contains(base) && !INT32_TYPES.contains(base) && !base.equals("bigint")) {
                throw unsupported("column " + item.column + " of Glue type " + c.type()
                        + " (only string, varchar, char, "
                        + "tinyint, smallint, int and bigint)");
            }
            String name = item.alias();
            if (!seen.add(name)) {
                throw unsupported("the output column name '" + name + "' used twice (Athena refuses it too)");
            }
            outColumns.add(Column.builder().name(name).type(c.type().toLowerCase(Locale.ROOT)).build());
            sourceNames.add(item.column);
        }
        glueAccess(caller, "GetDatabase", JSON.createObjectNode().put("Name", targetDb));
        if (database(targetDb).isEmpty()) {
            throw new Failure(TABLE_NOT_FOUND, "SCHEMA_NOT_FOUND: " + ctas.createPos + ": Schema '" + CATALOG + "."
                    + targetDb
                    + "' does not exist");
        }

        // The target location must be empty (the engine's check before it writes).
        S3Path out = S3Path.of(location).asFolder();
        s3Access(caller, "GET", out.bucket, "", "list-type=2&prefix=" + enc(out.key), location);
        if (!s3.listObjectsV2(b -> b.bucket(out.bucket).prefix(out.key).maxKeys(1)).contents().isEmpty()) {
            throw new Failure(USER_ERROR, "HIVE_PATH_ALREADY_EXISTS: Target directory for table '" + targetDb + "."
                    + target
                    + "' already exists: " + location);
        }

        // Read: every registered partition's location, or the table's location.
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map.Entry<String, Map<String, String>>> folders = new ArrayList<>();
        if (partitionKeys.isEmpty()) {
            folders.add(Map.entry(sd.location(), Map.of()));
        } else {
            glueAccess(caller, "GetPartitions", JSON.createObjectNode().put("DatabaseName", sourceDb)
                    .put("TableName", source.name()));
            for (Partition p : partitions(sourceDb, source.name())) {
                Map<String, String> values = new HashMap<>();
                int k = 0;
                for (String key : partitionKeys.keySet()) {
                    values.put(key, k < p.values().size() ? p.values().get(k) : null);
                    k++;
                }
                String loc = p.storageDescriptor() == null ? null : p.storageDescriptor().location();
                if (loc != null) {
                    folders.add(Map.entry(loc, values));
                }
            }
        }
        for (Map.Entry<String, Map<String, String>> folder : folders) {
            S3Path in = S3Path.of(folder.getKey()).asFolder();
            s3Access(caller, "GET", in.bucket, "", "list-type=2&prefix=" + enc(in.key), folder.getKey());
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(in.bucket).prefix(in.key)).contents()) {
                String rel = o.key().substring(in.key.length());
                if (o.size() == 0 || hidden(rel)) {
                    continue; // folder markers, and _/. files the engine skips
                }
                String path = "s3://" + in.bucket + "/" + o.key();
                s3Access(caller, "GET", in.bucket, o.key(), null, path);
                byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(in.bucket).key(o.key())).asByteArray();
                e.scannedBytes += bytes.length;
                for (Map<String, Object> record : readParquet(path, bytes)) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 0; i < sourceNames.size(); i++) {
                        String col = sourceNames.get(i);
                        Column type = outColumns.get(i);
                        Object v = partitionKeys.containsKey(col) && !dataColumns.containsKey(col)
                                ? partitionValue(folder.getValue().get(col), type.type()) : record.get(col);
                        row.put(type.name(), convert(v, type.type(), path));
                    }
                    rows.add(row);
                }
            }
        }

        // Write: one data object (none for no rows, as the engine writes files only for rows), its manifest.
        List<String> written = new ArrayList<>();
        if (!rows.isEmpty()) {
            String key = out.key + e.engineId + "_" + UUID.randomUUID();
            String path = "s3://" + out.bucket + "/" + key;
            s3Access(caller, "PUT", out.bucket, key, null, path);
            byte[] parquet = writeParquet(outColumns, rows);
            s3.putObject(b -> b.bucket(out.bucket).key(key), RequestBody.fromBytes(parquet));
            written.add(path);
            S3Path manifest = S3Path.of(e.outputBase + "tables/" + e.id + "-manifest.csv");
            String manifestUrl = "s3://" + manifest.bucket + "/" + manifest.key;
            Optional<String> denied = iam.denied(caller, s3Call("PUT", manifest.bucket, manifest.key, null));
            if (denied.isPresent()) {
                throw new Failure(USER_ERROR, "Access denied when writing output to url: " + manifestUrl
                        + " . Please ensure "
                        + "you are allowed to access the S3 bucket. If you are encrypting query results with KMS key, "
                                + "please "
                        + "ensure you are allowed to access your KMS key (" + denied.get() + ")", false);
            }
            s3.putObject(b -> b.bucket(manifest.bucket).key(manifest.key),
                    RequestBody.fromString(String.join("\n", written) + "\n"));
            e.manifest = manifestUrl;
        }

        // Commit: the table in the catalog, as Athena's engine registers a Hive CTAS table.
        glueAccess(caller, "CreateTable", JSON.createObjectNode().put("DatabaseName", targetDb)
                .set("TableInput", JSON.createObjectNode().put("Name", target)));
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("EXTERNAL", "TRUE");
        parameters.put("auto.purge", "false");
        parameters.put("has_encrypted_data", "false");
        parameters.put("numFiles", "-1");
        parameters.put("parquet.compression", "SNAPPY");
        parameters.put("totalSize", "-1");
        parameters.put("transactional", "false");
        parameters.put("trino_query_id", e.engineId);
        parameters.put("trino_version", "local-athena-ctas-stand-in");
        StorageDescriptor targetSd = StorageDescriptor.builder().columns(outColumns).location(location)
                .inputFormat(LakeBuilder.PARQUET_INPUT).outputFormat(LakeBuilder.PARQUET_OUTPUT).compressed(false)
                .numberOfBuckets(0).storedAsSubDirectories(false)
                .serdeInfo(s -> s.serializationLibrary(LakeBuilder.PARQUET_SERDE)
                        .parameters(Map.of("serialization.format", "1")))
                .build();
        try {
            glue.createTable(b -> b.databaseName(targetDb).tableInput(TableInput.builder().name(target)
                    .tableType("EXTERNAL_TABLE").storageDescriptor(targetSd).partitionKeys(List.of())
                    .parameters(parameters).build()));
        } catch (AlreadyExistsException raced) {
            throw new Failure(TABLE_ALREADY_EXISTS, "TABLE_ALREADY_EXISTS: " + ctas.createPos + ": Destination table '"
                    + CATALOG + "." + targetDb + "." + target + "' already exists");
        }
        e.rows = rows.size();
    }

    private static Failure unsupported(String what) {
        return new Failure(NOT_SUPPORTED, STAND_IN + " does not support " + what + ": " + SUPPORTED
                + ". Extend local/emulators/src/main/java/com/omc/flywheel/local/athena/ (with a test) rather than "
                + "relying on this query locally.", false);
    }

    // ---------------------------------------------------------------- IAM, as the caller

    private void glueAccess(AwsProxy.Call caller, String operation, ObjectNode body) throws Failure {
        AwsProxy.Call access = new AwsProxy.Call("glue", operation, "POST", "/", null, bytes(body), Map.of());
        Optional<String> denied = iam.denied(caller, access);
        if (denied.isPresent()) {
            throw new Failure(USER_ERROR, "Insufficient permissions to execute the query. " + denied.get()
                    + " (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException)", false);
        }
    }

    private void s3Access(AwsProxy.Call caller, String method, String bucket, String key, String query, String path)
            throws Failure {
        Optional<String> denied = iam.denied(caller, s3Call(method, bucket, key, query));
        if (denied.isPresent()) {
            throw new Failure(USER_ERROR, "Permission denied on S3 path: " + path + " (" + denied.get()
                    + " (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied))", false);
        }
    }

    /** The S3 call the caller would make itself (path-style), for the IAM check. */
    private static AwsProxy.Call s3Call(String method, String bucket, String key, String query) {
        String path = "/" + bucket + (key == null || key.isEmpty() ? "" : "/" + encPath(key));
        String operation = method.equals("PUT") ? "PutObject" : key == null
                || key.isEmpty() ? "ListObjectsV2" : "GetObject";
        return new AwsProxy.Call("s3", operation, method, path, query, new byte[0], Map.of("host", "localhost"));
    }

    // ---------------------------------------------------------------- moto's Glue and S3

    private Optional<Table> table(String db, String name) {
        try {
            return Optional.of(glue.getTable(b -> b.databaseName(db).name(name)).table());
        } catch (EntityNotFoundException missing) {
            return Optional.empty();
        }
    }

    private Optional<String> database(String db) {
        try {
            return Optional.of(glue.getDatabase(b -> b.name(db)).database().name());
        } catch (EntityNotFoundException missing) {
            return Optional.empty();
        }
    }

    private List<Partition> partitions(String db, String table) {
        List<Partition> all = new ArrayList<>();
        glue.getPartitionsPaginator(b -> b.databaseName(db).tableName(table))
                .forEach(page -> all.addAll(page.partitions()));
        return all;
    }

    /** The workgroup as moto knows it, or null when there is none of that name (moto answers {"WorkGroup": null}). */
    private JsonNode workGroup(String name) {
        JsonNode answer = motoAthena("GetWorkGroup", JSON.createObjectNode().put("WorkGroup", name));
        JsonNode wg = answer.path("WorkGroup");
        return wg.isObject() ? wg : null;
    }

    private JsonNode motoAthena(String operation, JsonNode body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(moto + "/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "AmazonAthena." + operation)
                // moto routes by the signature's service.
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/" + MotoServer.REGION
                        + "/athena/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(body))).build();
        try {
            HttpResponse<byte[]> r = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("moto answered athena:" + operation + " with HTTP " + r.statusCode()
                        + ": "
                        + new String(r.body(), StandardCharsets.UTF_8));
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach moto for athena:" + operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling moto", e);
        }
    }

    // ---------------------------------------------------------------- Get / BatchGet / Results

    private Optional<AwsProxy.Reply> batchGet(AwsProxy.Call call, JsonNode body) {
        List<String> mine = new ArrayList<>();
        List<String> others = new ArrayList<>();
        body.path("QueryExecutionIds").forEach(id -> (executions.containsKey(id.asText()) ? mine : others)
                .add(id.asText()));
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        ArrayNode found = JSON.createArrayNode();
        ArrayNode unprocessed = JSON.createArrayNode();
        mine.forEach(id -> found.add(view(executions.get(id), true)));
        // moto 5.2.1 has no BatchGetQueryExecution (HTTP 500): its ids in a mixed batch are read one by one.
        for (String id : others) {
            try {
                found.add(motoAthena("GetQueryExecution", JSON.createObjectNode().put("QueryExecutionId", id))
                        .path("QueryExecution"));
            } catch (IllegalStateException unknown) {
                unprocessed.add(JSON.createObjectNode().put("QueryExecutionId", id).put("ErrorCode", "INVALID_INPUT")
                        .put("ErrorMessage", "QueryExecution " + id + " was not found"));
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.set("QueryExecutions", found);
        answer.set("UnprocessedQueryExecutionIds", unprocessed);
        return Optional.of(ok(answer));
    }

    /** The QueryExecution as Athena describes it; {@code poll} counts this read as a poll. */
    private ObjectNode view(Execution e, boolean poll) {
        boolean running = poll ? e.pollRunning() : e.running();
        ObjectNode q = JSON.createObjectNode();
        q.put("QueryExecutionId", e.id);
        q.put("Query", e.query);
        q.put("StatementType", "DDL");
        q.put("SubstatementType", "CREATE_TABLE_AS_SELECT");
        q.set("ResultConfiguration", JSON.createObjectNode().put("OutputLocation", e.outputBase + "tables/" + e.id));
        ObjectNode context = JSON.createObjectNode();
        if (e.database != null) {
            context.put("Database", e.database);
        }
        if (e.catalog != null) {
            context.put("Catalog", e.catalog.toLowerCase(Locale.ROOT));
        }
        q.set("QueryExecutionContext", context);
        ObjectNode status = JSON.createObjectNode();
        status.put("SubmissionDateTime", seconds(e.submitted));
        ObjectNode stats = JSON.createObjectNode();
        long total = e.completed == null ? 0 : Math.max(1, (e.completed.toEpochMilli() - e.submitted.toEpochMilli()));
        if (running) {
            status.put("State", "RUNNING");
            stats.put("EngineExecutionTimeInMillis", 0).put("DataScannedInBytes", 0)
                    .put("TotalExecutionTimeInMillis", 0)
                    .put("QueryQueueTimeInMillis", 0);
        } else {
            status.put("State", e.succeeded ? "SUCCEEDED" : "FAILED");
            status.put("CompletionDateTime", seconds(e.completed));
            if (!e.succeeded) {
                status.put("StateChangeReason", e.reason);
                status.set("AthenaError", JSON.createObjectNode().put("ErrorCategory", e.errorType >= 1000 ? 2 : 1)
                        .put("ErrorType", e.errorType).put("Retryable", false).put("ErrorMessage", e.reason));
            }
            stats.put("EngineExecutionTimeInMillis", total).put("DataScannedInBytes", e.scannedBytes)
                    .put("TotalExecutionTimeInMillis", total).put("QueryQueueTimeInMillis", 0)
                    .put("ServicePreProcessingTimeInMillis", 0).put("QueryPlanningTimeInMillis", 0)
                    .put("ServiceProcessingTimeInMillis", 0);
            if (e.manifest != null) {
                stats.put("DataManifestLocation", e.manifest);
            }
            stats.set("ResultReuseInformation", JSON.createObjectNode().put("ReusedPreviousResult", false));
        }
        q.set("Status", status);
        q.set("Statistics", stats);
        q.put("WorkGroup", e.workGroup);
        q.set("EngineVersion", JSON.createObjectNode().put("SelectedEngineVersion", "AUTO")
                .put("EffectiveEngineVersion", ENGINE_VERSION));
        return q;
    }

    /**
     * A CTAS has no rows to return: Athena answers the count in UpdateCount, with one {@code rows}
     * (bigint) column in the metadata and an empty row list (measured by athena-local, docs/api.md).
     */
    private AwsProxy.Reply results(Execution e, JsonNode body) {
        JsonNode max = body.get("MaxResults");
        if (max != null && max.asInt() < 1) {
            return athenaError("INVALID_INPUT", "1 validation error detected: Value at 'maxResults' failed to satisfy "
                    + "constraint: Member must have value greater than or equal to 1");
        }
        if (max != null && max.asInt() > 1000) {
            return athenaError("INVALID_INPUT", "MaxResults is more than maximum allowed length 1000");
        }
        if (e.running()) {
            return athenaError("INVALID_QUERY_EXECUTION_STATE", "Query has not yet finished. Current state: RUNNING");
        }
        if (!e.succeeded) {
            return athenaError("INVALID_QUERY_EXECUTION_STATE",
                    "Query did not finish successfully. Final query state: FAILED");
        }
        ObjectNode column = JSON.createObjectNode().put("CatalogName", "hive").put("SchemaName", "")
                .put("TableName", "")
                .put("Name", "rows").put("Label", "rows").put("Type", "bigint").put("Precision", 19).put("Scale", 0)
                .put("Nullable", "UNKNOWN").put("CaseSensitive", false);
        ObjectNode resultSet = JSON.createObjectNode();
        resultSet.set("Rows", JSON.createArrayNode());
        resultSet.set("ResultSetMetadata", JSON.createObjectNode()
                .set("ColumnInfo", JSON.createArrayNode().add(column)));
        ObjectNode answer = JSON.createObjectNode().put("UpdateCount", e.rows);
        answer.set("ResultSet", resultSet);
        return ok(answer);
    }

    // ---------------------------------------------------------------- Parquet

    private static List<Map<String, Object>> readParquet(String path, byte[] bytes) throws Failure {
        if (bytes.length < 8 || !new String(bytes, 0, 4, StandardCharsets.ISO_8859_1).equals("PAR1")) {
            String got = new String(bytes, 0, Math.min(4, bytes.length), StandardCharsets.ISO_8859_1);
            throw new Failure(USER_ERROR, "HIVE_BAD_DATA: Not valid Parquet file: " + path
                    + " expected magic number: PAR1 got: "
                    + got);
        }
        File tmp = null;
        try {
            tmp = File.createTempFile("ctas-in-", ".parquet");
            Files.write(tmp.toPath(), bytes);
            Hydrator<Map<String, Object>, Map<String, Object>> hydrator = new Hydrator<>() {
                @Override
                public Map<String, Object> start() {
                    return new HashMap<>();
                }

                @Override
                public Map<String, Object> add(Map<String, Object> row, String column, Object value) {
                    row.put(column.toLowerCase(Locale.ROOT), value);
                    return row;
                }

                @Override
                public Map<String, Object> finish(Map<String, Object> row) {
                    return row;
                }
            };
            try (var stream = ParquetReader.streamContent(tmp, HydratorSupplier.constantly(hydrator))) {
                return stream.toList();
            }
        } catch (IOException | RuntimeException bad) {
            throw new Failure(USER_ERROR, "HIVE_BAD_DATA: Error reading Parquet file " + path + ": "
                    + bad.getMessage());
        } finally {
            if (tmp != null) {
                tmp.delete();
            }
        }
    }

    private static byte[] writeParquet(List<Column> columns, List<Map<String, Object>> rows) {
        Types.MessageTypeBuilder schema = Types.buildMessage();
        for (Column c : columns) {
            String base = baseType(c.type());
            if (STRING_TYPES.contains(base)) {
                schema.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c.name());
            } else if (base.equals("bigint")) {
                schema.optional(PrimitiveTypeName.INT64).named(c.name());
            } else if (base.equals("smallint")) {
                schema.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(16, true)).named(c.name());
            } else if (base.equals("tinyint")) {
                schema.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(8, true)).named(c.name());
            } else {
                schema.optional(PrimitiveTypeName.INT32).named(c.name());
            }
        }
        MessageType type = schema.named("hive_schema");
        try {
            File tmp = File.createTempFile("ctas-out-", ".parquet");
            Files.delete(tmp.toPath());
            try (ParquetWriter<Map<String, Object>> w = ParquetWriter.writeFile(type, tmp,
                    (row, out) -> row.forEach((k, v) -> {
                if (v != null) {
                    out.write(k, v);
                }
            }))) {
                for (Map<String, Object> row : rows) {
                    w.write(row);
                }
            }
            byte[] bytes = Files.readAllBytes(tmp.toPath());
            Files.delete(tmp.toPath());
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CTAS Parquet file", e);
        }
    }

    private static Object partitionValue(String value, String type) {
        return value == null || value.equals("__HIVE_DEFAULT_PARTITION__") ? null : value;
    }

    /** A value as the output column's type (the engine casts nothing here: the types are the source's). */
    private static Object convert(Object v, String type, String path) throws Failure {
        if (v == null) {
            return null;
        }
        String base = baseType(type);
        try {
            if (STRING_TYPES.contains(base)) {
                return v.toString();
            }
            if (base.equals("bigint")) {
                return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
            }
            return v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException bad) {
            throw new Failure(USER_ERROR, "HIVE_BAD_DATA: value '" + v + "' in " + path + " is not a " + type);
        }
    }

    private static String baseType(String glueType) {
        String t = glueType.toLowerCase(Locale.ROOT).trim();
        int paren = t.indexOf('(');
        return paren < 0 ? t : t.substring(0, paren).trim();
    }

    /** The engine skips files and folders whose names start with _ or . (Hive's hidden files). */
    private static boolean hidden(String relativeKey) {
        for (String part : relativeKey.split("/")) {
            if (part.startsWith("_") || part.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- SQL

    private record Token(String text, boolean quoted, boolean string, int offset) {
        boolean is(String keyword) {
            return !quoted && !string && text.equalsIgnoreCase(keyword);
        }

        boolean word() {
            return quoted || (!string && !text.isEmpty() && (Character.isLetter(text.charAt(0))
                    || text.charAt(0) == '_'));
        }
    }

    private static List<Token> tokenize(String sql) throws Failure {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                if (end < 0) {
                    throw unsupported("an unterminated /* comment");
                }
                i = end + 2;
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                int start = i++;
                while (true) {
                    if (i >= n) {
                        throw unsupported("an unterminated " + (c == '"' ? "quoted identifier" : "string literal"));
                    }
                    char d = sql.charAt(i);
                    if (d == c) {
                        if (i + 1 < n && sql.charAt(i + 1) == c) {
                            sb.append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    sb.append(d);
                    i++;
                }
                out.add(new Token(sb.toString(), c == '"', c == '\'', start));
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(sql.substring(start, i), false, false, start));
            } else {
                out.add(new Token(String.valueOf(c), false, false, i++));
            }
        }
        return out;
    }

    private record Name(String db, String table, String pos) {
    }

    private record Item(String column, String as, String pos) {
        String alias() {
            return as == null ? column : as;
        }
    }

    private record Ctas(Name target, Map<String, String> properties, List<Item> items, Name source, String createPos) {
        String property(String key) {
            return properties.get(key);
        }
    }

    private static final Set<String> RESERVED = Set.of("FROM", "WHERE", "GROUP", "ORDER", "LIMIT", "UNION", "JOIN",
            "AS",
            "HAVING", "WITH", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "OFFSET", "FETCH", "EXCEPT", "INTERSECT",
                    "SELECT");
    private static final Set<String> KNOWN_PROPERTIES = Set.of("external_location", "format", "write_compression",
            "parquet_compression");

    /** The one CTAS form this stand-in runs; anything else is a loud NOT_SUPPORTED failure. */
    private static final class Parser {
        private final String sql;
        private final List<Token> tokens;
        private int i;

        Parser(String sql) throws Failure {
            this.sql = sql;
            this.tokens = tokenize(sql);
        }

        Ctas parse() throws Failure {
            Token create = expect("CREATE");
            if (peek("OR")) {
                throw unsupported("CREATE OR REPLACE TABLE");
            }
            if (peek("EXTERNAL")) {
                throw unsupported("CREATE EXTERNAL TABLE ... AS");
            }
            expect("TABLE");
            if (peek("IF")) {
                throw unsupported("CREATE TABLE IF NOT EXISTS");
            }
            Name target = name();
            if (peekSymbol("(")) {
                throw unsupported("a column list after the table name");
            }
            Map<String, String> properties = new LinkedHashMap<>();
            if (peek("WITH")) {
                i++;
                expectSymbol("(");
                do {
                    Token key = identifier("a table property name");
                    String k = key.text.toLowerCase(Locale.ROOT);
                    if (!KNOWN_PROPERTIES.contains(k)) {
                        throw unsupported("the table property " + k
                                + " (only external_location, format, write_compression)");
                    }
                    expectSymbol("=");
                    Token value = next("a property value");
                    if (!value.string) {
                        throw unsupported("a property value that is not a string literal ('" + value.text + "' for " + k
                                + ")");
                    }
                    properties.put(k, value.text);
                } while (acceptSymbol(","));
                expectSymbol(")");
            }
            if (peek("COMMENT")) {
                throw unsupported("a table COMMENT");
            }
            expect("AS");
            if (peekSymbol("(")) {
                throw unsupported("a parenthesised query after AS");
            }
            if (peek("WITH") || peek("VALUES") || peek("TABLE")) {
                throw unsupported("AS " + tokens.get(i).text.toUpperCase(Locale.ROOT) + " (only AS SELECT)");
            }
            expect("SELECT");
            if (peek("DISTINCT") || peek("ALL")) {
                throw unsupported("SELECT " + tokens.get(i).text.toUpperCase(Locale.ROOT));
            }
            List<Item> items = new ArrayList<>();
            do {
                if (peekSymbol("*")) {
                    throw unsupported("SELECT * (name the columns)");
                }
                Token col = identifier("a column name");
                if (peekSymbol(".")) {
                    throw unsupported("a qualified column reference (" + col.text + "." + (i + 1 < tokens.size()
                            ? tokens.get(i + 1).text : "") + ")");
                }
                if (peekSymbol("(")) {
                    throw unsupported("a function call (" + col.text + "(...))");
                }
                String alias = null;
                if (peek("AS")) {
                    i++;
                    alias = identifier("a column alias").text.toLowerCase(Locale.ROOT);
                } else if (i < tokens.size() && tokens.get(i).word()
                        && !RESERVED.contains(tokens.get(i).text.toUpperCase(Locale.ROOT))) {
                    alias = identifier("a column alias").text.toLowerCase(Locale.ROOT);
                }
                if (i < tokens.size() && !peekSymbol(",") && !peek("FROM")) {
                    throw unsupported("an expression in the select list (at '" + tokens.get(i).text + "', "
                            + pos(tokens.get(i)) + ")");
                }
                items.add(new Item(col.text.toLowerCase(Locale.ROOT), alias, pos(col)));
            } while (acceptSymbol(","));
            expect("FROM");
            if (peekSymbol("(")) {
                throw unsupported("a subquery in FROM");
            }
            Name source = name();
            acceptSymbol(";");
            if (i < tokens.size()) {
                Token extra = tokens.get(i);
                String what = extra.is("WHERE") ? "a WHERE clause" : extra.is("JOIN") || extra.text.equals(",")
                        || extra.is("CROSS")
                        || extra.is("INNER") || extra.is("LEFT") || extra.is("RIGHT")
                                || extra.is("FULL") ? "more than one source table"
                        : extra.is("WITH") ? "WITH [NO] DATA" : "'" + extra.text + "' after the source table ("
                                + pos(extra) + ")";
                throw unsupported(what);
            }
            return new Ctas(target, properties, items, source, pos(create));
        }

        private Name name() throws Failure {
            Token first = identifier("a table name");
            List<String> parts = new ArrayList<>(List.of(first.text.toLowerCase(Locale.ROOT)));
            while (acceptSymbol(".")) {
                parts.add(identifier("a table name").text.toLowerCase(Locale.ROOT));
            }
            if (parts.size() == 3) {
                if (!parts.get(0).equals(CATALOG)) {
                    throw unsupported("the catalog " + parts.get(0) + " (only awsdatacatalog)");
                }
                parts.remove(0);
            }
            if (parts.size() > 2) {
                throw unsupported("the name " + String.join(".", parts));
            }
            return parts.size() == 1 ? new Name(null, parts.get(0), pos(first))
                    : new Name(parts.get(0), parts.get(1), pos(first));
        }

        private Token identifier(String what) throws Failure {
            Token t = next(what);
            if (!t.word()) {
                throw unsupported("'" + t.text + "' where " + what + " was expected (" + pos(t) + ")");
            }
            return t;
        }

        private Token next(String what) throws Failure {
            if (i >= tokens.size()) {
                throw unsupported("a query that ends where " + what + " was expected");
            }
            return tokens.get(i++);
        }

        private Token expect(String keyword) throws Failure {
            Token t = next(keyword);
            if (!t.is(keyword)) {
                throw unsupported("'" + t.text + "' where " + keyword + " was expected (" + pos(t) + ")");
            }
            return t;
        }

        private void expectSymbol(String symbol) throws Failure {
            Token t = next("'" + symbol + "'");
            if (t.quoted || t.string || !t.text.equals(symbol)) {
                throw unsupported("'" + t.text + "' where '" + symbol + "' was expected (" + pos(t) + ")");
            }
        }

        private boolean acceptSymbol(String symbol) {
            if (peekSymbol(symbol)) {
                i++;
                return true;
            }
            return false;
        }

        private boolean peek(String keyword) {
            return i < tokens.size() && tokens.get(i).is(keyword);
        }

        private boolean peekSymbol(String symbol) {
            return i < tokens.size() && !tokens.get(i).quoted && !tokens.get(i).string
                    && tokens.get(i).text.equals(symbol);
        }

        /** The engine's position of a token: {@code line L:C} (1-based). */
        private String pos(Token t) {
            int line = 1;
            int col = 1;
            for (int k = 0; k < t.offset; k++) {
                if (sql.charAt(k) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return "line " + line + ":" + col;
        }
    }

    // ---------------------------------------------------------------- small helpers

    private record S3Path(String bucket, String key) {
        static S3Path of(String url) {
            String rest = url.substring("s3://".length());
            int slash = rest.indexOf('/');
            return slash < 0 ? new S3Path(rest, "") : new S3Path(rest.substring(0, slash), rest.substring(slash + 1));
        }

        S3Path asFolder() {
            return key.isEmpty() || key.endsWith("/") ? this : new S3Path(bucket, key + "/");
        }
    }

    private static AwsProxy.Reply ok(JsonNode body) {
        return new AwsProxy.Reply(200, Map.of("Content-Type", "application/x-amz-json-1.1"), bytes(body));
    }

    /** Athena's InvalidRequestException: its body names the code twice, and no x-amzn-ErrorType header (as measured).
    * */
    private static AwsProxy.Reply athenaError(String code, String message) {
        ObjectNode body = JSON.createObjectNode().put("__type", "InvalidRequestException").put("AthenaErrorCode", code)
                .put("ErrorCode", code).put("Message", message);
        return new AwsProxy.Reply(400, Map.of("Content-Type", "application/x-amz-json-1.1"), bytes(body));
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static double seconds(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encPath(String key) {
        return enc(key).replace("%2F", "/");
    }

    private static String randomLetters(int n) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
