package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionByDefault;

/**
 * The buckets the stack reads and writes and does not create: each exists, is private, and its
 * default encryption is one the functions' roles can use; and the raw input the refresh starts
 * from: the newest {@code snapshot_dt=} folder with a {@code _SUCCESS} marker under every prefix.
 */
final class S3Checks {
    /** How many of each prefix's newest {@code snapshot_dt=} folders are looked into for their marker. */
    static final int NEWEST_FOLDERS = 62;
    private S3Checks() {
    }

    static void run(Account account, Findings findings) {
        Map<String, String> buckets = new LinkedHashMap<>();
        buckets.put(account.parameter("DataBucketName"), "data (the lake, the raw input, the ER table)");
        buckets.put(account.parameter("AnalysisBucketName"), "analysis (reports, query results, state)");
        buckets.remove("");
        for (Map.Entry<String, String> b : buckets.entrySet()) {
            findings.guard("s3.bucket", b.getKey(), () -> {
                if (bucketExists(account, findings, "s3.bucket", b.getKey(), "the " + b.getValue() + " bucket")) {
                    findings.guard("s3.encryption", b.getKey(), () -> encryption(account, findings, b.getKey(),
                            b.getKey().equals(account.parameter("AnalysisBucketName"))));
                    findings.guard("s3.public-access", b.getKey(), () -> publicAccess(account, findings, b.getKey()));
                }
            });
        }
        JsonNode prefixes = account.refreshInput().path("rawInputPrefixes");
        if (prefixes.isArray() && prefixes.size() > 0) {
            List<String> list = new ArrayList<>();
            prefixes.forEach(p -> list.add(p.asText()));
            findings.guard("s3.raw-input", String.join(", ", list), () -> rawInput(account, findings, list));
        } else {
            findings.fail("s3.raw-input", "the monthly schedule's input", "names no rawInputPrefixes",
                    "redeploy the stack (sam deploy): its schedule's input names them");
        }
    }

    /** True when the bucket exists; a FAIL naming what it is for when it does not. */
    static boolean bucketExists(Account account, Findings findings, String check, String bucket, String what) {
        try {
            account.client(S3Client.class, S3Client::builder).headBucket(b -> b.bucket(bucket));
            findings.ok(check, bucket, "exists (" + what + ")");
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                findings.fail(check, bucket, "does not exist; " + what, "create it (today's Terraform does), or "
                        + "deploy with the parameter that names it set to the right bucket");
                return false;
            }
            throw e;
        }
    }

    private static void encryption(Account account, Findings findings, String bucket, boolean reports) {
        ServerSideEncryptionByDefault rule;
        try {
            rule = account.client(S3Client.class, S3Client::builder).getBucketEncryption(b -> b.bucket(bucket))
                    .serverSideEncryptionConfiguration().rules().get(0).applyServerSideEncryptionByDefault();
        } catch (S3Exception e) {
            if ("ServerSideEncryptionConfigurationNotFoundError".equals(e.awsErrorDetails().errorCode())) {
                findings.warn("s3.encryption", bucket, "has no default encryption rule (S3 still encrypts new "
                        + "objects with SSE-S3)", "aws s3api put-bucket-encryption --bucket " + bucket + " with SSE-S3 "
                        + "or SSE-KMS, as your policy requires");
                return;
            }
            throw e;
        }
        String algorithm = rule.sseAlgorithmAsString();
        String key = rule.kmsMasterKeyID();
        if (!algorithm.startsWith("aws:kms") || key == null || key.isEmpty()) {
            findings.ok("s3.encryption", bucket, "default encryption " + algorithm + (key == null || key.isEmpty()
                    && algorithm.startsWith("aws:kms") ? " with the AWS managed key" : ""));
            return;
        }
        KeyMetadata meta = account.client(KmsClient.class, KmsClient::builder).describeKey(b -> b.keyId(key))
                .keyMetadata();
        if ("AWS".equals(meta.keyManagerAsString())) {
            findings.ok("s3.encryption", bucket, "default encryption SSE-KMS with the AWS managed key " + key);
        } else if (reports && meta.arn().equals(account.parameter("ReportKmsKeyArn"))) {
            findings.ok("s3.encryption", bucket, "default encryption SSE-KMS with " + meta.arn()
                    + ", the stack's ReportKmsKeyArn (its writers may use it)");
        } else {
            findings.warn("s3.encryption", bucket, "default encryption SSE-KMS with the customer managed key "
                    + meta.arn() + ", which the stack's roles are not granted: writes without their own key fail",
                    reports ? "deploy with ReportKmsKeyArn=" + meta.arn()
                            : "grant kms:Decrypt and kms:GenerateDataKey on " + meta.arn() + " to the functions that "
                                    + "read and write the lake (refresh-er-table, msck-repair), in the key policy");
        }
    }

    private static void publicAccess(Account account, Findings findings, String bucket) {
        PublicAccessBlockConfiguration c;
        try {
            c = account.client(S3Client.class, S3Client::builder).getPublicAccessBlock(b -> b.bucket(bucket))
                    .publicAccessBlockConfiguration();
        } catch (S3Exception e) {
            if ("NoSuchPublicAccessBlockConfiguration".equals(e.awsErrorDetails().errorCode())) {
                findings.warn("s3.public-access", bucket, "has no public access block of its own",
                        "aws s3api put-public-access-block --bucket " + bucket + " --public-access-block-configuration "
                                + "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
                                + "RestrictPublicBuckets=true");
                return;
            }
            throw e;
        }
        boolean all = Boolean.TRUE.equals(c.blockPublicAcls()) && Boolean.TRUE.equals(c.ignorePublicAcls())
                && Boolean.TRUE.equals(c.blockPublicPolicy()) && Boolean.TRUE.equals(c.restrictPublicBuckets());
        if (all) {
            findings.ok("s3.public-access", bucket, "all public access blocked");
        } else {
            findings.warn("s3.public-access", bucket, "public access is not fully blocked (" + c + ")",
                    "aws s3api put-public-access-block --bucket " + bucket + " --public-access-block-configuration "
                            + "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
                            + "RestrictPublicBuckets=true");
        }
    }

    /**
     * The newest {@code snapshot_dt=} folder under every prefix, and the newest date that has a
     * {@code _SUCCESS} marker under all of them: what the refresh will resolve.
     */
    private static void rawInput(Account account, Findings findings, List<String> prefixes) {
        S3Client s3 = account.client(S3Client.class, S3Client::builder);
        TreeSet<String> complete = null;
        List<String> gaps = new ArrayList<>();
        for (String prefix : prefixes) {
            S3Location at = S3Location.parse(prefix);
            TreeSet<String> days = new TreeSet<>();
            for (CommonPrefix p : s3.listObjectsV2Paginator(b -> b.bucket(at.bucket()).prefix(at.key()).delimiter("/"))
                    .commonPrefixes()) {
                String folder = p.prefix().substring(at.key().length());
                if (folder.startsWith("snapshot_dt=")) {
                    days.add(folder.substring("snapshot_dt=".length()).replace("/", ""));
                }
            }
            if (days.isEmpty()) {
                findings.fail("s3.raw-input", prefix, "has no snapshot_dt= folder: the refresh has nothing to read",
                        "land the raw snapshot (the loader writes snapshot_dt=YYYY-MM-DD/ and a _SUCCESS marker), or "
                                + "fix the prefix in the stack");
                return;
            }
            TreeSet<String> marked = new TreeSet<>();
            // The newest folders only: a daily loader's years of folders would be a HEAD each.
            for (String day : days.descendingSet().stream().limit(NEWEST_FOLDERS).toList()) {
                if (hasMarker(s3, at, day)) {
                    marked.add(day);
                }
            }
            if (!marked.contains(days.last())) {
                gaps.add(prefix + "snapshot_dt=" + days.last() + "/ has no _SUCCESS");
            }
            if (complete == null) {
                complete = marked;
            } else {
                complete.retainAll(marked);
            }
        }
        if (complete == null || complete.isEmpty()) {
            findings.fail("s3.raw-input", String.join(", ", prefixes), "no snapshot_dt has a _SUCCESS marker under "
                    + "every prefix (among each prefix's newest " + NEWEST_FOLDERS + " folders): the refresh would "
                    + "fail at ResolveNewestSnapshot", "wait for the loader to finish, "
                    + "or check that the prefixes name the raw input");
        } else if (!gaps.isEmpty()) {
            findings.warn("s3.raw-input", String.join(", ", prefixes), "the refresh resolves snapshot_dt="
                    + complete.last() + " (the newest with _SUCCESS under every prefix), not the newest folder: "
                    + String.join("; ", gaps), "if that snapshot is still loading, wait for its _SUCCESS; otherwise "
                    + "start with --snapshot-dt to choose");
        } else {
            findings.ok("s3.raw-input", String.join(", ", prefixes), "newest snapshot_dt=" + complete.last()
                    + " has its _SUCCESS under every prefix");
        }
    }

    private static boolean hasMarker(S3Client s3, S3Location at, String day) {
        try {
            s3.headObject(b -> b.bucket(at.bucket()).key(at.key() + "snapshot_dt=" + day + "/_SUCCESS"));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
