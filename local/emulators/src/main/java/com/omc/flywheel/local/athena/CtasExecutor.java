package com.omc.flywheel.local.athena;

import static com.omc.flywheel.local.athena.AthenaFailure.unsupported;

import com.omc.flywheel.local.athena.CtasStatement.Item;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
 * Runs a parsed CTAS against moto's Glue catalog and S3 the way Athena engine version 3 (Trino's
 * Hive connector) does: analysis in the engine's order (target, properties, source, columns, target
 * schema, empty target location), then the source's Parquet objects read, one object and a data
 * manifest written, and the table registered. Every access is first authorized as the caller
 * ({@link OnBehalfAccess}). One query runs at a time.
 */
final class CtasExecutor {
    private final GlueClient glue;
    private final S3Client s3;
    private final AthenaCtasStandIn.OnBehalf iam;

    CtasExecutor(GlueClient glue, S3Client s3, AthenaCtasStandIn.OnBehalf iam) {
        this.glue = glue;
        this.s3 = s3;
        this.iam = iam;
    }

    /** The source table's columns the query selects, and the output columns they become. */
    private record Projection(String sourceDb, Table source, Map<String, Column> dataColumns,
                              Map<String, Column> partitionKeys, List<String> sourceNames, List<Column> outColumns) {
    }

    /** Runs {@code e}'s query: its rows, scanned bytes and manifest are recorded on {@code e}. */
    synchronized void run(CtasExecution e) throws AthenaFailure {
        String cleanUp = ". You may need to manually clean the data at location '" + e.outputBase + "tables/" + e.id
                + "' before retrying. Athena will not delete data in your account.";
        try {
            execute(e, new OnBehalfAccess(iam, e.caller));
        } catch (AthenaFailure f) {
            // Athena adds where to clean up to the engine's failures of a CTAS (measured for
            // TABLE_ALREADY_EXISTS and NOT_SUPPORTED); refusals of the stand-in or of IAM are left as they are.
            throw f.engine ? new AthenaFailure(f.errorType, f.getMessage() + cleanUp) : f;
        }
    }

    private void execute(CtasExecution e, OnBehalfAccess access) throws AthenaFailure {
        if (e.catalog != null && !e.catalog.equalsIgnoreCase("AwsDataCatalog")) {
            throw unsupported("the data catalog '" + e.catalog + "' (only AwsDataCatalog, the Glue catalog)");
        }
        CtasStatement ctas = CtasParser.parse(e.query);
        String defaultDb = e.database == null ? "default" : e.database.toLowerCase(Locale.ROOT);
        String targetDb = ctas.target().db() == null ? defaultDb : ctas.target().db();
        String target = ctas.target().table();

        // Analysis, in the engine's order: the target, the properties, then the query.
        access.getTable(targetDb, target);
        if (table(targetDb, target).isPresent()) {
            throw alreadyExists(ctas, targetDb, target);
        }
        String location = location(ctas, e.enforcedOutput);
        Projection p = projection(ctas, ctas.source().db() == null ? defaultDb : ctas.source().db(), access);
        access.getDatabase(targetDb);
        if (database(targetDb).isEmpty()) {
            throw new AthenaFailure(AthenaFailure.TABLE_NOT_FOUND, "SCHEMA_NOT_FOUND: " + ctas.createPos()
                    + ": Schema '" + CtasStatement.CATALOG + "." + targetDb + "' does not exist");
        }

        // The target location must be empty (the engine's check before it writes).
        S3Path out = S3Path.of(location).asFolder();
        access.list(out, location);
        if (!s3.listObjectsV2(b -> b.bucket(out.bucket()).prefix(out.key()).maxKeys(1)).contents().isEmpty()) {
            throw new AthenaFailure(AthenaFailure.USER_ERROR, "HIVE_PATH_ALREADY_EXISTS: Target directory for table '"
                    + targetDb + "." + target + "' already exists: " + location);
        }

        List<Map<String, Object>> rows = read(e, p, access);
        if (!rows.isEmpty()) {
            write(e, p.outColumns(), rows, out, access);
        }
        commit(e, ctas, targetDb, target, location, p.outColumns(), access);
        e.rows = rows.size();
    }

    /** The WITH properties, checked: the (empty) external_location the query writes to. */
    private static String location(CtasStatement ctas, boolean enforcedOutput) throws AthenaFailure {
        String location = ctas.property("external_location");
        if (location == null) {
            throw unsupported("a CTAS without external_location (Athena would write under the results location's "
                    + "tables/<query id>/)");
        }
        if (enforcedOutput) {
            throw unsupported("external_location in a workgroup that enforces its query results location (Athena fails "
                    + "such a query, see docs ctas-considerations-limitations; its message is not known here)");
        }
        if (!S3Path.valid(location)) {
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
                    + "stand-in writes SNAPPY only: add write_compression = 'SNAPPY')");
        }
        if (!compression.equalsIgnoreCase("SNAPPY")) {
            throw unsupported("write_compression = '" + compression + "' (only SNAPPY)");
        }
        return location;
    }

    /** The source table and the selected columns, resolved against the catalog. */
    private Projection projection(CtasStatement ctas, String sourceDb, OnBehalfAccess access) throws AthenaFailure {
        access.getDatabase(sourceDb);
        access.getTable(sourceDb, ctas.source().table());
        if (database(sourceDb).isEmpty()) {
            throw new AthenaFailure(AthenaFailure.TABLE_NOT_FOUND, "SCHEMA_NOT_FOUND: " + ctas.source().pos()
                    + ": Schema '" + sourceDb + "' does not exist");
        }
        Table source = table(sourceDb, ctas.source().table()).orElseThrow(() ->
                new AthenaFailure(AthenaFailure.TABLE_NOT_FOUND, "TABLE_NOT_FOUND: " + ctas.source().pos()
                        + ": Table '" + CtasStatement.CATALOG + "." + sourceDb + "." + ctas.source().table()
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
        Set<String> seen = new HashSet<>();
        for (Item item : ctas.items()) {
            Column c = dataColumns.containsKey(item.column()) ? dataColumns.get(item.column())
                    : partitionKeys.get(item.column());
            if (c == null) {
                throw new AthenaFailure(AthenaFailure.COLUMN_NOT_FOUND, "COLUMN_NOT_FOUND: " + item.pos()
                        + ": Column '" + item.column() + "' cannot be resolved");
            }
            if (!ParquetRows.supports(c.type())) {
                throw unsupported("column " + item.column() + " of Glue type " + c.type()
                        + " (only string, varchar, char, tinyint, smallint, int and bigint)");
            }
            String name = item.alias();
            if (!seen.add(name)) {
                throw unsupported("the output column name '" + name + "' used twice (Athena refuses it too)");
            }
            outColumns.add(Column.builder().name(name).type(c.type().toLowerCase(Locale.ROOT)).build());
            sourceNames.add(item.column());
        }
        return new Projection(sourceDb, source, dataColumns, partitionKeys, sourceNames, outColumns);
    }

    /** Reads every registered partition's location, or the table's location: the selected columns' rows. */
    private List<Map<String, Object>> read(CtasExecution e, Projection p, OnBehalfAccess access)
            throws AthenaFailure {
        List<Map.Entry<String, Map<String, String>>> folders = new ArrayList<>();
        if (p.partitionKeys().isEmpty()) {
            folders.add(Map.entry(p.source().storageDescriptor().location(), Map.of()));
        } else {
            access.getPartitions(p.sourceDb(), p.source().name());
            for (Partition partition : partitions(p.sourceDb(), p.source().name())) {
                Map<String, String> values = new HashMap<>();
                int k = 0;
                for (String key : p.partitionKeys().keySet()) {
                    values.put(key, k < partition.values().size() ? partition.values().get(k) : null);
                    k++;
                }
                String loc = partition.storageDescriptor() == null ? null : partition.storageDescriptor().location();
                if (loc != null) {
                    folders.add(Map.entry(loc, values));
                }
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> folder : folders) {
            S3Path in = S3Path.of(folder.getKey()).asFolder();
            access.list(in, folder.getKey());
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(in.bucket()).prefix(in.key())).contents()) {
                String rel = o.key().substring(in.key().length());
                if (o.size() == 0 || hidden(rel)) {
                    continue; // folder markers, and _/. files the engine skips
                }
                S3Path object = new S3Path(in.bucket(), o.key());
                access.read(object);
                byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(in.bucket()).key(o.key())).asByteArray();
                e.scannedBytes += bytes.length;
                for (Map<String, Object> record : ParquetRows.read(object.url(), bytes)) {
                    rows.add(row(p, record, folder.getValue(), object.url()));
                }
            }
        }
        return rows;
    }

    /** One output row of a source record (partition columns from the partition's values). */
    private static Map<String, Object> row(Projection p, Map<String, Object> record, Map<String, String> partition,
                                           String path) throws AthenaFailure {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < p.sourceNames().size(); i++) {
            String col = p.sourceNames().get(i);
            Column type = p.outColumns().get(i);
            Object v = p.partitionKeys().containsKey(col) && !p.dataColumns().containsKey(col)
                    ? ParquetRows.partitionValue(partition.get(col)) : record.get(col);
            row.put(type.name(), ParquetRows.convert(v, type.type(), path));
        }
        return row;
    }

    /** One data object (the engine writes files only for rows) and its manifest. */
    private void write(CtasExecution e, List<Column> columns, List<Map<String, Object>> rows, S3Path out,
                       OnBehalfAccess access) throws AthenaFailure {
        S3Path data = out.child(e.engineId + "_" + UUID.randomUUID());
        access.write(data);
        byte[] parquet = ParquetRows.write(columns, rows);
        s3.putObject(b -> b.bucket(data.bucket()).key(data.key()), RequestBody.fromBytes(parquet));
        S3Path manifest = S3Path.of(e.outputBase + "tables/" + e.id + "-manifest.csv");
        access.writeResult(manifest);
        s3.putObject(b -> b.bucket(manifest.bucket()).key(manifest.key()),
                RequestBody.fromString(data.url() + "\n"));
        e.manifest = manifest.url();
    }

    /** The table in the catalog, as Athena's engine registers a Hive CTAS table. */
    private void commit(CtasExecution e, CtasStatement ctas, String targetDb, String target, String location,
                        List<Column> columns, OnBehalfAccess access) throws AthenaFailure {
        access.createTable(targetDb, target);
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
        StorageDescriptor sd = StorageDescriptor.builder().columns(columns).location(location)
                .inputFormat(LakeBuilder.PARQUET_INPUT).outputFormat(LakeBuilder.PARQUET_OUTPUT).compressed(false)
                .numberOfBuckets(0).storedAsSubDirectories(false)
                .serdeInfo(s -> s.serializationLibrary(LakeBuilder.PARQUET_SERDE)
                        .parameters(Map.of("serialization.format", "1")))
                .build();
        try {
            glue.createTable(b -> b.databaseName(targetDb).tableInput(TableInput.builder().name(target)
                    .tableType("EXTERNAL_TABLE").storageDescriptor(sd).partitionKeys(List.of())
                    .parameters(parameters).build()));
        } catch (AlreadyExistsException raced) {
            throw alreadyExists(ctas, targetDb, target);
        }
    }

    private static AthenaFailure alreadyExists(CtasStatement ctas, String targetDb, String target) {
        return new AthenaFailure(AthenaFailure.TABLE_ALREADY_EXISTS, "TABLE_ALREADY_EXISTS: " + ctas.createPos()
                + ": Destination table '" + CtasStatement.CATALOG + "." + targetDb + "." + target + "' already exists");
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
}
