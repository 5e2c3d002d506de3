package com.omc.flywheel.ops.doctor;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.iam.model.Role;

/**
 * Whether the Clean Rooms data-access role may read the tables the refresh associates, evaluated as
 * IAM holds the role now ({@link RolePolicies}; it may be a role made by hand, outside the stack): what
 * AWS documents that Clean Rooms needs for a Glue table (glue:GetDatabase on the catalog and the
 * database; glue:GetTable, GetPartitions, GetPartition and BatchGetPartition on the catalog, the
 * database and the table; s3:GetObject under the table's location, s3:ListBucket and
 * s3:GetBucketLocation on its bucket).
 *
 * @param refused    the calls the role does not allow
 * @param unreadable why its policies could not be read or evaluated, or null
 * @param calls      how many calls were evaluated
 */
record DataAccess(List<RolePolicies.Need> refused, String unreadable, int calls) {
    static final List<String> TABLE_ACTIONS = List.of("glue:GetTable", "glue:GetPartitions", "glue:GetPartition",
            "glue:BatchGetPartition");
    private static final String PROBE = "doctor-probe";

    static DataAccess of(Account account, Role role, String database, List<Table> tables) {
        List<RolePolicies.Need> needs = needs(account, database, tables);
        try {
            return new DataAccess(RolePolicies.refused(account, role, needs), null, needs.size());
        } catch (AwsServiceException e) {
            if (e.statusCode() != 403) {
                throw e;
            }
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            return new DataAccess(List.of(), "IAM did not let doctor read its policies (" + code + ")", needs.size());
        } catch (IllegalStateException | UncheckedIOException e) {
            return new DataAccess(List.of(), "its policies could not be evaluated (" + e.getMessage() + ")",
                    needs.size());
        }
    }

    /** Every call Clean Rooms makes as the role to read the tables, once each. */
    static List<RolePolicies.Need> needs(Account account, String database, List<Table> tables) {
        String glue = "arn:" + account.partition() + ":glue:" + account.region() + ":" + account.accountId() + ":";
        Map<String, String> owner = Map.of("aws:ResourceAccount", account.accountId(), "s3:ResourceAccount",
                account.accountId());
        Set<RolePolicies.Need> out = new LinkedHashSet<>();
        for (Table t : tables) {
            List<String> path = List.of(glue + "catalog", glue + "database/" + database,
                    glue + "table/" + database + "/" + t.name());
            path.subList(0, 2).forEach(r -> out.add(new RolePolicies.Need("glue:GetDatabase", r, owner)));
            for (String action : TABLE_ACTIONS) {
                path.forEach(r -> out.add(new RolePolicies.Need(action, r, owner)));
            }
            String location = t.storageDescriptor() == null ? null : t.storageDescriptor().location();
            if (location == null || !location.startsWith("s3://")) {
                continue;
            }
            S3Location at = S3Location.parse(location);
            String key = at.key().isEmpty() || at.key().endsWith("/") ? at.key() : at.key() + "/";
            String bucket = "arn:" + account.partition() + ":s3:::" + at.bucket();
            out.add(new RolePolicies.Need("s3:GetObject", bucket + "/" + key + PROBE, owner));
            Map<String, String> listing = new LinkedHashMap<>(owner);
            listing.put("s3:prefix", key);
            out.add(new RolePolicies.Need("s3:ListBucket", bucket, Map.copyOf(listing)));
            out.add(new RolePolicies.Need("s3:GetBucketLocation", bucket, owner));
        }
        return List.copyOf(out);
    }

    /** The refused calls by action: {@code glue:GetTable on arn:…:catalog … arn:…:table/db/t (6 resources)}. */
    String refusedSummary() {
        Map<String, List<String>> byAction = new LinkedHashMap<>();
        refused.forEach(n -> byAction.computeIfAbsent(n.action(), a -> new ArrayList<>()).add(n.resource()));
        List<String> out = new ArrayList<>();
        byAction.forEach((action, resources) -> out.add(action + " on " + resources.get(0)
                + (resources.size() > 1 ? " … " + resources.get(resources.size() - 1) + " (" + resources.size()
                + " resources)" : "")));
        return String.join("; ", out);
    }

    /** What was evaluated, for an OK line. */
    String checked() {
        return calls + " calls evaluated: glue:GetDatabase, " + String.join(", ", TABLE_ACTIONS)
                + ", s3:GetObject, s3:ListBucket, s3:GetBucketLocation";
    }
}
