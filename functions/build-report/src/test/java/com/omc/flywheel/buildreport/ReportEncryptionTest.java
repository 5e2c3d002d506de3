package com.omc.flywheel.buildreport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.ReportFiles;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The report files as S3 stores them: SSE-KMS under REPORT_KMS_KEY_ARN (template.yaml's
 * ReportKmsKeyArn) when it is set, SSE-S3 otherwise; read back with HeadObject from moto.
 */
class ReportEncryptionTest {
    static final MotoServer MOTO = MotoServer.shared();
    static final String BUCKET = "omc-flywheel-dev-analysis-data";
    static final String KEY = "arn:aws:kms:us-east-1:123456789012:key/2222bbbb-12ab-34cd-56ef-1234567890ab";
    final S3Client s3 = AwsClients.build(S3Client.builder());

    @AfterEach
    void noKey() {
        System.clearProperty("REPORT_KMS_KEY_ARN");
    }

    private HeadObjectResponse write(String key) {
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(BUCKET))) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
        ReportFiles.put(s3, BUCKET, key, "a,b\r\n".getBytes(StandardCharsets.UTF_8), "text/csv");
        return s3.headObject(b -> b.bucket(BUCKET).key(key));
    }

    @Test
    void withAReportKeyTheFilesAreEncryptedUnderIt() {
        System.setProperty("REPORT_KMS_KEY_ARN", KEY);

        HeadObjectResponse head = write("data-monitor/encrypted.csv");

        assertEquals(ServerSideEncryption.AWS_KMS, head.serverSideEncryption());
        assertEquals(KEY, head.ssekmsKeyId());
    }

    @Test
    void withoutOneTheyAreEncryptedWithS3sOwnKeys() {
        HeadObjectResponse head = write("data-monitor/plain.csv");

        assertEquals(ServerSideEncryption.AES256, head.serverSideEncryption());
    }
}
