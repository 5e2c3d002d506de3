package com.omc.flywheel.local.run;

import static com.omc.flywheel.local.run.SampleWorld.ENV;

import com.omc.flywheel.shared.AwsClients;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.lakeformation.LakeFormationClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * What the stack finds in an account and does not create, made here as production has it (today's
 * Terraform and scripts, SPEC) or with AWS's defaults where production does not say: nothing is
 * configured because a test needs it. {@code bin/flywheel doctor} checks exactly these.
 */
final class ProductionAccount {
    static final String GLUE_ROLE = "omc-flywheel-" + ENV + "-glue";
    static final String CLEAN_ROOMS_ROLE = "cleanrooms-glue-s3-access";
    /** Who reads the notifications (the deployer's NotificationEmails, subscribed and confirmed). */
    static final String ON_CALL = "data-engineering@example.com";
    private static final String TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"%s\"},\"Action\":\"sts:AssumeRole\"}]}";

    private ProductionAccount() {
    }

    /**
     * The Glue jobs as today's Terraform makes them: the register job with max_concurrent_runs = 2
     * (RegisterTables starts it twice at once), every other job with Glue's default of 1; their
     * role, and their scripts in the data bucket.
     */
    static void glueJobs(S3Client s3, String scriptBucket) {
        try (IamClient iam = AwsClients.build(IamClient.builder())) {
            iam.createRole(b -> b.roleName(GLUE_ROLE).assumeRolePolicyDocument(TRUST.formatted("glue.amazonaws.com")));
        }
        GlueClient glue = AwsClients.build(GlueClient.builder());
        Map<String, Integer> jobs = Map.of("addressable-split-and-part", 1, "infobase-split-and-part", 1,
                "register-part-tables", 2, "topic-standardized", 1, "topic-curated", 1, "topic-history-rebuilder", 1);
        jobs.forEach((job, runs) -> {
            String script = "glue-scripts/" + job + ".py";
            s3.putObject(b -> b.bucket(scriptBucket).key(script), RequestBody.fromString("# " + job + "\n"));
            glue.createJob(b -> {
                b.name("etl-omc-flywheel-" + ENV + "-" + job).role("arn:aws:iam::123456789012:role/" + GLUE_ROLE)
                        .command(c -> c.name("glueetl").scriptLocation("s3://" + scriptBucket + "/" + script));
                if (runs > 1) {
                    b.executionProperty(x -> x.maxConcurrentRuns(runs));
                }
            });
        });
    }

    /**
     * The rest of the account: the buckets private and encrypted (S3's defaults for a new bucket
     * since 2023), the database under IAM access control (Lake Formation's default: IAMAllowedPrincipals
     * on it), today's Clean Rooms data-access role, and the two topics encrypted with the stack's key
     * (its policy lets CloudWatch alarms publish) with the on-call address subscribed.
     */
    static void around(S3Client s3, String database, List<String> buckets) {
        for (String bucket : buckets) {
            s3.putBucketEncryption(b -> b.bucket(bucket).serverSideEncryptionConfiguration(c -> c.rules(r -> r
                    .applyServerSideEncryptionByDefault(d -> d.sseAlgorithm("AES256")))));
            s3.putPublicAccessBlock(b -> b.bucket(bucket).publicAccessBlockConfiguration(c -> c.blockPublicAcls(true)
                    .ignorePublicAcls(true).blockPublicPolicy(true).restrictPublicBuckets(true)));
        }
        try (LakeFormationClient lf = AwsClients.build(LakeFormationClient.builder())) {
            lf.grantPermissions(b -> b.principal(p -> p.dataLakePrincipalIdentifier("IAM_ALLOWED_PRINCIPALS"))
                    .resource(r -> r.database(d -> d.name(database))).permissionsWithStrings("ALL"));
        }
        try (IamClient iam = AwsClients.build(IamClient.builder())) {
            iam.createRole(b -> b.roleName(CLEAN_ROOMS_ROLE)
                    .assumeRolePolicyDocument(TRUST.formatted("cleanrooms.amazonaws.com")));
        }
        String key;
        try (KmsClient kms = AwsClients.build(KmsClient.builder())) {
            // The stack's TopicKey, tagged as CloudFormation tags what it creates: the local IAM check names
            // it by that logical id, as the template's EncryptForTheTopic statements do.
            key = kms.createKey(b -> b.description("omc-flywheel-" + ENV + " SNS topics")
                    .tags(t -> t.tagKey("aws:cloudformation:logical-id").tagValue("TopicKey"),
                            t -> t.tagKey("aws:cloudformation:stack-name").tagValue("omc-flywheel-" + ENV))
                    .policy("""
                    {"Version": "2012-10-17", "Statement": [
                      {"Sid": "TheAccountManagesTheKeyThroughIam", "Effect": "Allow",
                       "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
                      {"Sid": "CloudWatchAlarmsPublishToTheTopics", "Effect": "Allow",
                       "Principal": {"Service": "cloudwatch.amazonaws.com"},
                       "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                       "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]}""")).keyMetadata().arn();
        }
        SnsClient sns = AwsClients.build(SnsClient.builder());
        for (String topic : List.of("db-refresh-notifications", "data-monitor-alerts")) {
            String arn = sns.createTopic(b -> b.name("omc-flywheel-" + ENV + "-" + topic)
                    .attributes(Map.of("KmsMasterKeyId", key))).topicArn();
            sns.subscribe(b -> b.topicArn(arn).protocol("email").endpoint(ON_CALL));
        }
    }

    /**
     * The report key (the stack's ReportKmsKeyArn, when given: a customer managed key the account has)
     * under its own id, so the functions' SSE-KMS writes name a key that exists and the local IAM check
     * requires kms:GenerateDataKey and kms:Decrypt on it. moto honours the {@code _custom_key_id_} tag
     * only with flywheel's fix (moto/sitecustomize.py); a key made under another id stops the run.
     */
    static void reportKey(String arn) {
        if (arn == null || arn.isEmpty()) {
            return;
        }
        String id = arn.substring(arn.lastIndexOf('/') + 1);
        try (KmsClient kms = AwsClients.build(KmsClient.builder())) {
            String made = kms.createKey(b -> b.description("the report key (ReportKmsKeyArn)")
                    .tags(t -> t.tagKey("_custom_key_id_").tagValue(id))).keyMetadata().arn();
            if (!made.equals(arn)) {
                throw new IllegalStateException("moto made the report key as " + made + ", not " + arn
                        + " (flywheel's KMS fix in moto/sitecustomize.py did not apply)");
            }
        }
    }
}
