package com.omc.flywheel.local.athena;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Athena's {@code CREATE TABLE ... AS SELECT} (CTAS), executed for real on this machine: moto's
 * Athena "runs" every query at once and does nothing, so this {@link AwsProxy.Rule} answers
 * {@code athena:StartQueryExecution} itself when the QueryString is a CTAS, and
 * GetQueryExecution / BatchGetQueryExecution / GetQueryResults / StopQueryExecution for the queries
 * it started. Every other Athena call (and every other query) goes to moto unchanged. This class is
 * the API face: the requests, the queries' ids and tokens, and their states; the query itself is
 * read by {@link CtasParser} and run by {@link CtasExecutor} (see the package's description).
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
 * grant fails the query.
 *
 * <p>A query is {@code RUNNING} for the first {@link #runningPolls(int)} GetQueryExecution /
 * BatchGetQueryExecution polls (default 1) and does nothing while it is: the poll after the last
 * RUNNING one runs it (reads, writes, registers the table) and reports {@code SUCCEEDED}, or
 * {@code FAILED} with Athena's reason and {@code AthenaError}; until a poll has seen it end,
 * GetQueryResults finds it RUNNING. So a retry of StartQueryExecution with
 * the same ClientRequestToken meets a running query (and gets its id), and two queries running at
 * once race as on Athena: the one that commits second fails. StopQueryExecution changes nothing (a
 * stopped query still runs at its next poll: cancelling is not modelled).
 *
 * <p>Supported SQL, and nothing else (anything else fails the query loudly, naming this stand-in):
 * {@code CREATE TABLE [db.]t WITH (external_location = '...', format = 'PARQUET',
 * write_compression = 'SNAPPY') AS SELECT col [[AS] alias], ... FROM [db.]source [;]}; keywords in
 * any case, identifiers optionally double-quoted, comments and any whitespace; unqualified names use
 * the QueryExecutionContext's database. Source columns of Glue type string, varchar, char, tinyint,
 * smallint, int and bigint.
 */
public final class AthenaCtasStandIn implements AwsProxy.Rule {
    /** Measured on Athena (athena-local, docs/dev/measurements/result-files.md): the double space is Athena's. */
    static final String NO_OUTPUT_LOCATION = "No output location provided. You did not provide an output location for  "
            + "your query results. Either specify an S3 bucket location or enable Athena managed query results in your "
            + "workgroup settings.";

    /**
     * Authorizes, as the caller of StartQueryExecution, an access Athena makes on its behalf (given as
     * the call the caller would make itself); answers IAM's refusal, or empty when allowed.
     */
    @FunctionalInterface
    public interface OnBehalf {
        Optional<String> denied(AwsProxy.Call caller, AwsProxy.Call access);

        OnBehalf ALLOW_ALL = (caller, access) -> Optional.empty();
    }

    private final MotoAthena moto;
    private final CtasExecutor executor;
    private final Map<String, CtasExecution> executions = new ConcurrentHashMap<>();
    private final Map<String, CtasExecution> byToken = new ConcurrentHashMap<>();
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
        this.moto = new MotoAthena(moto);
        this.executor = new CtasExecutor(glue, s3, iam == null ? OnBehalf.ALLOW_ALL : iam);
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
                    .map(e -> AthenaReplies.getQueryExecution(e, poll(e)));
            case "BatchGetQueryExecution" -> batchGet(body);
            case "GetQueryResults" -> mine(body.path("QueryExecutionId").asText(null)).map(e -> results(e, body));
            // Stopping changes nothing: a running query still runs at its next poll (cancelling is not modelled).
            case "StopQueryExecution" -> mine(body.path("QueryExecutionId").asText(null))
                    .map(e -> AthenaReplies.ok(AthenaReplies.JSON.createObjectNode()));
            default -> Optional.empty();
        };
    }

    /** A CTAS: {@code CREATE [OR REPLACE] [EXTERNAL] TABLE ... AS <query>}; everything else is moto's. */
    static boolean isCtas(String sql) {
        return CtasParser.isCtas(sql);
    }

    private Optional<CtasExecution> mine(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(executions.get(id));
    }

    /** Takes a CTAS: checks the request as Athena does and answers its id; the query runs when polled. */
    private Optional<AwsProxy.Reply> start(AwsProxy.Call call, JsonNode body) {
        String sql = body.path("QueryString").asText(null);
        if (sql == null || !isCtas(sql)) {
            return Optional.empty();
        }
        String token = text(body, "ClientRequestToken");
        if (token == null || token.isEmpty()) {
            return Optional.of(AthenaReplies.error("INVALID_INPUT", "clientRequestToken is null or empty"));
        }
        String database = text(body.path("QueryExecutionContext"), "Database");
        String catalog = text(body.path("QueryExecutionContext"), "Catalog");
        String requestedOutput = text(body.path("ResultConfiguration"), "OutputLocation");
        String workGroup = Optional.ofNullable(text(body, "WorkGroup")).orElse("primary");
        synchronized (byToken) {
            CtasExecution earlier = byToken.get(token);
            if (earlier != null) {
                // A retry with the same token starts nothing, running or not: the same id, or a mismatch (as on
                // Athena).
                return Optional.of(earlier.sameRequest(sql, database, catalog, requestedOutput)
                        ? AthenaReplies.started(earlier.id)
                        : AthenaReplies.error("IDEMPOTENT_PARAMETER_MISMATCH", "Idempotent parameters do not match"));
            }
            JsonNode wg = moto.workGroup(workGroup);
            if (wg == null) {
                return Optional.of(AthenaReplies.error("INVALID_INPUT", "WorkGroup is not found."));
            }
            JsonNode config = wg.path("Configuration");
            String wgOutput = text(config.path("ResultConfiguration"), "OutputLocation");
            boolean enforced = config.path("EnforceWorkGroupConfiguration").asBoolean(false) && wgOutput != null;
            String output = enforced ? wgOutput : requestedOutput != null ? requestedOutput : wgOutput;
            if (output == null) {
                return Optional.of(AthenaReplies.error("INVALID_INPUT", NO_OUTPUT_LOCATION));
            }
            if (!S3Path.valid(output)) {
                return Optional.of(AthenaReplies.error("INVALID_INPUT", "outputLocation is not a valid S3 path."));
            }
            CtasExecution e = new CtasExecution(UUID.randomUUID().toString(), sql, database, catalog, workGroup,
                    output.endsWith("/") ? output : output + "/", token, requestedOutput, call, enforced,
                    runningPolls);
            byToken.put(token, e);
            executions.put(e.id, e);
            ctasQueries.add(sql);
            return Optional.of(AthenaReplies.started(e.id));
        }
    }

    /** Counts a poll of {@code e}: true while it shows RUNNING; the first poll past RUNNING runs it. */
    private boolean poll(CtasExecution e) {
        boolean running = e.pollRunning();
        if (!running) {
            e.settle(executor);
        }
        return running;
    }

    private Optional<AwsProxy.Reply> batchGet(JsonNode body) {
        List<String> mine = new ArrayList<>();
        List<String> others = new ArrayList<>();
        body.path("QueryExecutionIds").forEach(id -> (executions.containsKey(id.asText()) ? mine : others)
                .add(id.asText()));
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        ArrayNode found = AthenaReplies.JSON.createArrayNode();
        ArrayNode unprocessed = AthenaReplies.JSON.createArrayNode();
        for (String id : mine) {
            CtasExecution e = executions.get(id);
            found.add(AthenaReplies.queryExecution(e, poll(e)));
        }
        // moto 5.2.1 has no BatchGetQueryExecution (HTTP 500): its ids in a mixed batch are read one by one.
        for (String id : others) {
            try {
                found.add(moto.queryExecution(id));
            } catch (IllegalStateException unknown) {
                unprocessed.add(AthenaReplies.unprocessed(id));
            }
        }
        return Optional.of(AthenaReplies.batch(found, unprocessed));
    }

    /** GetQueryResults is no poll: a query no poll has seen end is RUNNING to it. */
    private AwsProxy.Reply results(CtasExecution e, JsonNode body) {
        return AthenaReplies.invalidMaxResults(body).orElseGet(() -> AthenaReplies.queryResults(e, !e.ended()));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
