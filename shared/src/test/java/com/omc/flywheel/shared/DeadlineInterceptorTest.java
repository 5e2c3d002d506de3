package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;

/**
 * SDK calls follow the Lambda invocation's remaining time: a call made with 2.5 s left against an
 * endpoint that answers after 4 s fails with ApiCallTimeoutException before the invocation's end,
 * although the configured timeouts (30 s an attempt, 120 s a call) would have let it wait and
 * succeed, as the same call does outside an invocation.
 *
 * <p>The margin this test configures (1.5 s of the 2.5 s) is kept for the handler to answer: the call
 * gets the first second, so it ends 1.5 s before the invocation does, and that is the slack a slow
 * timer or a busy machine has before the test would call the deadline missed.
 */
class DeadlineInterceptorTest {
    /** How long the slow endpoint takes to answer: longer than the invocation has, far less than the configured
    * timeouts. */
    private static final long SLOW_MILLIS = 4_000;
    private static final long MARGIN_MILLIS = 1_500;
    private static final List<String> SET_PROPERTIES = new ArrayList<>();

    private HttpServer server;
    private ExecutorService serverThreads;
    private final AtomicInteger requests = new AtomicInteger();
    private S3Client s3;

    @BeforeAll
    static void configure() {
        setIfAbsent("aws.region", "us-east-1");
        setIfAbsent("aws.accessKeyId", "local");
        setIfAbsent("aws.secretAccessKey", "local");
        setIfAbsent("FLYWHEEL_DEADLINE_MARGIN_MILLIS", String.valueOf(MARGIN_MILLIS));
    }

    @AfterAll
    static void restore() {
        SET_PROPERTIES.forEach(System::clearProperty);
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
            SET_PROPERTIES.add(name);
        }
    }

    @BeforeEach
    void slowEndpoint() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "slow-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            try {
                Thread.sleep(SLOW_MILLIS);
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
        assertEquals(String.valueOf(MARGIN_MILLIS), System.getProperty("FLYWHEEL_DEADLINE_MARGIN_MILLIS"),
                "the margin this test is written for");
        s3 = AwsClients.build(S3Client.builder().forcePathStyle(true)
                .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort())));
    }

    @AfterEach
    void stop() {
        s3.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void aCallWithTwoSecondsLeftFailsWithinThemInsteadOfWaitingForTheConfiguredTimeouts() {
        long remaining = 2_500;
        long start = System.nanoTime();
        try (InvocationDeadline.Scope invocation = InvocationDeadline.begin(remaining)) {
            ApiCallTimeoutException e = assertThrows(ApiCallTimeoutException.class,
                    () -> s3.headBucket(b -> b.bucket("slow-bucket")));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis < remaining, "the call ended after " + tookMillis + " ms, past the invocation's "
                    + remaining + " ms: " + e.getMessage());
            // A timer never fires early: the call had its whole budget (the time left less the margin),
            // so what ended it is the deadline, not some other failure.
            assertTrue(tookMillis >= remaining - MARGIN_MILLIS - 50, "the call ended after only " + tookMillis
                    + " ms, before its budget of " + (remaining - MARGIN_MILLIS) + " ms: " + e.getMessage());
        }
        assertTrue(requests.get() >= 1, "the call was sent, then cut short: " + requests.get());
    }

    @Test
    void outsideAnInvocationTheSameCallWaitsForTheAnswerUnderTheConfiguredTimeouts() {
        assertTrue(InvocationDeadline.remainingMillis().isEmpty());
        assertEquals(200, s3.headBucket(b -> b.bucket("slow-bucket")).sdkHttpResponse().statusCode());
        assertEquals(1, requests.get());
    }

    @Test
    void withLessThanTheMarginLeftTheCallIsNotSentAtAll() {
        try (InvocationDeadline.Scope invocation = InvocationDeadline.begin(MARGIN_MILLIS - 100)) {
            ApiCallTimeoutException e = assertThrows(ApiCallTimeoutException.class,
                    () -> s3.headBucket(b -> b.bucket("slow-bucket")));
            assertTrue(e.getMessage().contains("HeadBucket was not sent"), e.getMessage());
        }
        assertEquals(0, requests.get());
    }

    @Test
    void theRequestsTimeoutsAreTheSmallerOfTheConfiguredOnesAndTheTimeLeft() {
        DeadlineInterceptor interceptor = new DeadlineInterceptor(Duration.ofSeconds(120), Duration.ofSeconds(30),
                3_000);
        HeadBucketRequest plain = HeadBucketRequest.builder().bucket("b").build();
        assertSame(plain, modify(interceptor, plain), "no invocation: the request is left alone");

        try (InvocationDeadline.Scope invocation = InvocationDeadline.begin(60_000)) {
            AwsRequestOverrideConfiguration o = override(modify(interceptor, plain));
            long call = o.apiCallTimeout().orElseThrow().toMillis();
            assertTrue(call <= 57_000 && call > 50_000, "call timeout " + call);
            assertEquals(Duration.ofSeconds(30), o.apiCallAttemptTimeout().orElseThrow());

            HeadBucketRequest tight = plain.toBuilder().overrideConfiguration(c ->
                    c.apiCallTimeout(Duration.ofSeconds(5))
                    .putHeader("x-kept", "yes")).build();
            AwsRequestOverrideConfiguration kept = override(modify(interceptor, tight));
            assertEquals(Duration.ofSeconds(5), kept.apiCallTimeout().orElseThrow(),
                    "a smaller per-request timeout stays");
            assertEquals(Duration.ofSeconds(5), kept.apiCallAttemptTimeout().orElseThrow(),
                    "no attempt outlives its call");
            assertEquals(List.of("yes"), kept.headers().get("x-kept"), "the rest of the request's override stays");
        }
        try (InvocationDeadline.Scope invocation = InvocationDeadline.begin(13_000)) {
            AwsRequestOverrideConfiguration o = override(modify(interceptor, plain));
            assertTrue(o.apiCallTimeout().orElseThrow().toMillis() <= 10_000, o.toString());
            assertEquals(o.apiCallTimeout(), o.apiCallAttemptTimeout(), "the attempt is cut to the call's budget too");
        }
    }

    @Test
    void theHandlerRecordsTheDeadlineForItsOwnAndItsWorkerThreadsOnlyWhileTheRequestRuns() throws Exception {
        ExecutorService workers = Executors.newSingleThreadExecutor();
        try {
            workers.submit(() -> { }).get(); // the worker exists before the request, as a pool built at init
            List<OptionalLong> seen = new ArrayList<>();
            JsonHandler<PrimingTest.Ping, PrimingTest.Ping> handler =
                    new JsonHandler<>("deadline-test", PrimingTest.Ping.class) {
                @Override
                protected PrimingTest.Ping handle(PrimingTest.Ping event, Context context) {
                    seen.add(InvocationDeadline.remainingMillis());
                    try {
                        seen.add(workers.submit(InvocationDeadline::remainingMillis).get());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return event;
                }
            };
            invoke(handler, context(30_000));
            assertEquals(2, seen.size());
            for (OptionalLong remaining : seen) {
                assertTrue(remaining.isPresent() && remaining.getAsLong() <= 30_000 && remaining.getAsLong() > 20_000,
                        seen.toString());
            }
            assertFalse(InvocationDeadline.remainingMillis().isPresent(), "the request is over");
            assertFalse(workers.submit(InvocationDeadline::remainingMillis).get().isPresent());

            seen.clear();
            invoke(handler, null);
            assertEquals(List.of(OptionalLong.empty(), OptionalLong.empty()), seen, "no context, no deadline");
        } finally {
            workers.shutdownNow();
        }
    }

    private static void invoke(JsonHandler<?, ?> handler, Context context) throws Exception {
        handler.handleRequest(new ByteArrayInputStream("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), context);
    }

    private static SdkRequest modify(DeadlineInterceptor interceptor, SdkRequest request) {
        return interceptor.modifyRequest(() -> request, new ExecutionAttributes());
    }

    private static AwsRequestOverrideConfiguration override(SdkRequest request) {
        return ((HeadBucketRequest) request).overrideConfiguration().orElseThrow();
    }

    /** A Lambda context with {@code remainingMillis} left when it is made. */
    private static Context context(long remainingMillis) {
        long deadline = System.currentTimeMillis() + remainingMillis;
        return new Context() {
            @Override
            public String getAwsRequestId() {
                return "req-1";
            }

            @Override
            public String getLogGroupName() {
                return null;
            }

            @Override
            public String getLogStreamName() {
                return null;
            }

            @Override
            public String getFunctionName() {
                return "deadline-test";
            }

            @Override
            public String getFunctionVersion() {
                return "$LATEST";
            }

            @Override
            public String getInvokedFunctionArn() {
                return null;
            }

            @Override
            public CognitoIdentity getIdentity() {
                return null;
            }

            @Override
            public ClientContext getClientContext() {
                return null;
            }

            @Override
            public int getRemainingTimeInMillis() {
                return (int) Math.max(0, deadline - System.currentTimeMillis());
            }

            @Override
            public int getMemoryLimitInMB() {
                return 512;
            }

            @Override
            public LambdaLogger getLogger() {
                return null;
            }
        };
    }
}
