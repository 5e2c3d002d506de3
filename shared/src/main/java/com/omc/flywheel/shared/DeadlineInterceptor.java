package com.omc.flywheel.shared;

import java.time.Duration;
import java.util.OptionalLong;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Makes every SDK call end before the Lambda invocation does. While an invocation runs
 * ({@link InvocationDeadline}), each request's call timeout becomes
 * {@code min(configured call timeout, remaining time - margin)} and its attempt timeout
 * {@code min(configured attempt timeout, that)}, so a slow or retried call fails with
 * {@link ApiCallTimeoutException} (transient: the step is retried) and the handler still answers,
 * instead of Lambda killing the invocation with {@code Sandbox.Timedout}. With less than the margin
 * left the call is not sent at all. Outside an invocation (tests calling services directly,
 * SnapStart priming) the configured timeouts apply unchanged.
 *
 * <p>The SDK (2.40.2) reads both timeouts from the request that {@code modifyRequest} returns:
 * {@code BaseSyncClientHandler} hands the modified request to the pipeline as its
 * "original request", and {@code ApiCallTimeoutTrackingStage} / {@code ApiCallAttemptTimeoutTrackingStage}
 * take {@code RequestExecutionContext.requestConfig()}, that request's override configuration,
 * before the client's. {@code DeadlineInterceptorTest} proves it against a slow server.
 */
final class DeadlineInterceptor implements ExecutionInterceptor {
    private final Duration callTimeout;
    private final Duration attemptTimeout;
    private final long marginMillis;

    DeadlineInterceptor(Duration callTimeout, Duration attemptTimeout, long marginMillis) {
        this.callTimeout = callTimeout;
        this.attemptTimeout = attemptTimeout;
        this.marginMillis = marginMillis;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes executionAttributes) {
        SdkRequest request = context.request();
        OptionalLong remaining = InvocationDeadline.remainingMillis();
        if (remaining.isEmpty() || !(request instanceof AwsRequest aws)) {
            return request;
        }
        long budget = remaining.getAsLong() - marginMillis;
        String operation = request.getClass().getSimpleName().replaceFirst("Request$", "");
        if (budget <= 0) {
            // A timeout of 0 would mean "none" to the SDK: fail now, the way a timed-out call fails.
            throw ApiCallTimeoutException.builder().message(operation + " was not sent: the Lambda invocation has "
                    + remaining.getAsLong() + " ms left, less than the " + marginMillis + " ms kept to answer").build();
        }
        AwsRequestOverrideConfiguration existing = aws.overrideConfiguration().orElse(null);
        Duration call = min(existing != null && existing.apiCallTimeout().isPresent()
                ? existing.apiCallTimeout().get() : callTimeout, Duration.ofMillis(budget));
        Duration attempt = min(existing != null && existing.apiCallAttemptTimeout().isPresent()
                ? existing.apiCallAttemptTimeout().get() : attemptTimeout, call);
        AwsRequestOverrideConfiguration.Builder override = existing == null ? AwsRequestOverrideConfiguration.builder()
                : existing.toBuilder();
        return aws.toBuilder().overrideConfiguration(override.apiCallTimeout(call).apiCallAttemptTimeout(attempt)
                .build())
                .build();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
