package com.omc.flywheel.local.athena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.HydratorSupplier;
import blue.strategic.parquet.ParquetReader;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.iam.IamEnforcer;
import com.omc.flywheel.local.iam.PrincipalHeader;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.BatchGetQueryExecutionResponse;
import software.amazon.awssdk.services.athena.model.ColumnInfo;
import software.amazon.awssdk.services.athena.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.athena.model.StartQueryExecutionRequest;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Athena's CTAS, run for real by the stand-in behind the local endpoint and driven by the real
 * AthenaClient: the Parquet it writes, the table it registers, the failures Athena gives, the calls
 * it leaves to moto, and the caller's IAM rights on what the query touches.
 */
class AthenaCtasStandInTest {
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String RESULTS = "omc-flywheel-dev-analysis-data";
    static final String OUTPUT = "s3://" + RESULTS + "/query-results/er/";
    static final String LOCATION = "s3://" + DATA + "/er/snapshot_dt=2026-11-01/run=a1/";
    static final String SOURCE = "part_addressable_ids";
    static LocalCloud cloud;
    static AthenaClient athena;
    static GlueClient glue;
    static S3Client s3;

    @BeforeAll
    static void start() {
        cloud = LocalCloud.start();
        athena = client(AthenaClient.builder(), null);
        glue = client(GlueClient.builder(), null);
        s3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create(cloud.endpoint()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    /** A client of the local endpoint; with {@code function}, its calls are that function's (the IAM check). */
    static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>,
            C> C client(B builder, String function) {
        builder.region(Region.US_EAST_1).endpointOverride(URI.create(cloud.endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        if (function != null) {
            builder.overrideConfiguration(o -> o.putHeader(PrincipalHeader.HEADER, function));
        }
        if (builder instanceof software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<?, ?> sync) {
            sync.httpClient(UrlConnectionHttpClient.create());
        }
        return builder.build();
    }

    /**
     * part_addressable_ids partitioned by id_bucket: folders 0, 1 and 2 with 4 rows each, only 0 and 1
     * registered (Athena reads registered partitions only: 8 rows).
     */
    @BeforeEach
    void lake() {
        cloud.reset();
        new LakeBuilder(glue, s3).withParquetFiles(null).database(DB).bucket(DATA).bucket(RESULTS)
                .table(new LakeBuilder.Table(DB, SOURCE, "s3://" + DATA + "/addressable_ids/", 2,
                        LakeBuilder.Registration.PARTITIONED, List.of(0, 1, 2), List.of(0, 1), Map.of()));
    }

    static String ctas(String table, String location) {
        return "CREATE TABLE \"" + DB + "\".\"" + table + "\" WITH (external_location = '" + location
                + "', format = 'PARQUET', write_compression = 'SNAPPY') AS SELECT \"customer_user_id\" AS \"row_id\", "
                + "\"customer_user_id\" FROM \"" + DB + "\".\"" + SOURCE + "\"";
    }

    static String start(String sql) {
        return start(athena, sql, b -> { });
    }

    static String start(AthenaClient client, String sql, Consumer<StartQueryExecutionRequest.Builder> more) {
        return client.startQueryExecution(b -> {
            b.queryString(sql).queryExecutionContext(c -> c.database(DB))
                    .resultConfiguration(r -> r.outputLocation(OUTPUT));
            more.accept(b);
        }).queryExecutionId();
    }

    /** Polls as a client does, and counts the polls. */
    static QueryExecution finish(String id, List<QueryExecutionState> seen) {
        for (int i = 0; i < 10; i++) {
            QueryExecution q = athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution();
            seen.add(q.status().state());
            if (q.status().state() != QueryExecutionState.RUNNING && q.status().state() != QueryExecutionState.QUEUED) {
                return q;
            }
        }
        throw new AssertionError("query " + id + " never finished: " + seen);
    }

    static QueryExecution finish(String id) {
        return finish(id, new ArrayList<>());
    }

    static List<Map<String, Object>> parquetRows(byte[] bytes, List<String> columnsSeen,
            List<CompressionCodecName> codecs)
            throws Exception {
        File tmp = File.createTempFile("ctas-test-", ".parquet");
        try {
            Files.write(tmp.toPath(), bytes);
            var meta = ParquetReader.readMetadata(tmp);
            meta.getFileMetaData().getSchema().getFields().forEach(f -> columnsSeen.add(f.getName()));
            meta.getBlocks().forEach(b -> b.getColumns().forEach(c -> codecs.add(c.getCodec())));
            Hydrator<Map<String, Object>, Map<String, Object>> h = new Hydrator<>() {
                public Map<String, Object> start() {
                    return new HashMap<>();
                }

                public Map<String, Object> add(Map<String, Object> row, String column, Object value) {
                    row.put(column, value);
                    return row;
                }

                public Map<String, Object> finish(Map<String, Object> row) {
                    return row;
                }
            };
            try (var rows = ParquetReader.streamContent(tmp, HydratorSupplier.constantly(h))) {
                return rows.toList();
            }
        } finally {
            Files.delete(tmp.toPath());
        }
    }

    static List<S3Object> objects(String bucket, String prefix) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents();
    }

    @Test
    void aCtasReadsTheRegisteredPartitionsWritesOneSnappyParquetFileAndRegistersTheTableAsAthenaDoes()
            throws Exception {
        String sql = ctas("er_staging", LOCATION);
        String id = start(sql);
        List<QueryExecutionState> seen = new ArrayList<>();
        QueryExecution q = finish(id, seen);

        assertEquals(List.of(QueryExecutionState.RUNNING, QueryExecutionState.SUCCEEDED), seen,
                "RUNNING once, then done");
        assertNull(q.status().stateChangeReason(), "no reason on success");
        assertNull(q.status().athenaError());
        assertEquals("DDL", q.statementTypeAsString());
        assertEquals("CREATE_TABLE_AS_SELECT", q.substatementType());
        assertEquals(OUTPUT + "tables/" + id, q.resultConfiguration().outputLocation());
        assertEquals(DB, q.queryExecutionContext().database());
        assertEquals("primary", q.workGroup());
        assertEquals(sql, q.query());
        assertNotNull(q.status().submissionDateTime());
        assertFalse(q.status().completionDateTime().isBefore(q.status().submissionDateTime()));
        assertTrue(q.statistics().dataScannedInBytes() > 0, "two Parquet objects were read");
        assertEquals(OUTPUT + "tables/" + id + "-manifest.csv", q.statistics().dataManifestLocation());
        assertEquals("Athena engine version 3", q.engineVersion().effectiveEngineVersion());

        GetQueryResultsResponse results = athena.getQueryResults(b -> b.queryExecutionId(id));
        assertEquals(8, results.updateCount(), "the rows written: folders 0 and 1, not the unregistered folder 2");
        assertEquals(List.of(), results.resultSet().rows(), "a CTAS answers its count in UpdateCount, with no rows");
        ColumnInfo rows = results.resultSet().resultSetMetadata().columnInfo().get(0);
        assertEquals("rows", rows.name());
        assertEquals("bigint", rows.type());

        Table t = glue.getTable(b -> b.databaseName(DB).name("er_staging")).table();
        assertEquals("EXTERNAL_TABLE", t.tableType());
        assertEquals("false", t.parameters().get("has_encrypted_data"));
        assertEquals("SNAPPY", t.parameters().get("parquet.compression"));
        assertEquals(LOCATION, t.storageDescriptor().location());
        assertEquals(List.of("row_id:string", "customer_user_id:string"), t.storageDescriptor().columns().stream()
                .map(c -> c.name() + ":" + c.type()).toList());
        assertEquals(List.of(), t.partitionKeys());
        assertEquals(LakeBuilder.PARQUET_INPUT, t.storageDescriptor().inputFormat());
        assertEquals(LakeBuilder.PARQUET_OUTPUT, t.storageDescriptor().outputFormat());
        assertEquals(LakeBuilder.PARQUET_SERDE, t.storageDescriptor().serdeInfo().serializationLibrary());
        assertEquals(Map.of("serialization.format", "1"), t.storageDescriptor().serdeInfo().parameters());

        List<S3Object> files = objects(DATA, "er/snapshot_dt=2026-11-01/run=a1/");
        assertEquals(1, files.size(), "one data file: " + files);
        String key = files.get(0).key();
        assertTrue(key.substring(key.lastIndexOf('/') + 1).matches(
                "[0-9]{8}_[0-9]{6}_[0-9]{5}_[a-z0-9]{5}_[0-9a-f-]{36}"),
                "named as Athena's engine names its files: " + key);
        List<String> columns = new ArrayList<>();
        List<CompressionCodecName> codecs = new ArrayList<>();
        List<Map<String, Object>> written = parquetRows(s3.getObjectAsBytes(b -> b.bucket(DATA).key(key)).asByteArray(),
                columns, codecs);
        assertEquals(List.of("row_id", "customer_user_id"), columns);
        assertTrue(!codecs.isEmpty() && codecs.stream().allMatch(c -> c == CompressionCodecName.SNAPPY),
                codecs.toString());
        Set<String> ids = new HashSet<>();
        for (Map<String, Object> r : written) {
            assertEquals(r.get("customer_user_id"), r.get("row_id"), "row_id is customer_user_id: " + r);
            ids.add((String) r.get("row_id"));
        }
        assertEquals(Set.of("cust-0-0", "cust-0-1", "cust-0-2", "cust-0-3", "cust-1-0", "cust-1-1", "cust-1-2",
                "cust-1-3"), ids);
        assertEquals(8, written.size());

        String manifest = s3.getObjectAsBytes(b -> b.bucket(RESULTS)
                .key("query-results/er/tables/" + id + "-manifest.csv"))
                .asUtf8String();
        assertEquals("s3://" + DATA + "/" + key + "\n", manifest);
        assertEquals(List.of(sql), cloud.athenaCtas().ctasQueries());
        assertTrue(cloud.athenaCtas().owns(id));
    }

    @Test
    void keywordsInAnyCaseCommentsNewlinesImplicitAliasesAndATrailingSemicolonAreRead() {
        String sql = "create table er_lower\n  with (external_location='" + LOCATION + "' , FORMAT = 'parquet',\n"
                + "        write_compression='snappy')\nAs -- the ids\n Select customer_user_id row_id /* one */ FROM "
                + SOURCE + " ;";
        QueryExecution q = finish(start(sql));
        assertEquals(QueryExecutionState.SUCCEEDED, q.status().state(), q.status().stateChangeReason());
        Table t = glue.getTable(b -> b.databaseName(DB).name("er_lower")).table();
        assertEquals(List.of("row_id"), t.storageDescriptor().columns().stream().map(c -> c.name()).toList(),
                "unqualified names are the context database's");
    }

    @Test
    void aNonEmptyLocationFailsTheQueryWithHivePathAlreadyExistsAndCreatesNothing() {
        s3.putObject(b -> b.bucket(DATA).key("er/snapshot_dt=2026-11-01/run=a1/leftover"), RequestBody.fromString("x"));
        String id = start(ctas("er_staging", LOCATION));
        QueryExecution q = finish(id);

        assertEquals(QueryExecutionState.FAILED, q.status().state());
        String reason = q.status().stateChangeReason();
        assertTrue(reason.startsWith("HIVE_PATH_ALREADY_EXISTS: Target directory for table '" + DB
                + ".er_staging' already exists: "
                + LOCATION), reason);
        assertTrue(reason.endsWith("Athena will not delete data in your account."), reason);
        assertEquals(2, q.status().athenaError().errorCategory());
        assertFalse(q.status().athenaError().retryable());
        assertEquals(reason, q.status().athenaError().errorMessage());
        assertThrows(EntityNotFoundException.class, () -> glue.getTable(b -> b.databaseName(DB).name("er_staging")));
        assertEquals(1, objects(DATA, "er/").size(), "nothing written beside the leftover");
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> athena.getQueryResults(b -> b.queryExecutionId(id)));
        assertEquals("Query did not finish successfully. Final query state: FAILED",
                e.awsErrorDetails().errorMessage());
        assertEquals("INVALID_QUERY_EXECUTION_STATE", e.athenaErrorCode());
    }

    @Test
    void anExistingTargetTableFailsTheQueryWithTableAlreadyExists() {
        assertEquals(QueryExecutionState.SUCCEEDED, finish(start(ctas("er_staging", LOCATION))).status().state());
        QueryExecution q = finish(start(ctas("er_staging", "s3://" + DATA + "/er/other/")));

        assertEquals(QueryExecutionState.FAILED, q.status().state());
        assertTrue(q.status().stateChangeReason().startsWith(
                "TABLE_ALREADY_EXISTS: line 1:1: Destination table 'awsdatacatalog."
                + DB + ".er_staging' already exists. You may need to manually clean the data at location '" + OUTPUT
                        + "tables/"),
                q.status().stateChangeReason());
        assertEquals(1110, q.status().athenaError().errorType());
        assertEquals(List.of(), objects(DATA, "er/other/"), "nothing written");
    }

    @Test
    void aMissingSourceTableOrColumnFailsTheQueryWithTheEnginesError() {
        QueryExecution table = finish(start("CREATE TABLE er_a WITH (external_location = '" + LOCATION
                + "', format = 'PARQUET', "
                + "write_compression = 'SNAPPY') AS SELECT customer_user_id FROM part_missing"));
        assertEquals(QueryExecutionState.FAILED, table.status().state());
        assertTrue(table.status().stateChangeReason().startsWith("TABLE_NOT_FOUND: line 1:"
                + (table.query().indexOf("part_missing") + 1)
                + ": Table 'awsdatacatalog." + DB + ".part_missing' does not exist"),
                        table.status().stateChangeReason());
        assertEquals(1301, table.status().athenaError().errorType());

        QueryExecution column = finish(start("CREATE TABLE er_b WITH (external_location = '" + LOCATION
                + "', format = 'PARQUET', "
                + "write_compression = 'SNAPPY') AS SELECT customer_user_id, no_such_column AS x FROM " + SOURCE));
        assertEquals(QueryExecutionState.FAILED, column.status().state());
        assertTrue(column.status().stateChangeReason().startsWith("COLUMN_NOT_FOUND: line 1:"
                + (column.query().indexOf("no_such_column") + 1) + ": Column 'no_such_column' cannot be resolved"),
                column.status().stateChangeReason());
        assertEquals(1006, column.status().athenaError().errorType());
        assertEquals(List.of(), objects(DATA, "er/"));
        assertThrows(EntityNotFoundException.class, () -> glue.getTable(b -> b.databaseName(DB).name("er_b")));
    }

    @Test
    void sqlTheStandInDoesNotRunFailsLoudlyNamingTheStandIn() {
        String with = " WITH (external_location = '" + LOCATION
                + "', format = 'PARQUET', write_compression = 'SNAPPY')";
        List<String> unsupported = List.of(
                "CREATE TABLE er_x" + with + " AS SELECT customer_user_id FROM " + SOURCE + " WHERE id_bucket = 1",
                "CREATE TABLE er_x" + with + " AS SELECT * FROM " + SOURCE,
                "CREATE TABLE er_x" + with + " AS SELECT upper(customer_user_id) AS u FROM " + SOURCE,
                "CREATE TABLE er_x" + with + " AS SELECT a.customer_user_id FROM " + SOURCE + " a JOIN " + SOURCE
                        + " b ON true",
                "CREATE TABLE er_x WITH (format = 'PARQUET', write_compression = 'SNAPPY') AS SELECT customer_user_id "
                        + "FROM " + SOURCE,
                "CREATE TABLE er_x WITH (external_location = '" + LOCATION
                        + "', format = 'ORC') AS SELECT customer_user_id FROM "
                        + SOURCE,
                "CREATE TABLE er_x WITH (external_location = '" + LOCATION
                        + "', format = 'PARQUET', partitioned_by = ARRAY['b']) "
                        + "AS SELECT customer_user_id FROM " + SOURCE);
        for (String sql : unsupported) {
            QueryExecution q = finish(start(sql));
            assertEquals(QueryExecutionState.FAILED, q.status().state(), sql);
            assertTrue(q.status().stateChangeReason().contains("LOCAL ATHENA STAND-IN")
                    && q.status().stateChangeReason().contains("does not support"), sql + " -> "
                            + q.status().stateChangeReason());
            assertEquals(1200, q.status().athenaError().errorType());
        }
        assertThrows(EntityNotFoundException.class, () -> glue.getTable(b -> b.databaseName(DB).name("er_x")));
        assertEquals(List.of(), objects(DATA, "er/"));
        assertEquals(unsupported, cloud.athenaCtas().ctasQueries());
    }

    @Test
    void otherQueriesAreMotosAndAreLeftToIt() {
        String select = start("SELECT 1");
        String ddl = start("CREATE EXTERNAL TABLE plain (a string) LOCATION 's3://" + DATA + "/plain/'");
        assertFalse(cloud.athenaCtas().owns(select));
        assertFalse(cloud.athenaCtas().owns(ddl));
        assertEquals(QueryExecutionState.SUCCEEDED, athena.getQueryExecution(b -> b.queryExecutionId(select))
                .queryExecution()
                .status().state(), "moto's answer");
        assertEquals(List.of(), cloud.athenaCtas().ctasQueries());
        int before = cloud.proxy().count("athena:GetQueryExecution");
        athena.getQueryResults(b -> b.queryExecutionId(select));
        athena.stopQueryExecution(b -> b.queryExecutionId(select));
        assertEquals(before, cloud.proxy().count("athena:GetQueryExecution"),
                "no lookups of moto's ids by the stand-in");
    }

    @Test
    void batchGetQueryExecutionAnswersTheStandInsQueriesBesideMotos() {
        String ok = start(ctas("er_staging", LOCATION));
        String failed = start(ctas("er_staging2", LOCATION)); // the first one filled the location
        String motos = start("SELECT 1");
        String unknown = "00000000-0000-0000-0000-000000000000";

        BatchGetQueryExecutionResponse first = athena.batchGetQueryExecution(b ->
                b.queryExecutionIds(ok, failed, motos, unknown));
        Map<String, QueryExecutionState> states = new HashMap<>();
        first.queryExecutions().forEach(q -> states.put(q.queryExecutionId(), q.status().state()));
        assertEquals(Map.of(ok, QueryExecutionState.RUNNING, failed, QueryExecutionState.RUNNING, motos,
                QueryExecutionState.SUCCEEDED), states, "the batch counts as a poll");
        assertEquals(List.of(unknown), first.unprocessedQueryExecutionIds().stream().map(u -> u.queryExecutionId())
                .toList());
        assertEquals("DML", first.queryExecutions().stream().filter(q -> q.queryExecutionId().equals(motos)).findFirst()
                .orElseThrow().statementTypeAsString(), "moto's own description of its query");

        athena.batchGetQueryExecution(b -> b.queryExecutionIds(ok, failed)).queryExecutions()
                .forEach(q -> states.put(q.queryExecutionId(), q.status().state()));
        assertEquals(QueryExecutionState.SUCCEEDED, states.get(ok));
        assertEquals(QueryExecutionState.FAILED, states.get(failed));
    }

    @Test
    void withoutAnOutputLocationOrWithAnUnknownWorkgroupStartQueryExecutionIsRefusedAsAthenaDoes() {
        String sql = ctas("er_staging", LOCATION);
        InvalidRequestException none = assertThrows(InvalidRequestException.class,
                () -> athena.startQueryExecution(b -> b
                .queryString(sql).queryExecutionContext(c -> c.database(DB))));
        assertEquals(AthenaCtasStandIn.NO_OUTPUT_LOCATION, none.awsErrorDetails().errorMessage());
        assertEquals("INVALID_INPUT", none.athenaErrorCode());

        InvalidRequestException wg = assertThrows(InvalidRequestException.class,
                () -> start(athena, sql, b -> b.workGroup("nope")));
        assertEquals("WorkGroup is not found.", wg.awsErrorDetails().errorMessage());
        assertEquals(List.of(), cloud.athenaCtas().ctasQueries(), "nothing started");
    }

    @Test
    void aRetryWithTheSameClientRequestTokenStartsNothingNew() {
        String sql = ctas("er_staging", LOCATION);
        String token = "flywheel-er-staging-0000000000000000000";
        String first = start(athena, sql, b -> b.clientRequestToken(token));
        String again = start(athena, sql, b -> b.clientRequestToken(token));
        assertEquals(first, again);
        assertEquals(1, cloud.athenaCtas().ctasQueries().size());
        assertEquals(QueryExecutionState.SUCCEEDED, finish(first).status().state(), "not failed by a second run");
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> start(athena, ctas("er_other", LOCATION), b -> b.clientRequestToken(token)));
        assertEquals("IDEMPOTENT_PARAMETER_MISMATCH", e.athenaErrorCode());
    }

    @Test
    void theCallersRoleMustAllowWhatTheQueryTouches() {
        // msck-repair's role may start queries and read the catalog and list the data bucket, not read its objects.
        AthenaClient asMsckRepair = client(AthenaClient.builder(), "msck-repair");
        String id = start(asMsckRepair, ctas("er_staging", LOCATION), b -> { });
        QueryExecution q = asMsckRepair.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution();
        q = asMsckRepair.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution();
        try {
            assertEquals(QueryExecutionState.FAILED, q.status().state());
            assertTrue(q.status().stateChangeReason().startsWith("Permission denied on S3 path: s3://" + DATA
                    + "/addressable_ids/")
                    && q.status().stateChangeReason().contains("is not authorized to perform: s3:GetObject"),
                    q.status().stateChangeReason());
            List<IamEnforcer.Denial> denials = cloud.iam().denials();
            assertEquals(1, denials.size(), denials.toString());
            assertEquals("s3:GetObject", denials.get(0).action());
            assertEquals(cloud.stack().roleOfFunction("msck-repair"), denials.get(0).principal());
            assertThrows(EntityNotFoundException.class, () ->
                    glue.getTable(b -> b.databaseName(DB).name("er_staging")));
        } finally {
            cloud.iam().reset();
        }
        assertEquals(QueryExecutionState.SUCCEEDED, finish(start(ctas("er_staging", LOCATION))).status().state(),
                "the same query, as an unchecked caller, runs");
    }

    /** One poll, as a client makes it: the state it sees. */
    static QueryExecutionState poll(String id) {
        return athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution().status().state();
    }

    @Test
    void aRetryWithTheSameTokenWhileTheQueryRunsGetsItsIdAndTheQueryRunsOnce() throws Exception {
        String sql = ctas("er_staging", LOCATION);
        String token = "flywheel-er-staging-0000000000000000001";
        String first = start(athena, sql, b -> b.clientRequestToken(token));
        assertEquals(QueryExecutionState.RUNNING, poll(first));

        String again = start(athena, sql, b -> b.clientRequestToken(token));

        assertEquals(first, again, "Athena answers a retry of a running query with its id");
        assertEquals(1, cloud.athenaCtas().ctasQueries().size(), "one query taken");
        assertEquals(QueryExecutionState.SUCCEEDED, poll(first), "the retry did not fail the first run");
        assertEquals(QueryExecutionState.SUCCEEDED, poll(again));
        List<S3Object> files = objects(DATA, "er/snapshot_dt=2026-11-01/run=a1/");
        assertEquals(1, files.size(), "one data file, written once: " + files);
        assertEquals(8, parquetRows(s3.getObjectAsBytes(b -> b.bucket(DATA).key(files.get(0).key())).asByteArray(),
                new ArrayList<>(), new ArrayList<>()).size());
        assertEquals(List.of(RESULTS + "/query-results/er/tables/" + first + "-manifest.csv"),
                objects(RESULTS, "query-results/er/tables/").stream().map(o -> RESULTS + "/" + o.key()).toList(),
                "one manifest");
        assertEquals(8, athena.getQueryResults(b -> b.queryExecutionId(first)).updateCount());
        assertEquals(LOCATION, glue.getTable(b -> b.databaseName(DB).name("er_staging")).table()
                .storageDescriptor().location());
    }

    @Test
    void theQuerysResultsExistOnlyOnceItReportsSucceeded() {
        String id = start(ctas("er_staging", LOCATION));
        String manifestKey = "query-results/er/tables/" + id + "-manifest.csv";

        for (int poll = 0; poll < 2; poll++) {
            // Before the first poll and after the RUNNING one: nothing written, nothing registered.
            assertThrows(EntityNotFoundException.class, () -> glue.getTable(b -> b.databaseName(DB)
                    .name("er_staging")));
            assertEquals(List.of(), objects(DATA, "er/"), "no data file while the query runs");
            assertEquals(List.of(), objects(RESULTS, manifestKey), "no manifest while the query runs");
            InvalidRequestException early = assertThrows(InvalidRequestException.class,
                    () -> athena.getQueryResults(b -> b.queryExecutionId(id)));
            assertEquals("Query has not yet finished. Current state: RUNNING", early.awsErrorDetails().errorMessage());
            assertEquals("INVALID_QUERY_EXECUTION_STATE", early.athenaErrorCode());
            if (poll == 0) {
                QueryExecution running = athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution();
                assertEquals(QueryExecutionState.RUNNING, running.status().state());
                assertNull(running.status().completionDateTime());
                assertNull(running.statistics().dataManifestLocation());
            }
        }

        QueryExecution done = athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution();

        assertEquals(QueryExecutionState.SUCCEEDED, done.status().state(), done.status().stateChangeReason());
        assertEquals(LOCATION, glue.getTable(b -> b.databaseName(DB).name("er_staging")).table()
                .storageDescriptor().location(), "registered by the poll that reports SUCCEEDED");
        assertEquals(1, objects(DATA, "er/snapshot_dt=2026-11-01/run=a1/").size());
        assertEquals(1, objects(RESULTS, manifestKey).size());
        assertEquals(OUTPUT + "tables/" + id + "-manifest.csv", done.statistics().dataManifestLocation());
        assertFalse(done.status().completionDateTime().isBefore(done.status().submissionDateTime()));
        assertTrue(done.statistics().engineExecutionTimeInMillis() <= done.statistics().totalExecutionTimeInMillis(),
                done.statistics().toString());
        assertEquals(8, athena.getQueryResults(b -> b.queryExecutionId(id)).updateCount());
    }

    @Test
    void aSecondCtasOfTheSameTableStartedWhileTheFirstRunsFailsWhenTheFirstCommits() {
        String other = "s3://" + DATA + "/er/other/";
        String first = start(ctas("er_staging", LOCATION));
        String second = start(ctas("er_staging", other));
        assertEquals(QueryExecutionState.RUNNING, poll(first));
        assertEquals(QueryExecutionState.RUNNING, poll(second), "neither fails at its start: the table is not there");

        assertEquals(QueryExecutionState.SUCCEEDED, poll(first));
        QueryExecution q = athena.getQueryExecution(b -> b.queryExecutionId(second)).queryExecution();

        assertEquals(QueryExecutionState.FAILED, q.status().state());
        assertTrue(q.status().stateChangeReason().startsWith("TABLE_ALREADY_EXISTS: line 1:1: Destination table "
                + "'awsdatacatalog." + DB + ".er_staging' already exists. You may need to manually clean the data at "
                + "location '" + OUTPUT + "tables/" + second + "'"), q.status().stateChangeReason());
        assertEquals(1110, q.status().athenaError().errorType());
        assertEquals(LOCATION, glue.getTable(b -> b.databaseName(DB).name("er_staging")).table()
                .storageDescriptor().location(), "the first query's table");
        assertEquals(List.of(), objects(DATA, "er/other/"), "nothing written by the second");
        assertEquals(2, cloud.athenaCtas().ctasQueries().size());
    }
}
