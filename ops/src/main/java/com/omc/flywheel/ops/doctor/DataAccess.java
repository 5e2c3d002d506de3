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
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionByDefault;

/**
 * Whether the Clean Rooms data-access role may read the tables the refresh associates, evaluated as
 * IAM holds the role now ({@link RolePolicies}; it may be a role made by hand, outside the stack): what
 * AWS documents that Clean Rooms needs for a Glue table (glue:GetDatabase on the catalog and the
 * database; glue:GetTable, GetPartitions, GetPartition and BatchGetPartition on the catalog, the
 * database and the table; s3:GetObject under the table's location, s3:ListBucket and
 * s3:GetBucketLocation on its bucket; kms:Decrypt on the customer managed key the bucket encrypts
 * with, through S3).
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
            String cmk = customerKey(account, at.bucket());
            if (cmk != null) {
                out.add(new RolePolicies.Need("kms:Decrypt", cmk, Map.of("kms:ViaService", "s3." + account.region()
                        + ".amazonaws.com", "kms:CallerAccount", account.accountId(),
                        "kms:EncryptionContext:aws:s3:arn", bucket + "/" + key + PROBE)));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The customer managed key the bucket encrypts new objects with by default, or null (none, SSE-S3 or
     * the AWS managed key, whose key policy lets the account's principals use it through S3). Read once.
     */
    static String customerKey(Account account, String bucket) {
        return account.once("bucket key " + bucket, () -> {
            ServerSideEncryptionByDefault rule;
            try {
                rule = account.client(S3Client.class, S3Client::builder).getBucketEncryption(b -> b.bucket(bucket))
                        .serverSideEncryptionConfiguration().rules().get(0).applyServerSideEncryptionByDefault();
            } catch (S3Exception e) {
                if (e.awsErrorDetails() != null
                        && "ServerSideEncryptionConfigurationNotFoundError".equals(e.awsErrorDetails().errorCode())) {
                    return null;
                }
                throw e;
            }
            if (rule == null || !rule.sseAlgorithmAsString().startsWith("aws:kms") || rule.kmsMasterKeyID() == null
                    || rule.kmsMasterKeyID().isEmpty()) {
                return null;
            }
            KeyMetadata key = account.client(KmsClient.class, KmsClient::builder)
                    .describeKey(b -> b.keyId(rule.kmsMasterKeyID())).keyMetadata();
            return "AWS".equals(key.keyManagerAsString()) ? null : key.arn();
        });
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
                + ", s3:GetObject, s3:ListBucket, s3:GetBucketLocation, kms:Decrypt where a bucket has a customer "
                + "managed key";
    }
}
