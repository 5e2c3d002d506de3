package com.omc.flywheel.buildreport;

import com.omc.flywheel.shared.Fields;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The build-report event (docs/functions.md), with the data monitor's options of docs/today.md in camelCase.
 * Defaults are today's, except where docs/today.md lists them as bugs: {@code compareSourceType} is
 * {@code ext} (never the table with itself) and {@code strictSnapshot} is true.
 *
 * <p>{@code continuationToken} (DATA_MONITOR only, optional): the token of a previous {@code IN_PROGRESS}
 * answer for the same report, database, prefix, bucket and report prefix; it is the key of the state in
 * the report bucket, {@code <reportPrefix>.in-progress/<id>.json.gz}.
 *
 * <p>The report files keep today's formats (docs/today.md) but for the fixes of docs/today.md. Changes
 * beyond those are options, off by default:
 * <ul>
 *   <li>{@code readyForAnalysisCount} (CLEANROOMS, default false): adds
 *       {@code summary.ready_for_analysis_count}, the number of tables ready for analysis, to the JSON.</li>
 * </ul>
 *
 * <p>A shadow run (db-refresh's {@code shadow}): {@code shadow} true puts every key under
 * {@code shadow/} ({@code shadow/<reportPrefix>}, the data monitor's Athena results under
 * {@code <athenaResults>shadow/}) and the alert subject after {@code [SHADOW] }. The {@code SHADOW}
 * report writes {@code shadow/shadow.json}, what the run would have changed ({@link ShadowRunSummary}),
 * from {@code shadowRun}: the run's {@code results}, {@code snapshotDt}, {@code executionArn} and
 * {@code repairAllowed}.
 */
public record BuildReportRequest(Report report, String database, String tablePrefix, String reportBucket,
                                 String reportPrefix, Integer bucketCount, String membershipId,
                                         List<String> membershipIds,
                                 String snsTopicArn, String compareDatabase, String dataBucket, String athenaWorkgroup,
                                 String athenaResults, String pkColumn, Boolean strictSnapshot,
                                         Integer freshnessWindowDays,
                                 Integer maxTables, Boolean countCheckEnabled, String compareSourceType,
                                 Double countTolerancePct, Boolean fileSizeCheck, Integer fileSizeMinMb,
                                         Integer fileSizeMaxMb,
                                 String dateFormat, String autoRepair, String continuationToken,
                                 Boolean readyForAnalysisCount, Boolean shadow,
                                 com.fasterxml.jackson.databind.JsonNode shadowRun) {

    public enum Report { DATA_MONITOR, CLEANROOMS, SHADOW }

    /** The folder a shadow run's files go under, before the report prefix. */
    static final String SHADOW_ROOT = "shadow/";

    static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
    static final Pattern PREFIX = Pattern.compile("^([A-Za-z0-9!_.*'()/-]{0,500}/)?$");
    static final Pattern TOPIC_ARN = Pattern.compile("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$");
    static final Pattern TOKEN_ID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-"
            + "f]{12}\\.json\\.gz$");
    static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    public BuildReportRequest {
        Fields.required("report", report);
        Identifiers.catalogName("database", database);
        Identifiers.catalogName("tablePrefix", tablePrefix);
        bucket("reportBucket", Fields.required("reportBucket", reportBucket));
        reportPrefix = reportPrefix != null ? reportPrefix : report == Report.DATA_MONITOR ? "data-monitor/"
                : report == Report.CLEANROOMS ? "cleanrooms-reports/" : "";
        if (!PREFIX.matcher(reportPrefix).matches()) {
            throw new InvalidInputException("reportPrefix", "must be an S3 key prefix ending in '/' (or empty), got '"
                    + reportPrefix + "'");
        }
        if (Boolean.FALSE.equals(shadow) && report == Report.SHADOW) {
            throw new InvalidInputException("shadow", "cannot be false for the SHADOW report, which only a shadow run "
                    + "writes");
        }
        shadow = report == Report.SHADOW || shadow != null && shadow;
        if (shadow) {
            reportPrefix = SHADOW_ROOT + reportPrefix;
            athenaResults = athenaResults == null ? null : athenaResults + (athenaResults.endsWith("/") ? "" : "/")
                    + SHADOW_ROOT;
        }
        if ((report == Report.SHADOW) != (shadowRun != null)) {
            throw new InvalidInputException("shadowRun", report == Report.SHADOW ? "is required for the SHADOW "
                    + "report: the shadow run's results, snapshotDt, executionArn and repairAllowed"
                    : "goes with the SHADOW report only");
        }
        if (shadowRun != null) {
            ShadowRunSummary.check(shadowRun);
        }
        bucketCount = Fields.positive("bucketCount", bucketCount, 256, 100_000);
        List<String> ids = new ArrayList<>();
        if (membershipId != null) {
            ids.add(membershipId);
        }
        if (membershipIds != null) {
            ids.addAll(membershipIds);
        }
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i) == null || !UUID.matcher(ids.get(i)).matches()) {
                throw new InvalidInputException(i == 0 && membershipId != null ? "membershipId" : "membershipIds",
                        "must be Clean Rooms membership ids (lower-case UUIDs), got '" + ids.get(i) + "'");
            }
        }
        if (report == Report.CLEANROOMS && ids.isEmpty()) {
            throw new InvalidInputException("membershipId", "is required for the CLEANROOMS report (or membershipIds)");
        }
        if (ids.size() > 20) {
            throw new InvalidInputException("membershipIds", "must hold at most 20 memberships (got " + ids.size()
                    + ")");
        }
        membershipIds = List.copyOf(ids.stream().distinct().toList());
        membershipId = null;
        if (snsTopicArn != null && !TOPIC_ARN.matcher(snsTopicArn).matches()) {
            throw new InvalidInputException("snsTopicArn", "must be an SNS topic ARN, got '" + snsTopicArn + "'");
        }
        compareDatabase = compareDatabase == null ? database
                : Identifiers.catalogName("compareDatabase", compareDatabase);
        if (dataBucket != null && !dataBucket.isEmpty()) {
            bucket("dataBucket", dataBucket);
        }
        athenaWorkgroup = athenaWorkgroup == null ? null : Identifiers.workgroup("athenaWorkgroup", athenaWorkgroup);
        if (athenaResults != null && !athenaResults.startsWith("s3://")) {
            throw new InvalidInputException("athenaResults", "must start with s3:// (got '" + athenaResults + "')");
        }
        pkColumn = pkColumn == null ? "customer_user_id" : Identifiers.catalogName("pkColumn", pkColumn);
        strictSnapshot = strictSnapshot == null || strictSnapshot;
        freshnessWindowDays = Fields.positive("freshnessWindowDays", freshnessWindowDays, 45, 3_650);
        if (maxTables != null && (maxTables < 0 || maxTables > 100_000)) {
            throw new InvalidInputException("maxTables", "must be between 0 (all) and 100000 (got " + maxTables + ")");
        }
        maxTables = maxTables == null ? 0 : maxTables;
        countCheckEnabled = countCheckEnabled == null || countCheckEnabled;
        compareSourceType = compareSourceType == null ? "ext" : compareSourceType;
        if (!compareSourceType.equals("ext") && !compareSourceType.equals("part")) {
            throw new InvalidInputException("compareSourceType", "must be ext or part (got '" + compareSourceType
                    + "')");
        }
        if (compareSourceType.equals("part") && compareDatabase.equals(database)) {
            throw new InvalidInputException("compareSourceType", "part in the same database compares every table with "
                    + "itself (today's bug); use ext, or part with another compareDatabase");
        }
        countTolerancePct = countTolerancePct == null ? 0.0 : countTolerancePct;
        if (countTolerancePct < 0 || countTolerancePct > 100 || countTolerancePct.isNaN()) {
            throw new InvalidInputException("countTolerancePct", "must be between 0 and 100 (got " + countTolerancePct
                    + ")");
        }
        fileSizeCheck = fileSizeCheck != null && fileSizeCheck;
        fileSizeMinMb = Fields.positive("fileSizeMinMb", fileSizeMinMb, 64, 1_000_000);
        fileSizeMaxMb = Fields.positive("fileSizeMaxMb", fileSizeMaxMb, 1024, 1_000_000);
        if (fileSizeMinMb > fileSizeMaxMb) {
            throw new InvalidInputException("fileSizeMinMb", "must not exceed fileSizeMaxMb (" + fileSizeMinMb + " > "
                    + fileSizeMaxMb + ")");
        }
        dateFormat = dateFormat == null ? (report == Report.DATA_MONITOR ? "yyyy-MM-dd" : "yyyyMMdd") : dateFormat;
        if (!dateFormat.matches("^[yMd_-]{4,12}$")) {
            throw new InvalidInputException("dateFormat", "must be a date pattern of y, M, d, '-' and '_' such as "
                    + "yyyy-MM-dd");
        }
        try {
            DateTimeFormatter.ofPattern(dateFormat);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("dateFormat", "'" + dateFormat + "' is not a date pattern");
        }
        if (autoRepair != null && !autoRepair.equals("off")) {
            throw new InvalidInputException("autoRepair", "only 'off' is accepted: the report never repairs (today's "
                    + "monitor did, silently); run msck-repair for that");
        }
        if (readyForAnalysisCount != null && readyForAnalysisCount && report != Report.CLEANROOMS) {
            throw new InvalidInputException("readyForAnalysisCount", "applies to the CLEANROOMS report only");
        }
        readyForAnalysisCount = readyForAnalysisCount != null && readyForAnalysisCount;
        continuationToken = Fields.optional("continuationToken", continuationToken);
        if (continuationToken != null) {
            if (report != Report.DATA_MONITOR) {
                throw new InvalidInputException("continuationToken",
                        "only the DATA_MONITOR report continues over calls");
            }
            String folder = reportPrefix + MonitorProgress.FOLDER;
            if (!continuationToken.startsWith(folder) || !TOKEN_ID.matcher(continuationToken.substring(folder.length()))
                    .matches()) {
                throw new InvalidInputException("continuationToken",
                        "is not a token build-report issued for reportPrefix '"
                        + reportPrefix + "' (pass the continuationToken of the previous IN_PROGRESS answer unchanged, "
                        + "with the same event)");
            }
        }
    }

    private static void bucket(String field, String value) {
        if (!BUCKET.matcher(value).matches()) {
            throw new InvalidInputException(field, "must be an S3 bucket name, got '" + value + "'");
        }
    }
}
