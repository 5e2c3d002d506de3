package com.omc.flywheel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.omc.flywheel.local.moto.MotoServer;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The keys S3 and SNS use on a caller's behalf, as moto holds them: the stack's key (tagged by
 * CloudFormation) under the name the template's statements give it, any other key by its ARN.
 */
class EncryptionKeysTest {
    private static final String STACK_KEY = "arn:aws:kms:us-east-1:123456789012:key/TopicKey";

    @Test
    void topicsBucketsAndObjectsNameTheirCustomerManagedKey() {
        MotoServer moto = MotoServer.shared();
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        URI uri = URI.create(moto.endpoint());
        KmsClient kms = KmsClient.builder().region(Region.US_EAST_1).endpointOverride(uri)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        SnsClient sns = SnsClient.builder().region(Region.US_EAST_1).endpointOverride(uri)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        S3Client s3 = S3Client.builder().region(Region.US_EAST_1).endpointOverride(uri).forcePathStyle(true)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        String stackKey = kms.createKey(b -> b.tags(t -> t.tagKey(EncryptionKeys.LOGICAL_ID_TAG).tagValue("TopicKey")))
                .keyMetadata().arn();
        String otherKey = kms.createKey(b -> b.description("the deployer's")).keyMetadata().arn();
        String encrypted = sns.createTopic(b -> b.name("keys-encrypted")
                .attributes(java.util.Map.of("KmsMasterKeyId", stackKey))).topicArn();
        String plain = sns.createTopic(b -> b.name("keys-plain")).topicArn();
        s3.createBucket(b -> b.bucket("keys-kms"));
        s3.putBucketEncryption(b -> b.bucket("keys-kms").serverSideEncryptionConfiguration(c -> c.rules(r -> r
                .applyServerSideEncryptionByDefault(d -> d.sseAlgorithm("aws:kms").kmsMasterKeyID(otherKey)))));
        s3.createBucket(b -> b.bucket("keys-s3"));
        s3.putObject(b -> b.bucket("keys-kms").key("default"), RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket("keys-kms").key("sse-s3").serverSideEncryption(ServerSideEncryption.AES256),
                RequestBody.fromString("x"));
        s3.putObject(b -> b.bucket("keys-s3").key("own").serverSideEncryption(ServerSideEncryption.AWS_KMS)
                .ssekmsKeyId(stackKey), RequestBody.fromString("x"));

        EncryptionKeys keys = new EncryptionKeys(moto.endpoint(), MotoServer.REGION, MotoServer.ACCOUNT_ID);
        assertEquals(Optional.of(STACK_KEY), keys.topicKey(encrypted), "the stack's key, by its logical id");
        assertEquals(Optional.empty(), keys.topicKey(plain));
        assertEquals(Optional.of(otherKey), keys.bucketKey("keys-kms"), "another key, by its ARN");
        assertEquals(Optional.empty(), keys.bucketKey("keys-s3"));
        assertEquals(Optional.of(otherKey), keys.objectKey("keys-kms", "default"),
                "an object written without encryption of its own: the bucket's default");
        assertEquals(Optional.empty(), keys.objectKey("keys-kms", "sse-s3"));
        assertEquals(Optional.of(STACK_KEY), keys.objectKey("keys-s3", "own"));
        assertEquals(Optional.empty(), keys.objectKey("keys-s3", "missing"));
    }
}
