package com.omc.flywheel.shared;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.omc.flywheel.shared.errors.AwsFaults;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Report files: CSV through Jackson's CSV writer (quotes commas, quotes and newlines in values),
 * JSON through Jackson, written to S3 encrypted at rest ({@code REPORT_KMS_KEY_ARN} for SSE-KMS,
 * else SSE-S3). The same key on a rerun overwrites the same object, so reruns are safe.
 * (Functions using this declare the optional {@code s3} and {@code jackson-dataformat-csv}.)
 */
public final class ReportFiles {
    /** Quotes a value only when it must (separator, quote, line break), as Python's csv module does today. */
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(com.fasterxml.jackson.dataformat.csv.CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();

    private ReportFiles() {
    }

    /** A CSV document: the header line, then one line per row, every value as text. */
    public static byte[] csv(List<String> header, List<List<String>> rows) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        header.forEach(schema::addColumn);
        List<List<String>> all = new ArrayList<>(rows.size());
        all.addAll(rows);
        try {
            return CSV.writer(schema.build()).writeValueAsBytes(all);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write CSV", e);
        }
    }

    public static byte[] json(Object value) {
        try {
            return Events.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Writes one object, encrypted, and returns its key. */
    public static String put(S3Client s3, String bucket, String key, byte[] body, String contentType) {
        String kms = Settings.value("REPORT_KMS_KEY_ARN", null);
        try {
            s3.putObject(b -> {
                b.bucket(bucket).key(key).contentType(contentType);
                if (kms != null) {
                    b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(kms);
                } else {
                    b.serverSideEncryption(ServerSideEncryption.AES256);
                }
            }, RequestBody.fromBytes(body));
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "S3 PutObject s3://" + bucket + "/" + key);
        }
        return key;
    }

    public static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
