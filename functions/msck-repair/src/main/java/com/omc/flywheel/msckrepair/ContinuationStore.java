package com.omc.flywheel.msckrepair;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Settings;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * msck-repair's state between calls in S3, so neither the token nor the answer grows with the number
 * of tables: {@code msck-repair/.in-progress/<id>.json.gz} (the {@link Continuation}; the token is
 * {@code s3:<key>}) and {@code msck-repair/results/<id>.json} (every table's outcome, for
 * {@code compactResult}); a shadow run's under {@code msck-repair/shadow/}. Objects are encrypted as the
 * reports are ({@code REPORT_KMS_KEY_ARN} for SSE-KMS, else SSE-S3).
 */
final class ContinuationStore {
    static final String TOKEN_PREFIX = "s3:";
    static final String STATE_PREFIX = "msck-repair/.in-progress/";
    static final String RESULTS_PREFIX = "msck-repair/results/";
    static final String SHADOW_ROOT = "msck-repair/shadow/";
    private static final Pattern STATE_KEY = Pattern.compile(
            "^msck-repair/(shadow/)?\\.in-progress/[0-9a-f-]{36}\\.json\\.gz$");
    private static final JsonLog LOG = JsonLog.forFunction("msck-repair");
    private final S3Client s3;
    private final String bucket;

    ContinuationStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    String bucket() {
        return bucket;
    }

    static boolean isStoredToken(String token) {
        return token != null && token.startsWith(TOKEN_PREFIX);
    }

    /** A new state key, for a call that starts a chain (a shadow run's under {@code msck-repair/shadow/}). */
    static String newStateKey(boolean shadow) {
        return (shadow ? SHADOW_ROOT + ".in-progress/" : STATE_PREFIX) + UUID.randomUUID() + ".json.gz";
    }

    /** The key of the token, checked: a token names only a state object of msck-repair. */
    static String keyOf(String token) {
        String key = token.substring(TOKEN_PREFIX.length());
        if (!STATE_KEY.matcher(key).matches()) {
            throw new InvalidInputException("continuationToken", "is not a token msck-repair issued (pass the "
                    + "continuationToken of the previous IN_PROGRESS answer unchanged)");
        }
        return key;
    }

    /** The results key of the chain whose state key is {@code stateKey}. */
    static String resultsKey(String stateKey) {
        boolean shadow = stateKey.startsWith(SHADOW_ROOT);
        String in = shadow ? SHADOW_ROOT + ".in-progress/" : STATE_PREFIX;
        String id = stateKey.substring(in.length(), stateKey.length() - ".json.gz".length());
        return (shadow ? SHADOW_ROOT + "results/" : RESULTS_PREFIX) + id + ".json";
    }

    Continuation load(String key, MsckRepairRequest request) {
        byte[] packed;
        try {
            packed = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new InvalidInputException("continuationToken", "leads to s3://" + bucket + "/" + key + ", which does "
                    + "not exist: that repair already ended (its state is deleted then) or stateBucket differs from "
                            + "the "
                    + "call that issued it. Start again without continuationToken");
        } catch (NoSuchBucketException e) {
            throw new ResourceNotFoundException("state bucket " + bucket + " does not exist; check stateBucket "
                    + "(or CONTINUATION_BUCKET)", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "S3 GetObject of msck-repair's state s3://" + bucket + "/" + key);
        }
        try {
            return Continuation.fromJson(new GZIPInputStream(new ByteArrayInputStream(packed)).readAllBytes(), request);
        } catch (IOException e) {
            throw new InvalidInputException("continuationToken", "leads to s3://" + bucket + "/" + key
                    + ", which is not state msck-repair wrote");
        }
    }

    void save(String key, Continuation state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(state.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compress msck-repair's state", e);
        }
        put(key, bytes.toByteArray(), "application/gzip");
    }

    void saveResults(String key, List<TableOutcome> outcomes) {
        try {
            put(key, Events.mapper().writeValueAsBytes(outcomes), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the table outcomes", e);
        }
    }

    /** Deletes the state of a chain that ended; a failure only leaves an object behind, so it is logged. */
    void delete(String key) {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            LOG.warn("could not delete msck-repair's state; delete it by hand or with a lifecycle rule", "bucket",
                    bucket,
                    "key", key, "error", e.getMessage());
        }
    }

    private void put(String key, byte[] body, String contentType) {
        String kms = Settings.value("REPORT_KMS_KEY_ARN", null);
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType);
        if (kms != null) {
            b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(kms);
        } else {
            b.serverSideEncryption(ServerSideEncryption.AES256);
        }
        try {
            s3.putObject(b.build(), RequestBody.fromBytes(body));
        } catch (NoSuchBucketException e) {
            throw new ResourceNotFoundException("state bucket " + bucket + " does not exist; check stateBucket "
                    + "(or CONTINUATION_BUCKET)", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "S3 PutObject of msck-repair's state s3://" + bucket + "/" + key);
        }
    }
}
