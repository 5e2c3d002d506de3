package com.omc.flywheel.local;

import blue.strategic.parquet.ParquetWriter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Small real Parquet files for the sample lake (parquet-floor: Parquet without Hadoop): the
 * table's string columns, a few rows per {@code id_bucket} folder, customer ids unique unless the
 * table is the one with duplicate keys.
 */
public final class SampleParquet {
    private SampleParquet() {
    }

    public static byte[] file(List<String> columns, int bucket, int rows, boolean duplicateKeys) {
        Types.MessageTypeBuilder schema = Types.buildMessage();
        for (String c : columns) {
            schema.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c);
        }
        MessageType type = schema.named("row");
        List<Map<String, String>> data = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            Map<String, String> row = new java.util.LinkedHashMap<>();
            for (String c : columns) {
                row.put(c, c.equals("customer_user_id") ? "cust-" + bucket + "-" + (duplicateKeys ? i / 2 : i) : c + "-" + i);
            }
            data.add(row);
        }
        try {
            File tmp = File.createTempFile("sample-", ".parquet");
            Files.delete(tmp.toPath());
            try (ParquetWriter<Map<String, String>> w = ParquetWriter.writeFile(type, tmp,
                    (record, out) -> record.forEach(out::write))) {
                for (Map<String, String> r : data) {
                    w.write(r);
                }
            }
            byte[] bytes = Files.readAllBytes(tmp.toPath());
            Files.delete(tmp.toPath());
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a sample Parquet file", e);
        }
    }
}
