package com.omc.flywheel.buildreport;

import com.omc.flywheel.shared.Settings;
import java.util.Map;

/**
 * build-report's configuration, from the environment: {@code REPORT_TABLE_CONCURRENCY} (8),
 * {@code ATHENA_CONCURRENCY} (5), {@code ATHENA_POLL_MILLIS} (1000), {@code ATHENA_QUERY_TIMEOUT_SECONDS}
 * (300), {@code GLUE_EMPTY_RETRY_MILLIS} (2000), {@code ATHENA_WORKGROUP} (primary), {@code ATHENA_RESULTS},
 * {@code SNS_TOPIC_ARN} (alerts when the event names none), {@code ACCOUNT_DESCRIPTIONS}
 * ({@code 111111111111=AMC Service,222222222222=...}: how the Clean Rooms report names accounts).
 */
public record ReportSettings(int tableConcurrency, int athenaConcurrency, long athenaPollMillis,
        int athenaTimeoutSeconds,
                      long glueEmptyRetryMillis, String athenaWorkgroup, String athenaResults, String snsTopicArn,
                      Map<String, String> accountDescriptions) {

    public static ReportSettings fromEnvironment() {
        Map<String, String> accounts = new java.util.LinkedHashMap<>();
        for (String pair : Settings.value("ACCOUNT_DESCRIPTIONS", "").split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                accounts.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return new ReportSettings(Settings.intValue("REPORT_TABLE_CONCURRENCY", 8),
                Settings.intValue("ATHENA_CONCURRENCY", 5),
                Settings.intValue("ATHENA_POLL_MILLIS", 1000), Settings.intValue("ATHENA_QUERY_TIMEOUT_SECONDS", 300),
                Settings.intValue("GLUE_EMPTY_RETRY_MILLIS", 2000), Settings.value("ATHENA_WORKGROUP", "primary"),
                Settings.value("ATHENA_RESULTS", null), Settings.value("SNS_TOPIC_ARN", null), Map.copyOf(accounts));
    }
}
