package com.omc.flywheel.local.athena;

import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.HydratorSupplier;
import blue.strategic.parquet.ParquetReader;
import blue.strategic.parquet.ParquetWriter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import software.amazon.awssdk.services.glue.model.Column;

/**
 * Rows in and out of Parquet (parquet-floor): reads a source object's records, turns values into
 * the Glue column types the stand-in writes (string, varchar, char, tinyint, smallint, int, bigint)
 * and writes the rows as one SNAPPY Parquet object with the schema Athena's engine gives them.
 */
final class ParquetRows {
    private static final Set<String> STRING_TYPES = Set.of("string", "varchar", "char");
    private static final Set<String> INT32_TYPES = Set.of("int", "integer", "smallint", "tinyint");

    private ParquetRows() {
    }

    /** Whether a Glue column type is one the stand-in reads and writes. */
    static boolean supports(String glueType) {
        String base = baseType(glueType);
        return STRING_TYPES.contains(base) || INT32_TYPES.contains(base) || base.equals("bigint");
    }

    /** The records of one Parquet object, column names in lower case; HIVE_BAD_DATA when it is not Parquet. */
    static List<Map<String, Object>> read(String path, byte[] bytes) throws AthenaFailure {
        if (bytes.length < 8 || !new String(bytes, 0, 4, StandardCharsets.ISO_8859_1).equals("PAR1")) {
            String got = new String(bytes, 0, Math.min(4, bytes.length), StandardCharsets.ISO_8859_1);
            throw new AthenaFailure(AthenaFailure.USER_ERROR, "HIVE_BAD_DATA: Not valid Parquet file: " + path
                    + " expected magic number: PAR1 got: " + got);
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
            throw new AthenaFailure(AthenaFailure.USER_ERROR, "HIVE_BAD_DATA: Error reading Parquet file " + path
                    + ": " + bad.getMessage());
        } finally {
            if (tmp != null) {
                tmp.delete();
            }
        }
    }

    /** One SNAPPY Parquet object of {@code rows} (keyed by column name); null values are left out. */
    static byte[] write(List<Column> columns, List<Map<String, Object>> rows) {
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

    /** A partition's value as a column value: Hive's default partition is null. */
    static Object partitionValue(String value) {
        return value == null || value.equals("__HIVE_DEFAULT_PARTITION__") ? null : value;
    }

    /** A value as the output column's type (the engine casts nothing here: the types are the source's). */
    static Object convert(Object v, String type, String path) throws AthenaFailure {
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
            throw new AthenaFailure(AthenaFailure.USER_ERROR, "HIVE_BAD_DATA: value '" + v + "' in " + path
                    + " is not a " + type);
        }
    }

    private static String baseType(String glueType) {
        String t = glueType.toLowerCase(Locale.ROOT).trim();
        int paren = t.indexOf('(');
        return paren < 0 ? t : t.substring(0, paren).trim();
    }
}
