package com.omc.flywheel.local.iam;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.Tag;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Which customer managed KMS key S3 and SNS use on a caller's behalf, read from the emulator itself
 * (never through the checked proxy): a topic's {@code KmsMasterKeyId}, a bucket's default SSE-KMS key,
 * the key an object is stored under. A key CloudFormation made for the stack carries the tag
 * {@code aws:cloudformation:logical-id}; it is named as {@code iam_policies.py} names the stack's key
 * ({@code arn:aws:kms:<region>:<account>:key/<LogicalId>}), so the template's statements match it.
 */
public final class EncryptionKeys {
    static final String LOGICAL_ID_TAG = "aws:cloudformation:logical-id";
    private final S3Client s3;
    private final SnsClient sns;
    private final KmsClient kms;
    private final String region;
    private final String account;
    private final Map<String, String> stackNames = new ConcurrentHashMap<>();

    public EncryptionKeys(String endpoint, String region, String account) {
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        URI uri = URI.create(endpoint);
        this.s3 = S3Client.builder().region(Region.of(region)).endpointOverride(uri).forcePathStyle(true)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        this.sns = SnsClient.builder().region(Region.of(region)).endpointOverride(uri)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        this.kms = KmsClient.builder().region(Region.of(region)).endpointOverride(uri)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        this.region = region;
        this.account = account;
    }

    /** {@code cleanRooms}'s Clean Rooms lookups, with the keys from this. */
    public ApiActions.Lookups around(ApiActions.Lookups cleanRooms) {
        return new ApiActions.Lookups() {
            @Override
            public Optional<String> collaborationArn(String collaborationId) {
                return cleanRooms.collaborationArn(collaborationId);
            }

            @Override
            public Optional<String> schemaAssociationArn(String collaborationId, String schemaName) {
                return cleanRooms.schemaAssociationArn(collaborationId, schemaName);
            }

            @Override
            public Optional<String> topicKey(String topicArn) {
                return EncryptionKeys.this.topicKey(topicArn);
            }

            @Override
            public Optional<String> bucketKey(String bucket) {
                return EncryptionKeys.this.bucketKey(bucket);
            }

            @Override
            public Optional<String> objectKey(String bucket, String key) {
                return EncryptionKeys.this.objectKey(bucket, key);
            }
        };
    }

    /** The topic's KmsMasterKeyId, unless none or the AWS managed {@code alias/aws/sns}. */
    public Optional<String> topicKey(String topicArn) {
        try {
            String key = sns.getTopicAttributes(b -> b.topicArn(topicArn)).attributes().get("KmsMasterKeyId");
            return key == null || key.isEmpty() || key.endsWith("alias/aws/sns") ? Optional.empty() : stackName(key);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            return Optional.empty(); // no such topic: SNS answers NotFound before it encrypts anything
        }
    }

    /** The bucket's default SSE-KMS key, unless SSE-S3 or the AWS managed key ({@code aws/s3}). */
    public Optional<String> bucketKey(String bucket) {
        try {
            for (ServerSideEncryptionRule rule : s3.getBucketEncryption(b -> b.bucket(bucket))
                    .serverSideEncryptionConfiguration().rules()) {
                var d = rule.applyServerSideEncryptionByDefault();
                if (d != null && d.sseAlgorithm() == ServerSideEncryption.AWS_KMS && d.kmsMasterKeyID() != null
                        && !d.kmsMasterKeyID().isEmpty() && !d.kmsMasterKeyID().endsWith("alias/aws/s3")) {
                    return stackName(d.kmsMasterKeyID());
                }
            }
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            // no such bucket, or no default encryption
        }
        return Optional.empty();
    }

    /**
     * The key the object is stored under: its own SSE-KMS key, else (an object stored without
     * encryption of its own: S3 applied the bucket's default when it was written) the bucket's.
     */
    public Optional<String> objectKey(String bucket, String key) {
        try {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            if (head.serverSideEncryption() == ServerSideEncryption.AWS_KMS && head.ssekmsKeyId() != null) {
                return stackName(head.ssekmsKeyId());
            }
            return head.serverSideEncryption() == null ? bucketKey(bucket) : Optional.empty();
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            return Optional.empty(); // no such object: S3 answers NoSuchKey without decrypting
        }
    }

    /** The key's ARN, as the stack names it when CloudFormation made it. */
    private Optional<String> stackName(String keyId) {
        String arn = keyId.startsWith("arn:") ? keyId : "arn:aws:kms:" + region + ":" + account
                + (keyId.startsWith("alias/") ? ":" : ":key/") + keyId;
        return Optional.of(stackNames.computeIfAbsent(arn, a -> {
            try {
                return kms.listResourceTags(b -> b.keyId(a)).tags().stream()
                        .filter(t -> t.tagKey().equals(LOGICAL_ID_TAG)).map(Tag::tagValue).findFirst()
                        .map(id -> "arn:aws:kms:" + region + ":" + account + ":key/" + id).orElse(a);
            } catch (software.amazon.awssdk.core.exception.SdkException e) {
                return a; // a key of another account, or an alias: named as given
            }
        }));
    }
}
