package com.omc.flywheel.associatetables;

import com.omc.flywheel.shared.Fields;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The associate-tables event (docs/functions.md), valid by construction.
 *
 * @param membershipId             our membership in the collaboration
 * @param roleArn                  the role Clean Rooms assumes to read the Glue tables and S3 data
 * @param maxAssociations          how many tables to associate at most (default 25); the cut ones
 *                                 are listed in {@code skippedForQuota}
 * @param allowedAnalysisProviders accounts whose queries may run on the tables; when neither this nor the
 *                                 {@code ALLOWED_ANALYSIS_PROVIDERS} setting is given, existing rules keep
 *                                 their providers, and a rule that is created gets every member that can
 *                                 query, but us
 * @param allowedResultReceivers   accounts that may receive results; unset, existing rules keep their
 *                                 receivers, and a rule that is created gets every member that can receive
 *                                 results, but us
 * @param idNamespaceArn           the Entity Resolution ID namespace to associate, if any
 * @param dryRun                   plan only
 * @param recreateDriftedTables    tables whose configured table is recreated when its allowed columns differ
 *                                 from the Glue table's data columns (default none: drift is only reported)
 * @param compactResult            the answer's {@code summary.skippedForQuota} stays empty (the names are
 *                                 in the function's log; {@code skippedForQuotaCount} counts them), so the
 *                                 answer does not grow with the lake: what the state machine asks for
 */
public record AssociateTablesRequest(String membershipId, String database, String tablePrefix, String roleArn,
                                     List<String> exclude, Integer maxAssociations,
                                             List<String> allowedAnalysisProviders,
                                     List<String> allowedResultReceivers, String idNamespaceArn, Boolean dryRun,
                                     Boolean compactResult, List<String> recreateDriftedTables) {
    static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    static final Pattern ROLE_ARN = Pattern.compile("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,480}$");
    static final Pattern ID_NAMESPACE_ARN = Pattern.compile(
            "^arn:aws:entityresolution:[a-z]{2}-[a-z]{4,9}-[0-9]:[0-9]{12}:idnamespace/[A-Za-z0-9_-]{1,255}$");
    /** Clean Rooms' own ceiling on associations a membership can be granted. */
    static final int MAX_ASSOCIATIONS = 100;

    public AssociateTablesRequest {
        Fields.required("membershipId", membershipId);
        if (!UUID.matcher(membershipId).matches()) {
            throw new InvalidInputException("membershipId", "must be a Clean Rooms membership id (a lower-case UUID; "
                    + "got '"
                    + membershipId + "')");
        }
        Identifiers.catalogName("database", database);
        Identifiers.catalogName("tablePrefix", tablePrefix);
        Fields.required("roleArn", roleArn);
        if (!ROLE_ARN.matcher(roleArn).matches()) {
            throw new InvalidInputException("roleArn", "must be an IAM role ARN, arn:aws:iam::<account>:role/<name> "
                    + "(got '"
                    + roleArn + "')");
        }
        exclude = exclude == null ? List.of() : names("exclude", exclude);
        maxAssociations = Fields.positive("maxAssociations", maxAssociations, 25, MAX_ASSOCIATIONS);
        allowedAnalysisProviders = allowedAnalysisProviders == null ? null : accounts("allowedAnalysisProviders",
                allowedAnalysisProviders);
        allowedResultReceivers = allowedResultReceivers == null ? null : accounts("allowedResultReceivers",
                allowedResultReceivers);
        if (idNamespaceArn != null) {
            Fields.required("idNamespaceArn", idNamespaceArn);
            if (!ID_NAMESPACE_ARN.matcher(idNamespaceArn).matches()) {
                throw new InvalidInputException("idNamespaceArn", "must be an Entity Resolution ID namespace ARN, "
                        + "arn:aws:entityresolution:<region>:<account>:idnamespace/<name> (got '" + idNamespaceArn
                                + "')");
            }
        }
        dryRun = dryRun != null && dryRun;
        compactResult = compactResult != null && compactResult;
        if (recreateDriftedTables != null && recreateDriftedTables.size() > MAX_ASSOCIATIONS) {
            throw new InvalidInputException("recreateDriftedTables", "must name at most " + MAX_ASSOCIATIONS
                    + " tables (got " + recreateDriftedTables.size() + ")");
        }
        recreateDriftedTables = recreateDriftedTables == null ? List.of() : names("recreateDriftedTables",
                recreateDriftedTables);
    }

    private static List<String> names(String field, List<String> values) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            out.add(Identifiers.catalogName(field + "[" + i + "]", values.get(i)));
        }
        return List.copyOf(out);
    }

    private static List<String> accounts(String field, List<String> values) {
        if (values.size() > 50) {
            throw new InvalidInputException(field, "must hold at most 50 accounts (got " + values.size() + ")");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            if (!out.add(Identifiers.accountId(field + "[" + i + "]", values.get(i)))) {
                throw new InvalidInputException(field + "[" + i + "]", "lists account " + values.get(i) + " twice");
            }
        }
        return List.copyOf(out);
    }
}
