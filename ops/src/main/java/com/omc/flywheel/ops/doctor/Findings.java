package com.omc.flywheel.ops.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The findings of one doctor run, in the order the checks made them. */
final class Findings {
    private static final Set<String> DENIED = Set.of("AccessDenied", "AccessDeniedException", "AuthorizationError",
            "UnauthorizedOperation", "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
            "ExpiredTokenException");

    /** A check's body: AWS calls that may throw. */
    interface Body {
        void run();
    }

    private final List<Finding> list = new ArrayList<>();

    void add(Finding finding) {
        list.add(finding);
    }

    void ok(String check, String subject, String detail) {
        add(Finding.ok(check, subject, detail));
    }

    void warn(String check, String subject, String detail, String fix) {
        add(Finding.warn(check, subject, detail, fix));
    }

    void fail(String check, String subject, String detail, String fix) {
        add(Finding.fail(check, subject, detail, fix));
    }

    List<Finding> all() {
        return List.copyOf(list);
    }

    /**
     * Runs one check. A call the caller may not make, or any other error, becomes a WARN saying the
     * check could not be made and why: a check never passes because it could not look.
     */
    void guard(String check, String subject, Body body) {
        try {
            body.run();
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            if (DENIED.contains(code) || e.statusCode() == 403) {
                warn(check, subject, "could not check: not allowed (" + code + ": " + message + ")",
                        "run doctor with credentials that may read it (the deployer's role), or check it by hand");
            } else if (e.statusCode() == 501) {
                warn(check, subject, "could not check: the endpoint does not implement the call (" + message + ")",
                        "check it by hand in the console");
            } else {
                warn(check, subject, "could not check: " + code + " " + message,
                        "retry; if it persists, check it by hand");
            }
        } catch (SdkClientException e) {
            warn(check, subject, "could not check: " + e.getMessage(), "check the network, the region and the "
                    + "credentials, then retry");
        }
    }
}
