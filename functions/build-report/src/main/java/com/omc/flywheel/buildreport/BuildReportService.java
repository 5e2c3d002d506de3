package com.omc.flywheel.buildreport;

import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.ReportFiles;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.entityresolution.EntityResolutionClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Builds one report (docs/functions.md build-report), writes its files to S3 (encrypted; a same-day
 * rerun overwrites the same keys) and, for the data monitor, publishes the alerts to SNS.
 */
public final class BuildReportService {
    /** SNS's limit on a message, in bytes. */
    static final int SNS_MAX_BYTES = 262_144;
    static final int SNS_MAX_ALERTS = 50;
    private static final JsonLog LOG = JsonLog.forFunction("build-report");
    private final S3Client s3;
    private final SnsClient sns;
    private final DataMonitorReport monitor;
    private final CleanRoomsReport cleanRooms;
    private final ReportSettings settings;
    private final Clock clock;

    public BuildReportService(GlueClient glue, S3Client s3, AthenaClient athena, SnsClient sns, CleanRoomsClient cr,
                       EntityResolutionClient er, ExecutorService pool, ReportSettings settings, Clock clock) {
        this.s3 = s3;
        this.sns = sns;
        this.settings = settings;
        this.clock = clock;
        this.monitor = new DataMonitorReport(glue, s3, athena, pool, settings, clock);
        this.cleanRooms = new CleanRoomsReport(glue, cr, er, pool, settings.accountDescriptions());
    }

    /**
     * SnapStart priming: one read of each service the reports use, whatever the answer; each report
     * primes the clients it holds. No SNS call: Publish is not a read, GetTopicAttributes not granted.
     */
    public void prime() {
        monitor.prime();
        cleanRooms.prime();
    }

    public BuildReportResult build(BuildReportRequest r) {
        return build(r, DataMonitorReport.Budget.UNLIMITED);
    }

    /**
     * @param budget when to take no new table and when to stop the Athena queries still running (the
     *               data monitor then answers IN_PROGRESS; the Clean Rooms report ignores it)
     */
    public BuildReportResult build(BuildReportRequest r, DataMonitorReport.Budget budget) {
        try {
            return switch (r.report()) {
                case DATA_MONITOR -> dataMonitor(r, budget);
                case CLEANROOMS -> cleanRooms(r);
                case SHADOW -> shadowRun(r);
            };
        } catch (SdkException e) {
            // Whatever was not translated where it happened still reaches the caller as a contract error.
            throw ReportFaults.typed(e, "the " + r.report() + " report of " + r.database() + "." + r.tablePrefix()
                    + "*",
                    "database");
        }
    }

    private BuildReportResult dataMonitor(BuildReportRequest r, DataMonitorReport.Budget budget) {
        DataMonitorReport.Run resumed = r.continuationToken() == null ? null : MonitorProgress.load(s3, r).toRun();
        DataMonitorReport.Run run = monitor.run(r, budget, resumed);
        if (!run.complete()) {
            String key = r.continuationToken() != null ? r.continuationToken() : MonitorProgress.newKey(r);
            MonitorProgress.of(r, run).save(s3, key);
            LOG.info("data monitor report continues in the next call", "database", r.database(), "bucket",
                    r.reportBucket(), "stateKey", key, "checked", run.checked().size(), "remaining", run.remaining(),
                    "outcome", BuildReportResult.IN_PROGRESS);
            return new BuildReportResult(r.report().name(), r.reportBucket(), List.of(), run.alerts().size(), false,
                    run.checked().size(), BuildReportResult.IN_PROGRESS, key);
        }
        DataMonitorReport.Content c = monitor.content(r, run);
        List<String> keys = new ArrayList<>();
        keys.add(put(r, DataMonitorReport.fileName(r, c.generatedAt(), "json"), ReportFiles.json(c.json()),
                "application/json"));
        keys.add(put(r, DataMonitorReport.fileName(r, c.generatedAt(), "csv"), monitor.csv(c), "text/csv"));
        if (r.continuationToken() != null) {
            MonitorProgress.delete(s3, r.reportBucket(), r.continuationToken());
        }
        String topic = r.snsTopicArn() != null ? r.snsTopicArn() : settings.snsTopicArn();
        boolean published = false;
        if (!c.alerts().isEmpty() && topic != null) {
            String subject = (r.shadow() ? ShadowRunSummary.SUBJECT_PREFIX : "") + "[DATA MONITOR] " + r.database()
                    + " " + r.tablePrefix() + "* — " + c.alerts().size() + " issue(s)";
            String message = alertMessage(r, c.alerts());
            try {
                sns.publish(b -> b.topicArn(topic).subject(subject.length() > 99 ? subject.substring(0, 99) : subject)
                        .message(message));
            } catch (SdkException e) {
                throw ReportFaults.typed(e, "SNS Publish to " + topic + " (the report files are written: " + keys + ")",
                        "snsTopicArn");
            }
            published = true;
        }
        LOG.info("data monitor report written", "database", r.database(), "bucket", r.reportBucket(), "keys", keys,
                "issues", c.alerts().size(), "alertPublished", published, "outcome", "WRITTEN");
        if (!r.shadow()) {
            // A shadow run's alerts are not production's: the dashboard counts those only.
            LOG.metrics("data monitor metrics", java.util.Map.of("DataMonitorAlerts", c.alerts().size(),
                    "DataMonitorTables", c.csvRows().size()), null, null);
        }
        return new BuildReportResult(r.report().name(), r.reportBucket(), keys, c.alerts().size(), published,
                c.csvRows().size());
    }

    /**
     * Today's body: {@code [DATA MONITOR] N issue(s) in db (prefix*)}, a blank line, then the first 50
     * alerts joined by line breaks (no final one). Only when those would pass SNS's size limit (today's
     * publish then failed) is the list cut, with a last line counting what was left out.
     */
    static String alertMessage(BuildReportRequest r, List<String> alerts) {
        String header = "[DATA MONITOR] " + alerts.size() + " issue(s) in " + r.database() + " (" + r.tablePrefix()
                + "*)\n\n";
        List<String> first = alerts.subList(0, Math.min(SNS_MAX_ALERTS, alerts.size()));
        String body = header + String.join("\n", first);
        if (body.getBytes(StandardCharsets.UTF_8).length <= SNS_MAX_BYTES) {
            return body;
        }
        StringBuilder cut = new StringBuilder(header);
        int shown = 0;
        for (String a : first) {
            String line = (shown == 0 ? "" : "\n") + a;
            if ((cut + line).getBytes(StandardCharsets.UTF_8).length > SNS_MAX_BYTES - 200) {
                break;
            }
            cut.append(line);
            shown++;
        }
        return cut.append(shown == 0 ? "" : "\n").append("... and ").append(alerts.size() - shown)
                .append(" more (see the report in s3://").append(r.reportBucket()).append("/").append(r.reportPrefix())
                .append(")").toString();
    }

    /** A shadow run's {@code shadow.json}: what it would have changed ({@link ShadowRunSummary}). */
    private BuildReportResult shadowRun(BuildReportRequest r) {
        ShadowRunSummary summary = ShadowRunSummary.of(r, clock.instant());
        String key = put(r, r.reportPrefix() + ShadowRunSummary.FILE, ReportFiles.json(summary.json()),
                "application/json");
        LOG.info("shadow run summary written", "bucket", r.reportBucket(), "key", key, "wouldChange",
                summary.wouldChange().size(), "outcome", "WRITTEN");
        return new BuildReportResult(r.report().name(), r.reportBucket(), List.of(key), 0, false, 0,
                BuildReportResult.COMPLETE, null, summary.wouldChange());
    }

    /** Writes one report file; every S3 failure is a contract error naming the object. */
    private String put(BuildReportRequest r, String key, byte[] body, String contentType) {
        try {
            return ReportFiles.put(s3, r.reportBucket(), key, body, contentType);
        } catch (SdkException e) {
            throw ReportFaults.typed(e, "S3 PutObject s3://" + r.reportBucket() + "/" + key, "reportBucket");
        }
    }

    private BuildReportResult cleanRooms(BuildReportRequest r) {
        Instant now = clock.instant();
        List<String> keys = new ArrayList<>();
        int tables = 0;
        for (String membership : r.membershipIds()) {
            CleanRoomsReport.Content c;
            try {
                c = cleanRooms.build(r, membership, now);
            } catch (SdkException e) {
                throw ReportFaults.typed(e, "the Clean Rooms report of membership " + membership + " (database "
                        + r.database() + ")", "membershipIds");
            }
            keys.add(put(r, CleanRoomsReport.fileName(r, c.safeName(), now, ".json"), ReportFiles.json(c.json()),
                    "application/json"));
            keys.add(put(r, CleanRoomsReport.fileName(r, c.safeName(), now, "_Tables.csv"),
                    ReportFiles.csv(CleanRoomsReport.TABLES_CSV, c.tables()), "text/csv"));
            keys.add(put(r, CleanRoomsReport.fileName(r, c.safeName(), now, "_IdentityResolution.csv"),
                    ReportFiles.csv(CleanRoomsReport.IDENTITY_CSV, c.identity()), "text/csv"));
            tables += c.tables().size();
        }
        LOG.info("Clean Rooms report written", "memberships", r.membershipIds(), "keys", keys, "outcome", "WRITTEN");
        return new BuildReportResult(r.report().name(), r.reportBucket(), keys, 0, false, tables);
    }
}
