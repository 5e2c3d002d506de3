package com.omc.flywheel.buildreport;

import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.ReportFiles;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The data monitor's tables checked so far, between the calls of one report: in the report bucket at
 * {@code <reportPrefix>.in-progress/<id>.json.gz}, encrypted as the reports are, so the Step Functions
 * state holds only that key (the continuation token), whatever the number of tables. Bound to the
 * report, database, prefix, bucket and report prefix of the call that wrote it; deleted once the
 * report files are written.
 */
record MonitorProgress(int v, String report, String database, String tablePrefix, String reportBucket,
                       String reportPrefix, String generatedAt, Map<String, String> rawSnapshots,
                       List<DataMonitorReport.TableResult> checked) {
    static final int VERSION = 1;
    static final String FOLDER = ".in-progress/";
    private static final JsonLog LOG = JsonLog.forFunction("build-report");

    static MonitorProgress of(BuildReportRequest r, DataMonitorReport.Run run) {
        return new MonitorProgress(VERSION, r.report().name(), r.database(), r.tablePrefix(), r.reportBucket(),
                r.reportPrefix(), run.generatedAt().toString(), run.rawSnapshots(), run.checked());
    }

    DataMonitorReport.Run toRun() {
        return new DataMonitorReport.Run(Instant.parse(generatedAt), rawSnapshots == null ? Map.of() : rawSnapshots,
                checked == null ? List.of() : checked, 0);
    }

    /** A new key for the state of a report that needs another call. */
    static String newKey(BuildReportRequest r) {
        return r.reportPrefix() + FOLDER + UUID.randomUUID() + ".json.gz";
    }

    static MonitorProgress load(S3Client s3, BuildReportRequest r) {
        String key = r.continuationToken();
        byte[] packed;
        try {
            packed = s3.getObjectAsBytes(b -> b.bucket(r.reportBucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new InvalidInputException("continuationToken", "leads to s3://" + r.reportBucket() + "/" + key
                    + ", which does not exist: that report was already written (its state is deleted then). "
                    + "Run again without continuationToken");
        } catch (SdkException e) {
            throw ReportFaults.typed(e, "S3 GetObject of the data monitor's state s3://" + r.reportBucket() + "/" + key,
                    "reportBucket");
        }
        MonitorProgress p;
        try {
            p = Events.mapper().readValue(new GZIPInputStream(new ByteArrayInputStream(packed)).readAllBytes(),
                    MonitorProgress.class);
        } catch (IOException e) {
            throw new InvalidInputException("continuationToken", "leads to s3://" + r.reportBucket() + "/" + key
                    + ", which is not state build-report wrote");
        }
        if (p.v() != VERSION || !p.report().equals(r.report().name()) || !p.database().equals(r.database())
                || !p.tablePrefix().equals(r.tablePrefix()) || !p.reportBucket().equals(r.reportBucket())
                || !p.reportPrefix().equals(r.reportPrefix())) {
            throw new InvalidInputException("continuationToken", "was issued for the " + p.report() + " report of "
                    + p.database() + "." + p.tablePrefix() + "* in s3://" + p.reportBucket() + "/" + p.reportPrefix()
                    + "; this call asks for the " + r.report() + " report of " + r.database() + "." + r.tablePrefix()
                    + "* in s3://" + r.reportBucket() + "/" + r.reportPrefix());
        }
        return p;
    }

    void save(S3Client s3, String key) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(Events.mapper().writeValueAsBytes(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the data monitor's state", e);
        }
        try {
            ReportFiles.put(s3, reportBucket, key, bytes.toByteArray(), "application/gzip");
        } catch (SdkException e) {
            throw ReportFaults.typed(e, "S3 PutObject of the data monitor's state s3://" + reportBucket + "/" + key,
                    "reportBucket");
        }
    }

    /** Deletes the state of a report that is written; a failure only leaves an object behind. */
    static void delete(S3Client s3, String bucket, String key) {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            LOG.warn("could not delete the data monitor's state; delete it by hand or with a lifecycle rule",
                    "bucket", bucket, "key", key, "error", e.getMessage());
        }
    }
}
