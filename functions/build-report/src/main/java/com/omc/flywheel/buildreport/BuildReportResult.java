package com.omc.flywheel.buildreport;

import java.util.List;

/**
 * The build-report answer (CONTRACTS.md).
 *
 * @param reportKeys     S3 keys written (in {@code reportBucket})
 * @param issues         alerts found
 * @param alertPublished true when the alerts went to SNS
 */
public record BuildReportResult(String report, String reportBucket, List<String> reportKeys, int issues,
                                boolean alertPublished, int tables) {
}
