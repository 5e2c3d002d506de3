package com.omc.flywheel.msckrepair;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.SerDeInfo;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;

/**
 * Puts a table's catalog entry in the shape partition repair needs, in one UpdateTable:
 * <ol>
 *   <li>partitioned by exactly the partition key (today's register job leaves {@code id_bucket} as a
 *       data column): the column moves to the partition keys as {@code int}, at the same location,
 *       with the same formats and SerDe;</li>
 *   <li>no {@code projection.*} or {@code storage.location.template} parameters, which make Athena
 *       ignore the registered partitions.</li>
 * </ol>
 */
final class TableLayout {
    static final String PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    static final String PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    static final String PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

    /** What {@link #plan} decided: the new table definition (empty when nothing changes) and why. */
    record Change(Optional<TableInput> update, boolean migrated, List<String> removedParameters) {
    }

    private TableLayout() {
    }

    /**
     * The change the table needs, or an {@link IllegalStateException} when it is partitioned by
     * other keys (re-partitioning those would lose data; a person must decide).
     */
    static Change plan(Table table, String partitionKey) {
        List<String> keys = table.partitionKeys().stream().map(Column::name).toList();
        boolean migrate = keys.isEmpty();
        if (!migrate && !keys.equals(List.of(partitionKey))) {
            throw new IllegalStateException("table is partitioned by " + keys + ", not [" + partitionKey
                    + "]; re-partitioning it would drop its partitions, so fix it by hand");
        }
        Map<String, String> params = new HashMap<>(table.parameters());
        List<String> removed = new ArrayList<>();
        params.keySet().removeIf(k -> {
            boolean drop = k.startsWith("projection.") || k.equals("storage.location.template");
            if (drop) {
                removed.add(k);
            }
            return drop;
        });
        removed.sort(String::compareTo);
        if (!migrate && removed.isEmpty()) {
            return new Change(Optional.empty(), false, removed);
        }
        StorageDescriptor sd = table.storageDescriptor();
        List<Column> partitionKeys = table.partitionKeys();
        if (migrate) {
            List<Column> columns = sd.columns().stream().filter(c -> !c.name().equals(partitionKey)).toList();
            SerDeInfo serde = sd.serdeInfo() != null && sd.serdeInfo().serializationLibrary() != null ? sd.serdeInfo()
                    : SerDeInfo.builder().serializationLibrary(PARQUET_SERDE)
                            .parameters(Map.of("serialization.format", "1")).build();
            sd = sd.toBuilder()
                    .columns(columns)
                    .inputFormat(sd.inputFormat() != null ? sd.inputFormat() : PARQUET_INPUT)
                    .outputFormat(sd.outputFormat() != null ? sd.outputFormat() : PARQUET_OUTPUT)
                    .serdeInfo(serde)
                    .build();
            partitionKeys = List.of(Column.builder().name(partitionKey).type("int").build());
            params.putIfAbsent("classification", "parquet");
            params.put("EXTERNAL", "TRUE");
            params.putIfAbsent("parquet.compression", "SNAPPY");
        }
        TableInput input = TableInput.builder()
                .name(table.name())
                .description(table.description())
                .owner(table.owner())
                .retention(table.retention())
                .storageDescriptor(sd)
                .partitionKeys(partitionKeys)
                .tableType(migrate ? "EXTERNAL_TABLE" : table.tableType())
                .parameters(params)
                .viewOriginalText(table.viewOriginalText())
                .viewExpandedText(table.viewExpandedText())
                .build();
        return new Change(Optional.of(input), migrate, removed);
    }

    static void apply(GlueClient glue, String database, TableInput input) {
        glue.updateTable(b -> b.databaseName(database).tableInput(input));
    }
}
