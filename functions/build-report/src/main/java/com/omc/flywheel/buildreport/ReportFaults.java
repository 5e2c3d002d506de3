package com.omc.flywheel.buildreport;

import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.FlywheelException;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Every SDK failure build-report meets, as a contract error (docs/functions.md): transient ones (throttling,
 * 5xx, timeouts that outlived the SDK's retries) are {@link TransientAwsException}, which the state
 * machine retries; a missing bucket, object, table, membership or namespace is
 * {@link ResourceNotFoundException}; anything else AWS refused (access denied, validation) is
 * {@link InvalidInputException} on the event field that chose the resource, never retried.
 */
final class ReportFaults {
    private static final Set<String> NOT_FOUND = Set.of("NoSuchBucket", "NoSuchKey", "NotFound", "NotFoundException",
            "EntityNotFoundException", "ResourceNotFoundException", "NoSuchEntity");

    private ReportFaults() {
    }

    /**
     * @param what  the call and its resource, e.g. "S3 PutObject s3://bucket/key"
     * @param field the event field that chose the resource, e.g. "reportBucket"
     */
    static FlywheelException typed(SdkException e, String what, String field) {
        if (AwsFaults.isTransient(e)) {
            return new TransientAwsException(what + " failed after the SDK's retries (transient: " + e.getMessage()
                    + "); the state machine will retry this step", e);
        }
        String code = e instanceof AwsServiceException s && s.awsErrorDetails() != null
                ? s.awsErrorDetails().errorCode() : null;
        int status = e instanceof AwsServiceException s ? s.statusCode() : 0;
        String detail = e instanceof AwsServiceException s && s.awsErrorDetails() != null
                && s.awsErrorDetails().errorMessage() != null ? s.awsErrorDetails().errorMessage() : e.getMessage();
        if (status == 404 || (code != null && NOT_FOUND.contains(code))) {
            return new ResourceNotFoundException(what + " failed: it does not exist (" + code + ": " + detail
                    + "); check " + field + " in the event", e);
        }
        InvalidInputException typed = new InvalidInputException(field, what + " was refused by AWS ("
                + (code == null ? e.getClass().getSimpleName() : code) + ": " + detail + "); check " + field
                + " in the event and the function's IAM permissions");
        typed.initCause(e);
        return typed;
    }
}
