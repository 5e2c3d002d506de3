package com.omc.flywheel.msckrepair;

import com.omc.flywheel.shared.Fields;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The msck-repair event (docs/functions.md). Every name that reaches Glue, S3 or Athena SQL is
 * validated here, before any AWS call.
 *
 * @param database          the Glue database
 * @param tablePrefix       tables whose names start with it are discovered ({@code part_})
 * @param tables            an explicit list, instead of discovery (a name that does not exist is a failure)
 * @param exclude           names never touched
 * @param mode              {@code GLUE_SYNC} (default) or {@code ATHENA_MSCK}
 * @param partitionKey      the partition column, laid out as {@code <location>/<key>=<value>/} ({@code id_bucket})
 * @param workgroup         Athena workgroup (ATHENA_MSCK; default from {@code ATHENA_WORKGROUP})
 * @param outputLocation    Athena results location, {@code s3://...} (ATHENA_MSCK; default from {@code ATHENA_RESULTS})
 * @param continuationToken from a previous {@code IN_PROGRESS} answer
 * @param stateBucket       optional S3 bucket for the state between calls (default: the environment's
 *                          {@code CONTINUATION_BUCKET}, else none). With one, the outcome of the tables done so
 *                          far is written to {@code s3://<stateBucket>/msck-repair/.in-progress/<id>.json.gz}
 *                          (encrypted like the reports) and the continuation token holds only that key
 *                          ({@code s3:<key>}), so it does not grow with the number of tables; the object is
 *                          deleted when the repair ends. Without one, the token carries the outcomes itself,
 *                          compressed (fine for a few hundred tables; the Step Functions state holds 256 KiB).
 * @param compactResult     when true (default false; needs a state bucket), the answer's {@code tables} lists
 *                          only the FAILED tables ({@code summary} still counts all of them) and {@code detailsKey}
 *                          names the JSON object in the state bucket with every table's outcome
 * @param dryRun            when true (default false), nothing is changed: no partition is created and no table
 *                          definition updated; each table's outcome says what a repair would do
 *                          ({@code PLANNED}, {@code partitionsToAdd}) and {@code summary.partitionsToAdd} totals
 *                          it. The listing is GLUE_SYNC's whatever {@code mode} says (an MSCK query is a change)
 * @param shadow            when true (default false; db-refresh's shadow run), the state objects go under
 *                          {@code msck-repair/shadow/} instead of {@code msck-repair/}
 */
public record MsckRepairRequest(String database, String tablePrefix, List<String> tables, List<String> exclude,
                                Mode mode, String partitionKey, String workgroup, String outputLocation,
                                String continuationToken, String stateBucket, Boolean compactResult,
                                Boolean dryRun, Boolean shadow) {
    /** More names than any real database holds is a mistake in the input, not a workload. */
    static final int MAX_NAMES = 5_000;

    public enum Mode { GLUE_SYNC, ATHENA_MSCK }

    public MsckRepairRequest {
        Identifiers.catalogName("database", database);
        Identifiers.catalogName("tablePrefix", tablePrefix);
        tables = tables == null ? null : names("tables", tables);
        if (tables != null && tables.isEmpty()) {
            throw new InvalidInputException("tables", "must name at least one table (leave it out to discover by "
                    + "prefix)");
        }
        exclude = exclude == null ? List.of() : names("exclude", exclude);
        mode = mode == null ? Mode.GLUE_SYNC : mode;
        partitionKey = partitionKey == null ? "id_bucket" : Identifiers.catalogName("partitionKey", partitionKey);
        workgroup = workgroup == null ? null : Identifiers.workgroup("workgroup", workgroup);
        if (outputLocation != null) {
            Fields.required("outputLocation", outputLocation);
            if (!outputLocation.matches("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\\s]*)?$")) {
                throw new InvalidInputException("outputLocation", "must be an S3 URI, s3://bucket/prefix/ (got '"
                        + outputLocation + "')");
            }
        }
        continuationToken = Fields.optional("continuationToken", continuationToken);
        if (continuationToken != null && continuationToken.length() > 100_000) {
            throw new InvalidInputException("continuationToken", "is longer than any token msck-repair issues");
        }
        if (stateBucket != null && !stateBucket.matches("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")) {
            throw new InvalidInputException("stateBucket", "must be an S3 bucket name, got '" + stateBucket + "'");
        }
        compactResult = compactResult != null && compactResult;
        dryRun = dryRun != null && dryRun;
        shadow = shadow != null && shadow;
    }

    /** The event without a state bucket or compact result (today's fields). */
    public MsckRepairRequest(String database, String tablePrefix, List<String> tables, List<String> exclude, Mode mode,
                             String partitionKey, String workgroup, String outputLocation, String continuationToken) {
        this(database, tablePrefix, tables, exclude, mode, partitionKey, workgroup, outputLocation, continuationToken,
                null, null, null, null);
    }

    /** The event with a state bucket and compact result, changing the catalog (not a dry run, not a shadow run). */
    public MsckRepairRequest(String database, String tablePrefix, List<String> tables, List<String> exclude, Mode mode,
                             String partitionKey, String workgroup, String outputLocation, String continuationToken,
                             String stateBucket, Boolean compactResult) {
        this(database, tablePrefix, tables, exclude, mode, partitionKey, workgroup, outputLocation, continuationToken,
                stateBucket, compactResult, null, null);
    }

    private static List<String> names(String field, List<String> values) {
        if (values.size() > MAX_NAMES) {
            throw new InvalidInputException(field, "must hold at most " + MAX_NAMES + " names (got " + values.size()
                    + ")");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            unique.add(Identifiers.catalogName(field + "[" + i + "]", values.get(i)));
        }
        return List.copyOf(new ArrayList<>(unique));
    }
}
