package com.omc.flywheel.shared;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * The one place SDK clients are built. Every client gets:
 * <ul>
 *   <li>the region from {@code AWS_REGION} (or {@code -Daws.region}); no lookup chain, no IMDS;</li>
 *   <li>the url-connection HTTP client, one instance shared by all clients (Apache and Netty are
 *       banned from the classpath: they cost cold start and package size);</li>
 *   <li>the standard credential chain (environment first, container credentials under SnapStart);</li>
 *   <li>the SDK's adaptive retry strategy, which backs off and rate-limits itself under throttling,
 *       with {@code FLYWHEEL_MAX_ATTEMPTS} attempts (default 5), and per-attempt and per-call
 *       timeouts so no call can hang a step;</li>
 *   <li>a {@link DeadlineInterceptor}: inside a Lambda invocation both timeouts shrink to the time
 *       the invocation has left, minus {@code FLYWHEEL_DEADLINE_MARGIN_MILLIS}, so no call outlives
 *       the invocation (it fails with ApiCallTimeoutException, and the handler still answers).</li>
 * </ul>
 * Endpoints are left to the SDK, which honours {@code AWS_ENDPOINT_URL} and
 * {@code AWS_ENDPOINT_URL_<SERVICE>}, so the same jar runs against AWS or an emulator.
 */
public final class AwsClients {
    static {
        // HttpURLConnection silently resends a POST once when the connection drops; with a
        // non-idempotent call (Glue StartJobRun) that can start a job twice. The SDK's retries, and
        // ours, decide instead.
        System.setProperty("sun.net.http.retryPost", "false");
    }

    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(Settings.intValue("FLYWHEEL_CONNECT_TIMEOUT_SECONDS", 5)))
            .socketTimeout(Duration.ofSeconds(Settings.intValue("FLYWHEEL_SOCKET_TIMEOUT_SECONDS", 30)))
            .build();

    /** url-connection for everything but PATCH; the JDK's client, built on the first PATCH, for that. */
    static final PatchRoutingHttpClient WITH_PATCH = new PatchRoutingHttpClient(HTTP, () -> new JdkHttpClient(
            Duration.ofSeconds(Settings.intValue("FLYWHEEL_CONNECT_TIMEOUT_SECONDS", 5)),
            Duration.ofSeconds(Settings.intValue("FLYWHEEL_SOCKET_TIMEOUT_SECONDS", 30))));

    private AwsClients() {
    }

    /** Builds a client from its builder, e.g. {@code AwsClients.build(GlueClient.builder())}. */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        return build(builder, HTTP, Settings.intValue("FLYWHEEL_MAX_ATTEMPTS", 5));
    }

    /**
     * A client that makes one attempt per call, for operations that are not idempotent (Glue's
     * StartJobRun): the caller retries only after checking what the failed attempt did.
     */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C buildSingleAttempt(B builder) {
        return build(builder, HTTP, 1);
    }

    /**
     * Builds a client for a service whose API uses HTTP PATCH (Clean Rooms), which the url-connection
     * client cannot send: the same configuration, with PATCH requests sent through the JDK's HTTP
     * client ({@link JdkHttpClient}, built on the first PATCH) and all others through url-connection.
     */
    public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C buildWithPatch(B builder) {
        return build(builder, WITH_PATCH, Settings.intValue("FLYWHEEL_MAX_ATTEMPTS", 5));
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>,
            C> C build(B builder, SdkHttpClient http,
                                                                                           int attempts) {
        if ("true".equals(Settings.value("FLYWHEEL_SDK_DEFAULTS", null))) {
            // The benchmark's baseline only (bench/run cold-invoke): the same handler with the SDK's
            // defaults, i.e. the HTTP client found on the classpath and the default region and
            // credential chains, as a client is commonly written.
            return builder.build();
        }
        Duration attemptTimeout = Duration.ofSeconds(Settings.intValue("FLYWHEEL_CALL_ATTEMPT_TIMEOUT_SECONDS", 30));
        Duration callTimeout = Duration.ofSeconds(Settings.intValue("FLYWHEEL_CALL_TIMEOUT_SECONDS", 120));
        ClientOverrideConfiguration override = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.adaptiveRetryStrategy().toBuilder().maxAttempts(attempts).build())
                .apiCallAttemptTimeout(attemptTimeout)
                .apiCallTimeout(callTimeout)
                // Within an invocation, both timeouts shrink to the time it has left (minus the margin).
                .addExecutionInterceptor(new DeadlineInterceptor(callTimeout, attemptTimeout, deadlineMarginMillis()))
                .build();
        return builder
                .region(region())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(http)
                .overrideConfiguration(override)
                .build();
    }

    /**
     * What an invocation keeps for itself after its last AWS call ({@code FLYWHEEL_DEADLINE_MARGIN_MILLIS},
     * default 3,000): time to turn the call's failure into the step's error, log it and answer
     * before Lambda's timeout.
     */
    static long deadlineMarginMillis() {
        return Settings.intValue("FLYWHEEL_DEADLINE_MARGIN_MILLIS", 3_000);
    }

    /** The region of every client: {@code AWS_REGION}, which Lambda always sets. */
    public static Region region() {
        String name = Settings.value("AWS_REGION", System.getProperty("aws.region"));
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("AWS_REGION is not set: set it (Lambda always does; locally export "
                    + "AWS_REGION=us-east-1) so the clients know which region to call");
        }
        return Region.of(name.trim());
    }
}
