package com.omc.flywheel.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.omc.flywheel.shared.errors.AwsFaults;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Report files in today's byte format (the Python reports'), written to S3 encrypted at rest
 * ({@code REPORT_KMS_KEY_ARN} for SSE-KMS, else SSE-S3). The same key on a rerun overwrites the same
 * object, so reruns are safe. (Functions using this declare the optional {@code s3} and
 * {@code jackson-dataformat-csv}.)
 *
 * <ul>
 *   <li>CSV as Python's {@code csv} module writes it by default (dialect {@code excel}): lines end with
 *       CRLF, the header line included; a value is quoted only when it holds a comma, a double quote
 *       (doubled inside), a CR or an LF.</li>
 *   <li>JSON as Python's {@code json.dumps(value, indent=2)} writes it: members with a null value are
 *       written ({@code null}), never dropped; two-space indentation with every array element and
 *       object member on its own line; {@code "key": value}; empty {@code []} and {@code {}};
 *       non-ASCII characters escaped as {@code \u00e9} (lower-case hex); no final line break.</li>
 * </ul>
 */
public final class ReportFiles {
    /** CSV's line ending: Python's csv module writes CRLF by default. */
    public static final String CSV_LINE_END = "\r\n";
    /**
     * Jackson's strict check quotes a value holding the separator, the quote or the first character of
     * the line separator (CR here); a value holding an LF is quoted here as well, as Python does.
     */
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();
    private static final CsvSchema NO_HEADER = CsvSchema.emptySchema().withoutHeader().withLineSeparator(CSV_LINE_END);
    private static final ObjectWriter JSON;

    static {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter python = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("").withArrayEmptySeparator(""))
                .withObjectIndenter(indent).withArrayIndenter(indent);
        ObjectMapper mapper = JsonMapper.builder()
                .serializationInclusion(JsonInclude.Include.ALWAYS)
                .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
                .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                .build();
        JSON = mapper.writer(python);
    }

    private ReportFiles() {
    }

    /** A CSV document: the header line, then one line per row, every value as text (null as empty). */
    public static byte[] csv(List<String> header, List<List<String>> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvGenerator g = CSV.getFactory().createGenerator(out)) {
            g.setSchema(NO_HEADER);
            line(g, header);
            for (List<String> row : rows) {
                line(g, row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CSV", e);
        }
        return out.toByteArray();
    }

    private static void line(CsvGenerator g, List<String> values) throws IOException {
        g.writeStartArray();
        for (String v : values) {
            String text = v == null ? "" : v;
            if (text.indexOf('\n') >= 0 && text.indexOf('\r') < 0 && text.indexOf('"') < 0 && text.indexOf(',') < 0) {
                // The one case Jackson's strict check leaves unquoted with a CRLF line end.
                g.writeRawValue("\"" + text + "\"");
            } else {
                g.writeString(text);
            }
        }
        g.writeEndArray();
    }

    /** A JSON document in the format of Python's {@code json.dumps(value, indent=2)}. */
    public static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
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
