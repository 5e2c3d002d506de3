package com.omc.flywheel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each protocol's calls become the action and the resource ARNs AWS's authorization reference names. */
class ApiActionsTest {
    private static final String M = "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b";
    private static ApiActions actions;

    @BeforeAll
    static void reference() {
        NodePackages.ensureInstalled(SampleEvents.repoRoot());
        actions = new ApiActions(AuthorizationReference.installedIn(SampleEvents.repoRoot()), "us-east-1",
                "123456789012",
                new ApiActions.Lookups() {
                    @Override
                    public Optional<String> collaborationArn(String id) {
                        return Optional.of("arn:aws:cleanrooms:us-east-1:111111111111:collaboration/" + id);
                    }

                    @Override
                    public Optional<String> schemaAssociationArn(String collaborationId, String schemaName) {
                        return Optional.of("arn:aws:cleanrooms:us-east-1:123456789012:membership/" + M
                                + "/configuredtableassociation/a1");
                    }
                });
    }

    private static AwsProxy.Call json(String service, String op, String body) {
        return new AwsProxy.Call(service, op, "POST", "/", null, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static AwsProxy.Call rest(String service, String method, String path, String query, String body) {
        return new AwsProxy.Call(service, method + " " + path, method, path, query,
                body.getBytes(StandardCharsets.UTF_8),
                Map.of("host", "127.0.0.1:4566"));
    }

    @Test
    void glueTableActionsNeedTheCatalogTheDatabaseAndTheTable() {
        var a = actions.authorizations(json("glue", "GetTables", "{\"DatabaseName\":\"db\"}")).get(0);
        assertEquals("glue:GetTables", a.action());
        assertEquals(List.of("arn:aws:glue:us-east-1:123456789012:database/db",
                "arn:aws:glue:us-east-1:123456789012:catalog",
                "arn:aws:glue:us-east-1:123456789012:table/db/*"), a.resources());
        var u = actions.authorizations(json("glue", "UpdateTable",
                "{\"DatabaseName\":\"db\",\"TableInput\":{\"Name\":\"part_x\"}}"));
        assertEquals("arn:aws:glue:us-east-1:123456789012:table/db/part_x", u.get(0).resources().get(2));
    }

    @Test
    void cleanRoomsAssociationsLiveUnderTheirMembership() {
        var list = actions.authorizations(rest("cleanrooms", "GET", "/memberships/" + M
                + "/configuredTableAssociations", null, ""));
        assertEquals("cleanrooms:ListConfiguredTableAssociations", list.get(0).action());
        assertEquals(List.of("arn:aws:cleanrooms:us-east-1:123456789012:membership/" + M
                + "/configuredtableassociation/*",
                "arn:aws:cleanrooms:us-east-1:123456789012:membership/" + M), list.get(0).resources());
        var create = actions.authorizations(rest("cleanrooms", "POST", "/memberships/" + M
                + "/configuredTableAssociations", null,
                "{\"name\":\"acx_t\",\"configuredTableIdentifier\":\"ct1\",\"roleArn\":\"arn:aws:iam::123456789012:"
                        + "role/r\"}"));
        assertEquals("cleanrooms:CreateConfiguredTableAssociation", create.get(0).action());
        assertEquals("arn:aws:cleanrooms:us-east-1:123456789012:configuredtable/ct1", create.get(0).resources().get(0));
        assertEquals(new ApiActions.Authorization("iam:PassRole", List.of("arn:aws:iam::123456789012:role/r"),
                Map.of("iam:PassedToService", "cleanrooms.amazonaws.com")), create.get(1));
        var tables = actions.authorizations(rest("cleanrooms", "GET", "/configuredTables", "maxResults=100", ""));
        assertEquals(List.of("*"), tables.get(0).resources(),
                "ListConfiguredTables has no resource type: only * allows it");
        var members = actions.authorizations(rest("cleanrooms", "GET", "/collaborations/c1/members", null, ""));
        assertEquals(List.of("arn:aws:cleanrooms:us-east-1:111111111111:collaboration/c1"), members.get(0).resources());
    }

    @Test
    void lambdaInvokeS3AndSnsAsAwsAuthorizesThem() {
        var invoke = actions.authorizations(rest("lambda", "POST",
                "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3Alive/invocations",
                        null, "{}"));
        assertEquals(List.of("arn:aws:lambda:us-east-1:123456789012:function:f:live"), invoke.get(0).resources());
        var list = actions.authorizations(rest("s3", "GET", "/bucket", "list-type=2&prefix=opus%2Fa%2F&delimiter=%2F",
                ""));
        assertEquals("s3:ListBucket", list.get(0).action());
        assertEquals(List.of("arn:aws:s3:::bucket"), list.get(0).resources());
        assertEquals("opus/a/", list.get(0).context().get("s3:prefix"));
        var put = actions.authorizations(new AwsProxy.Call("s3", "PutObject", "PUT", "/bucket/a/b.csv", null,
                new byte[0],
                Map.of("host", "127.0.0.1:1", "x-amz-server-side-encryption-aws-kms-key-id", "k1")));
        assertEquals(List.of("arn:aws:s3:::bucket/a/b.csv"), put.get(0).resources());
        assertEquals("kms:GenerateDataKey", put.get(1).action());
        var publish = actions.authorizations(json("sns", "POST /",
                "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At&Message=x"));
        assertEquals(List.of("arn:aws:sns:us-east-1:123456789012:t"), publish.get(0).resources());
    }

    /** S3 and SNS use the customer managed key as the caller: the implied KMS authorizations. */
    @Test
    void encryptedTopicsAndSseKmsObjectsNeedTheKey() {
        String key = "arn:aws:kms:us-east-1:123456789012:key/TopicKey";
        ApiActions withKeys = new ApiActions(AuthorizationReference.installedIn(SampleEvents.repoRoot()), "us-east-1",
                "123456789012", new ApiActions.Lookups() {
                    @Override
                    public Optional<String> collaborationArn(String id) {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> schemaAssociationArn(String collaborationId, String schemaName) {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> topicKey(String topicArn) {
                        return topicArn.endsWith(":encrypted") ? Optional.of(key) : Optional.empty();
                    }

                    @Override
                    public Optional<String> bucketKey(String bucket) {
                        return bucket.equals("kms") ? Optional.of("k2") : Optional.empty();
                    }

                    @Override
                    public Optional<String> objectKey(String bucket, String object) {
                        return object.startsWith("sealed/") ? Optional.of(key) : Optional.empty();
                    }
                });
        var publish = withKeys.authorizations(json("sns", "POST /",
                "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aencrypted&Message=x"));
        assertEquals(List.of("sns:Publish", "kms:GenerateDataKey", "kms:Decrypt"),
                publish.stream().map(ApiActions.Authorization::action).toList());
        assertEquals(List.of(key), publish.get(1).resources());
        assertEquals(1, withKeys.authorizations(json("sns", "POST /",
                "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aplain&Message=x")).size());

        Map<String, String> host = Map.of("host", "127.0.0.1:1");
        var byDefault = withKeys.authorizations(new AwsProxy.Call("s3", "PutObject", "PUT", "/kms/a.csv", null,
                new byte[0], host));
        assertEquals(new ApiActions.Authorization("kms:GenerateDataKey",
                List.of("arn:aws:kms:us-east-1:123456789012:key/k2"), Map.of()), byDefault.get(1));
        assertEquals(2, byDefault.size());
        var multipart = withKeys.authorizations(new AwsProxy.Call("s3", "POST", "POST", "/kms/big.csv", "uploads",
                new byte[0], host));
        assertEquals(List.of("s3:PutObject", "kms:GenerateDataKey", "kms:Decrypt"),
                multipart.stream().map(ApiActions.Authorization::action).toList());
        var sseS3 = withKeys.authorizations(new AwsProxy.Call("s3", "PutObject", "PUT", "/kms/b.csv", null,
                new byte[0], Map.of("host", "127.0.0.1:1", "x-amz-server-side-encryption", "AES256")));
        assertEquals(1, sseS3.size(), "SSE-S3 asked for: no KMS key");
        assertEquals(1, withKeys.authorizations(new AwsProxy.Call("s3", "PutObject", "PUT", "/plain/a.csv", null,
                new byte[0], host)).size());

        var read = withKeys.authorizations(new AwsProxy.Call("s3", "GET", "GET", "/plain/sealed/r.json", null,
                new byte[0], host));
        assertEquals(new ApiActions.Authorization("kms:Decrypt", List.of(key), Map.of()), read.get(1));
        assertEquals(1, withKeys.authorizations(new AwsProxy.Call("s3", "HEAD", "HEAD", "/plain/sealed/r.json",
                null, new byte[0], host)).size(), "HeadObject decrypts nothing");
    }

    @Test
    void anOperationWithoutAMappingFailsLoudly() {
        assertThrows(ApiActions.UnmappedOperationException.class,
                () -> actions.authorizations(json("glue", "CreateCrawler", "{\"Name\":\"c\"}")));
        assertThrows(ApiActions.UnmappedOperationException.class,
                () -> actions.authorizations(json("kinesis", "PutRecord", "{}")));
    }
}
