package com.omc.flywheel.buildreport;

import java.util.List;

/**
 * The build-report answer (docs/functions.md).
 *
 * @param reportKeys     S3 keys written (in {@code reportBucket})
 * @param issues         alerts found
 * @param alertPublished true when the alerts went to SNS
 * @param tables         tables in the report (checked so far, when IN_PROGRESS)
 * @param status         COMPLETE (the files are written), or IN_PROGRESS (DATA_MONITOR out of time: nothing is
 *                       written yet; call again with the same event and {@code continuationToken})
 * @param continuationToken when IN_PROGRESS: the S3 key of the state in {@code reportBucket}
 * @param wouldChange    the SHADOW report's only: what the shadow run would have changed, one line a change
 */
public record BuildReportResult(String report, String reportBucket, List<String> reportKeys, int issues,
                                boolean alertPublished, int tables, String status, String continuationToken,
                                List<String> wouldChange) {
    public static final String COMPLETE = "COMPLETE";
    public static final String IN_PROGRESS = "IN_PROGRESS";

    /** A complete report. */
    public BuildReportResult(String report, String reportBucket, List<String> reportKeys, int issues,
                             boolean alertPublished, int tables) {
        this(report, reportBucket, reportKeys, issues, alertPublished, tables, COMPLETE, null, null);
    }

    /** A report that continues in the next call, or is complete. */
    public BuildReportResult(String report, String reportBucket, List<String> reportKeys, int issues,
                             boolean alertPublished, int tables, String status, String continuationToken) {
        this(report, reportBucket, reportKeys, issues, alertPublished, tables, status, continuationToken, null);
    }
}
