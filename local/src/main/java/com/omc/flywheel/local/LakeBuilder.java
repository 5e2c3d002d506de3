package com.omc.flywheel.local;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.TableInput;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * Builds a data lake in the emulators the way production looks (SPEC.md §11): {@code part_*}
 * tables whose data sits in {@code <location>/id_bucket=N/} folders, registered in the Glue
 * catalog with some partitions missing, or registered the way today's register job leaves them
 * (unpartitioned, {@code id_bucket} a data column), or with projection parameters.
 */
public final class LakeBuilder {
    public static final String PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    public static final String PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    public static final String PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    private final GlueClient glue;
    private final S3Client s3;

    /**
     * The part tables of SPEC.md §11 with their data columns (customer_user_id included; the
     * id_bucket partition key comes on top).
     */
    public static final Map<String, Integer> PRODUCTION_TABLES = productionTables();

    private static Map<String, Integer> productionTables() {
        Map<String, Integer> t = new java.util.TreeMap<>();
        Object[][] rows = {{"part_ibe_01", 97}, {"part_ibe_01_a", 65}, {"part_ibe_02", 93}, {"part_ibe_02_a", 85},
            {"part_ibe_03", 96}, {"part_ibe_03_a", 76}, {"part_ibe_04", 87}, {"part_ibe_04_a", 86}, {"part_ibe_04_b", 16},
            {"part_ibe_05", 95}, {"part_ibe_05_a", 81}, {"part_ibe_06", 62}, {"part_ibe_06_a", 51}, {"part_ibe_08", 3},
            {"part_ibe_09", 87}, {"part_miacs_01", 93}, {"part_miacs_01_a", 12}, {"part_miacs_02", 98},
            {"part_miacs_02_a", 100}, {"part_miacs_02_b", 4}, {"part_miacs_03", 79}, {"part_miacs_03_a", 95},
            {"part_miacs_03_b", 29}, {"part_miacs_04", 23}, {"part_n_a", 88}, {"part_n_a_a", 50},
            {"part_new_borrowers", 18}, {"part_addressable_ids", 2}};
        for (Object[] r : rows) {
            t.put((String) r[0], (Integer) r[1]);
        }
        return java.util.Collections.unmodifiableMap(t);
    }

    public LakeBuilder(GlueClient glue, S3Client s3) {
        this.glue = glue;
        this.s3 = s3;
    }

    public LakeBuilder database(String name) {
        try {
            glue.createDatabase(b -> b.databaseInput(d -> d.name(name)));
        } catch (AlreadyExistsException exists) {
            // already there: fine
        }
        return this;
    }

    public LakeBuilder bucket(String name) {
        try {
            s3.createBucket(b -> b.bucket(name));
        } catch (BucketAlreadyOwnedByYouException exists) {
            // already there: fine
        }
        return this;
    }

    /** How a table is registered in the catalog. */
    public enum Registration {
        /** Partitioned by {@code id_bucket int}. */
        PARTITIONED,
        /** Today's register job: unpartitioned, {@code id_bucket} the last data column. */
        KEY_AS_COLUMN,
        /** Unpartitioned, no key at all (the Entity Resolution table). */
        UNPARTITIONED
    }

    /** A table to create: its data columns (customer_user_id first), folders, registration and partitions. */
    public record Table(String database, String name, String location, int dataColumns, Registration registration,
                        List<Integer> folders, Collection<Integer> registered, Map<String, String> extraParameters) {
        public Table {
            extraParameters = extraParameters == null ? Map.of() : extraParameters;
        }
    }

    private boolean parquet;
    private String duplicateKeysTable;

    /**
     * Writes real Parquet files (a few rows each) instead of placeholder bytes; the rows of
     * {@code duplicateKeysTable} repeat their customer ids. Slower; for local-run's lake.
     */
    public LakeBuilder withParquetFiles(String duplicateKeysTable) {
        this.parquet = true;
        this.duplicateKeysTable = duplicateKeysTable;
        return this;
    }

    /** Buckets {@code 0..n-1}. */
    public static List<Integer> buckets(int n) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    public static List<Column> columns(String table, int dataColumns) {
        List<Column> cols = new ArrayList<>();
        cols.add(Column.builder().name("customer_user_id").type("string").build());
        for (int i = 1; i < dataColumns; i++) {
            cols.add(Column.builder().name(table.replace("part_", "") + "_c" + String.format("%03d", i)).type("string").build());
        }
        return cols;
    }

    /** Writes the folders' objects and registers the table (and its registered partitions). */
    public LakeBuilder table(Table t) {
        String location = t.location().endsWith("/") ? t.location() : t.location() + "/";
        String bucket = location.substring("s3://".length(), location.indexOf('/', "s3://".length()));
        String prefix = location.substring(("s3://" + bucket + "/").length());
        List<String> columnNames = columns(t.name(), t.dataColumns()).stream().map(Column::name).toList();
        if (t.registration() == Registration.UNPARTITIONED) {
            byte[] body = parquet ? SampleParquet.file(columnNames, 0, 4, false) : PLACEHOLDER;
            s3.putObject(b -> b.bucket(bucket).key(prefix + "part-00000.snappy.parquet"), RequestBody.fromBytes(body));
        }
        for (int n : t.folders()) {
            byte[] body = parquet ? SampleParquet.file(columnNames, n, 4, t.name().equals(duplicateKeysTable)) : PLACEHOLDER;
            s3.putObject(b -> b.bucket(bucket).key(prefix + "id_bucket=" + n + "/part-00000.snappy.parquet"),
                    RequestBody.fromBytes(body));
        }
        List<Column> cols = new ArrayList<>(columns(t.name(), t.dataColumns()));
        List<Column> keys = t.registration() == Registration.PARTITIONED
                ? List.of(Column.builder().name("id_bucket").type("int").build()) : List.of();
        if (t.registration() == Registration.KEY_AS_COLUMN) {
            cols.add(Column.builder().name("id_bucket").type("int").build());
        }
        StorageDescriptor sd = StorageDescriptor.builder().columns(cols).location(location)
                .inputFormat(PARQUET_INPUT).outputFormat(PARQUET_OUTPUT).compressed(true)
                .serdeInfo(s -> s.serializationLibrary(PARQUET_SERDE).parameters(Map.of("serialization.format", "1")))
                .build();
        Map<String, String> params = new HashMap<>(Map.of("classification", "parquet", "EXTERNAL", "TRUE"));
        params.putAll(t.extraParameters());
        glue.createTable(b -> b.databaseName(t.database()).tableInput(TableInput.builder().name(t.name())
                .tableType("EXTERNAL_TABLE").storageDescriptor(sd).partitionKeys(keys).parameters(params).build()));
        List<PartitionInput> parts = new ArrayList<>();
        for (int n : t.registered()) {
            parts.add(PartitionInput.builder().values(Integer.toString(n))
                    .storageDescriptor(sd.toBuilder().location(location + "id_bucket=" + n + "/").build()).build());
            if (parts.size() == 100) {
                flush(t, parts);
            }
        }
        flush(t, parts);
        return this;
    }

    /**
     * The Entity Resolution table as today's job leaves it in production (SPEC.md §5): {@code row_id}
     * and {@code customer_user_id}, unpartitioned, one Parquet file of 4 rows in {@code location}
     * (which ends in '/'); {@code description} may be null.
     */
    public LakeBuilder todaysErTable(String database, String location, String description) {
        String bucket = location.substring("s3://".length(), location.indexOf('/', "s3://".length()));
        String prefix = location.substring(("s3://" + bucket + "/").length());
        s3.putObject(b -> b.bucket(bucket).key(prefix + "20250901_020000_00001_abcde_0"),
                RequestBody.fromBytes(SampleParquet.file(List.of("row_id", "customer_user_id"), 0, 4, false)));
        glue.createTable(b -> b.databaseName(database).tableInput(t -> t.name("part_addressable_ids_er").tableType("EXTERNAL_TABLE")
                .description(description).parameters(Map.of("has_encrypted_data", "false", "parquet.compression", "SNAPPY"))
                .storageDescriptor(sd -> sd.location(location)
                        .columns(Column.builder().name("row_id").type("string").build(),
                                Column.builder().name("customer_user_id").type("string").build())
                        .inputFormat(PARQUET_INPUT).outputFormat(PARQUET_OUTPUT)
                        .serdeInfo(x -> x.serializationLibrary(PARQUET_SERDE).parameters(Map.of("serialization.format", "1"))))));
        return this;
    }

    private void flush(Table t, List<PartitionInput> parts) {
        if (!parts.isEmpty()) {
            glue.batchCreatePartition(b -> b.databaseName(t.database()).tableName(t.name()).partitionInputList(parts));
            parts.clear();
        }
    }

    /** Stand-in bytes for a data file in tests: partition repair reads folder names, never file contents. */
    private static final byte[] PLACEHOLDER = "PAR1-placeholder".getBytes(java.nio.charset.StandardCharsets.UTF_8);
}
