package com.omc.flywheel.local.athena;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The caller's IAM permissions on each Glue and S3 access a CTAS makes on its behalf (Athena uses the
 * caller's credentials for them): each access is given to the {@link AthenaCtasStandIn.OnBehalf} hook
 * as the call the caller would make itself, and a refusal becomes the failure Athena reports.
 */
final class OnBehalfAccess {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AthenaCtasStandIn.OnBehalf iam;
    private final AwsProxy.Call caller;

    /**
     * @param iam    the permission check
     * @param caller the caller's StartQueryExecution (whose principal the accesses are checked as)
     */
    OnBehalfAccess(AthenaCtasStandIn.OnBehalf iam, AwsProxy.Call caller) {
        this.iam = iam;
        this.caller = caller;
    }

    void getDatabase(String db) throws AthenaFailure {
        glue("GetDatabase", JSON.createObjectNode().put("Name", db));
    }

    void getTable(String db, String table) throws AthenaFailure {
        glue("GetTable", JSON.createObjectNode().put("DatabaseName", db).put("Name", table));
    }

    void getPartitions(String db, String table) throws AthenaFailure {
        glue("GetPartitions", JSON.createObjectNode().put("DatabaseName", db).put("TableName", table));
    }

    void createTable(String db, String table) throws AthenaFailure {
        glue("CreateTable", JSON.createObjectNode().put("DatabaseName", db)
                .set("TableInput", JSON.createObjectNode().put("Name", table)));
    }

    /** Listing the folder {@code folder} (given as written, {@code location}, for the message). */
    void list(S3Path folder, String location) throws AthenaFailure {
        s3("GET", folder.bucket(), "", "list-type=2&prefix=" + enc(folder.key()), location);
    }

    void read(S3Path object) throws AthenaFailure {
        s3("GET", object.bucket(), object.key(), null, object.url());
    }

    void write(S3Path object) throws AthenaFailure {
        s3("PUT", object.bucket(), object.key(), null, object.url());
    }

    /** Writing a file of the query's results (its data manifest): Athena's own message for a refusal. */
    void writeResult(S3Path object) throws AthenaFailure {
        Optional<String> denied = iam.denied(caller, s3Call("PUT", object.bucket(), object.key(), null));
        if (denied.isPresent()) {
            throw new AthenaFailure(AthenaFailure.USER_ERROR, "Access denied when writing output to url: "
                    + object.url() + " . Please ensure you are allowed to access the S3 bucket. If you are encrypting "
                    + "query results with KMS key, please ensure you are allowed to access your KMS key ("
                    + denied.get() + ")", false);
        }
    }

    private void glue(String operation, ObjectNode body) throws AthenaFailure {
        AwsProxy.Call access = new AwsProxy.Call("glue", operation, "POST", "/", null, bytes(body), Map.of());
        Optional<String> denied = iam.denied(caller, access);
        if (denied.isPresent()) {
            throw new AthenaFailure(AthenaFailure.USER_ERROR, "Insufficient permissions to execute the query. "
                    + denied.get() + " (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException)",
                    false);
        }
    }

    private void s3(String method, String bucket, String key, String query, String path) throws AthenaFailure {
        Optional<String> denied = iam.denied(caller, s3Call(method, bucket, key, query));
        if (denied.isPresent()) {
            throw new AthenaFailure(AthenaFailure.USER_ERROR, "Permission denied on S3 path: " + path + " ("
                    + denied.get() + " (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied))", false);
        }
    }

    /** The S3 call the caller would make itself (path-style), for the IAM check. */
    private static AwsProxy.Call s3Call(String method, String bucket, String key, String query) {
        String path = "/" + bucket + (key == null || key.isEmpty() ? "" : "/" + enc(key).replace("%2F", "/"));
        String operation = method.equals("PUT") ? "PutObject"
                : key == null || key.isEmpty() ? "ListObjectsV2" : "GetObject";
        return new AwsProxy.Call("s3", operation, method, path, query, new byte[0], Map.of("host", "localhost"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
