package com.omc.flywheel.local.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.NodePackages;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bin/flywheel invoke}: runs one handler once in this fresh JVM, the way Lambda would, with no
 * Docker. Init (the no-argument constructor, where clients are built) then one request; the result
 * JSON on standard output and exit 0, or the error object
 * {@code {"errorType": "<simple class name>", "errorMessage": "..."}} and exit 1. Logs go to
 * standard error, as the functions write them. As on Lambda, the handler is stopped at
 * TIMEOUT_SECONDS (template.yaml's Timeout, which bin/flywheel passes) with the error
 * {@code Sandbox.Timedout}, a response over 6 MB is {@code Function.ResponseSizeTooLarge}, and an
 * event over 6 MB is refused ({@code RequestEntityTooLargeException}).
 *
 * <p>Arguments: {@code HANDLER_CLASS EVENT_FILE FUNCTION_NAME TIMEOUT_SECONDS MEMORY_MB}.
 */
public final class LocalInvoke {
    private LocalInvoke() {
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: LocalInvoke HANDLER_CLASS EVENT_FILE FUNCTION_NAME TIMEOUT_SECONDS MEMORY_MB");
            System.exit(2);
        }
        PrintStream stdout = System.out;
        // Anything a handler prints goes to stderr, as in CloudWatch; stdout carries only the answer.
        System.setOut(System.err);
        LocalIam iam = LocalIam.inFrontOfTheEndpoint(args[2]);
        int code = run(args[0], Path.of(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                stdout);
        if (iam != null) {
            code = iam.report(code);
        }
        stdout.flush();
        System.exit(code);
    }

    static int run(String handlerClass, Path event, String functionName, int timeoutSeconds, int memoryMb,
                   PrintStream out) {
        byte[] body;
        try {
            body = Files.readAllBytes(event);
        } catch (IOException e) {
            out.println(errorJson("EventFileNotFound", "cannot read the event file " + event + ": " + e.getMessage()));
            return 1;
        }
        if (body.length > LambdaLimits.MAX_REQUEST_BYTES) {
            // The Invoke API refuses it (HTTP 413) before any function runs.
            out.println(errorJson("RequestEntityTooLargeException", LambdaLimits.requestTooLargeMessage()));
            return 1;
        }
        try {
            long t0 = System.nanoTime();
            RequestStreamHandler handler = (RequestStreamHandler) Class.forName(handlerClass)
                    .getDeclaredConstructor().newInstance();
            long t1 = System.nanoTime();
            // The handler runs on a thread of its own, stopped at the function's timeout as Lambda stops it.
            LocalContext context = new LocalContext(functionName, timeoutSeconds, memoryMb);
            LambdaLimits.Outcome outcome = LambdaLimits.run(handler, body, context);
            if (System.getenv("FLYWHEEL_TIMINGS") != null) {
                // Lambda's split: init (class loading, clients) and the first invoke.
                System.err.println("FLYWHEEL_TIMINGS initMs=" + (t1 - t0) / 1_000_000 + " invokeMs="
                        + (System.nanoTime() - t1) / 1_000_000);
            }
            if (outcome instanceof LambdaLimits.TimedOut) {
                System.err.println("the invocation was stopped at the function's timeout of " + timeoutSeconds
                        + " s (template.yaml Timeout)");
                out.println(LambdaLimits.timedOut(context.getAwsRequestId(), timeoutSeconds));
                return 1;
            }
            if (outcome instanceof LambdaLimits.Threw threw) {
                return fail(threw.error(), out);
            }
            byte[] result = ((LambdaLimits.Returned) outcome).response();
            if (result.length > LambdaLimits.MAX_RESPONSE_BYTES) {
                out.println(LambdaLimits.responseTooLarge());
                return 1;
            }
            out.println(new String(result, StandardCharsets.UTF_8));
            return 0;
        } catch (InvocationTargetException e) {
            return fail(e.getCause(), out);
        } catch (Throwable e) {
            return fail(e, out);
        }
    }

    /**
     * The local IAM check for one invoke: a proxy in front of the endpoint the SDK would call
     * ({@code AWS_ENDPOINT_URL}), authorizing every call as the function's role from template.yaml.
     * Off with {@code FLYWHEEL_LOCAL_IAM=off}, or when no endpoint is set (a call to real AWS is
     * authorized by AWS itself).
     */
    static final class LocalIam {
        private final com.omc.flywheel.local.iam.IamEnforcer enforcer;
        private final AwsProxy proxy;
        private final String function;

        private LocalIam(com.omc.flywheel.local.iam.IamEnforcer enforcer, AwsProxy proxy, String function) {
            this.enforcer = enforcer;
            this.proxy = proxy;
            this.function = function;
        }

        static LocalIam inFrontOfTheEndpoint(String function) {
            String endpoint = System.getProperty("aws.endpointUrl", System.getenv("AWS_ENDPOINT_URL"));
            if (endpoint == null || endpoint.isBlank() || "off".equalsIgnoreCase(System.getenv("FLYWHEEL_LOCAL_IAM"))) {
                return null;
            }
            Path repo = SampleEvents.repoRoot();
            NodePackages.ensureInstalled(repo);
            var stack = com.omc.flywheel.local.iam.DeployedStack.local(repo.resolve("template.yaml"));
            var actions = new com.omc.flywheel.local.iam.ApiActions(
                    com.omc.flywheel.local.iam.AuthorizationReference.installedIn(repo), MotoServer.REGION,
                            MotoServer.ACCOUNT_ID,
                    // No KMS lookups (EncryptionKeys): invoke runs on the function's own classpath, which
                    // may lack the S3, SNS and KMS clients; local-run and the tests check KMS use.
                    new com.omc.flywheel.local.iam.ApiActions.Lookups() {
                        @Override
                        public java.util.Optional<String> collaborationArn(String collaborationId) {
                            return java.util.Optional.empty();
                        }

                        @Override
                        public java.util.Optional<String> schemaAssociationArn(String collaborationId,
                                String schemaName) {
                            return java.util.Optional.empty();
                        }
                    });
            var enforcer = new com.omc.flywheel.local.iam.IamEnforcer(stack, actions);
            AwsProxy proxy = AwsProxy.start(endpoint);
            proxy.authorizer(enforcer, enforcer);
            System.setProperty("aws.endpointUrl", proxy.endpoint());
            System.setProperty(com.omc.flywheel.local.iam.PrincipalHeader.PROPERTY, function);
            return new LocalIam(enforcer, proxy, function);
        }

        /** Says on standard error what IAM allowed and refused; an unmapped call fails the invoke. */
        int report(int code) {
            System.err.println("local IAM (" + function + "'s role, template.yaml): calls checked " + enforcer.checked()
                    + ", denied " + enforcer.describeDenials() + (enforcer.unmapped().isEmpty() ? "" : ", UNMAPPED "
                    + enforcer.unmapped()));
            proxy.close();
            if (enforcer.checked().containsKey("operator")) {
                // Every call here is the function's: one without its mark would have gone unchecked.
                System.err.println("local IAM: " + enforcer.checked().get("operator")
                        + " call(s) did not say whose they were"
                        + " (the PrincipalHeader interceptor did not run): they were not authorized");
                return 1;
            }
            return enforcer.unmapped().isEmpty() ? code : 1;
        }
    }

    private static int fail(Throwable e, PrintStream out) {
        if (isFlywheelError(e)) {
            // An error the design raises (bad input, a missing resource, ...): its message says it all.
            System.err.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        } else {
            e.printStackTrace(System.err);
        }
        out.println(errorJson(e.getClass().getSimpleName(), e.getMessage() == null ? e.toString() : e.getMessage()));
        return 1;
    }

    /** One of the typed errors of the functions' contract ({@code shared}'s FlywheelException and its kinds). */
    private static boolean isFlywheelError(Throwable e) {
        for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("com.omc.flywheel.shared.errors.FlywheelException")) {
                return true;
            }
        }
        return false;
    }

    /** The error object of the functions' contract: {"errorType", "errorMessage"}. */
    static String errorJson(String type, String message) {
        return LambdaLimits.errorJson(type, message);
    }
}
