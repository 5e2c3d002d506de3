package com.omc.flywheel.bench;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The baseline of the cold-invoke benchmark: a function's first AWS call written the common way,
 * {@code XClient.create()} (the SDK's default HTTP client, Apache; the default region and
 * credential provider chains), in a fresh JVM. Argument: the call (glue-get-job, glue-get-tables,
 * glue-get-job-run, s3-list, dynamodb-scan) and its target.
 */
public final class DefaultClientBaseline {
    private DefaultClientBaseline() {
    }

    public static void main(String[] args) {
        String target = args.length > 1 ? args[1] : "x";
        switch (args[0]) {
            case "glue-get-job" -> {
                try (GlueClient glue = GlueClient.create()) {
                    System.out.println(glue.getJob(b -> b.jobName(target)).job().name());
                }
            }
            case "glue-get-job-runs" -> {
                try (GlueClient glue = GlueClient.create()) {
                    System.out.println(glue.getJobRuns(b -> b.jobName(target)).jobRuns().size());
                }
            }
            case "glue-get-job-run" -> {
                String[] jobAndRun = target.split("/", 2);
                try (GlueClient glue = GlueClient.create()) {
                    System.out.println(glue.getJobRun(b -> b.jobName(jobAndRun[0]).runId(jobAndRun[1])).jobRun().id());
                }
            }
            case "glue-get-tables" -> {
                try (GlueClient glue = GlueClient.create()) {
                    System.out.println(glue.getTables(b -> b.databaseName(target)).tableList().size());
                }
            }
            case "s3-list" -> {
                try (S3Client s3 = S3Client.create()) {
                    System.out.println(s3.listObjectsV2(b -> b.bucket(target).delimiter("/")).keyCount());
                }
            }
            case "dynamodb-scan" -> {
                try (DynamoDbClient d = DynamoDbClient.create()) {
                    System.out.println(d.scan(b -> b.tableName(target)).count());
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
