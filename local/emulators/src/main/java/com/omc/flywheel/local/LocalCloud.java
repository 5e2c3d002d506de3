package com.omc.flywheel.local;

import com.omc.flywheel.local.athena.AthenaCtasStandIn;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.ApiActions;
import com.omc.flywheel.local.iam.AuthorizationReference;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.iam.EncryptionKeys;
import com.omc.flywheel.local.iam.IamEnforcer;
import com.omc.flywheel.local.iam.IamUsage;
import com.omc.flywheel.local.iam.NodePackages;
import com.omc.flywheel.local.lambda.LocalLambdas;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.proxy.AwsProxy;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything AWS this suite needs, on this machine: one endpoint (an {@link AwsProxy} on a free
 * loopback port) in front of moto_server (which executes state machines and calls their
 * integrations back through that endpoint), the Clean Rooms / Entity Resolution stand-in (calls
 * signed for those services are routed to it), Athena's CTAS executed for real ({@link AthenaCtasStandIn};
 * moto's Athena runs nothing), and the real handlers answering Lambda Invoke ({@link LocalLambdas}).
 * Every call is counted by the proxy. Used by the state machine tests and by {@code bin/flywheel local-run}.
 */
public final class LocalCloud implements AutoCloseable {
    private final AwsProxy front;
    private final MotoServer moto;
    private final CleanRoomsStandIn standIn;
    private final LocalLambdas lambdas = new LocalLambdas();
    private final DeployedStack stack;
    private final IamEnforcer iam;
    private final AthenaCtasStandIn ctas;

    private LocalCloud(AwsProxy front, MotoServer moto, CleanRoomsStandIn standIn, DeployedStack stack, IamEnforcer iam,
                       AthenaCtasStandIn ctas) {
        this.front = front;
        this.moto = moto;
        this.standIn = standIn;
        this.stack = stack;
        this.iam = iam;
        this.ctas = ctas;
    }

    /** The local cloud of the repository around the working directory ({@link SampleEvents#repoRoot()}). */
    public static LocalCloud start() {
        return start(SampleEvents.repoRoot());
    }

    /**
     * Starts the local cloud, with IAM enforced: the roles and statements {@code repo/template.yaml}
     * deploys, authorized with AWS's authorization reference (installed by npm ci when missing).
     */
    public static LocalCloud start(java.nio.file.Path repo) {
        NodePackages.ensureInstalled(repo);
        DeployedStack stack = DeployedStack.local(repo.resolve("template.yaml"));
        AuthorizationReference reference = AuthorizationReference.installedIn(repo);
        AwsProxy front = AwsProxy.start(null);
        MotoServer moto = null;
        try {
            moto = MotoServer.start(front.endpointUri().getPort());
            front.target(moto.endpoint());
            GlueClient glue = GlueClient.builder().region(Region.of(MotoServer.REGION))
                    .endpointOverride(java.net.URI.create(moto.endpoint()))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                    .build();
            CleanRoomsStandIn standIn = CleanRoomsStandIn.start(glue);
            front.route("cleanrooms", standIn.endpoint());
            front.route("entityresolution", standIn.endpoint());
            // Service Quotas is not emulated: say so (501, not retried) rather than let moto answer 500.
            front.addStandIn(call -> "servicequotas".equals(call.service())
                    ? java.util.Optional.of(AwsProxy.Reply.awsError(501, "NotImplementedException",
                            "Service Quotas is not emulated on this machine: the quotas are read in AWS only"))
                    : java.util.Optional.empty());
            EncryptionKeys keys = new EncryptionKeys(moto.endpoint(), MotoServer.REGION, MotoServer.ACCOUNT_ID);
            IamEnforcer iam = new IamEnforcer(stack, new ApiActions(reference, MotoServer.REGION, MotoServer.ACCOUNT_ID,
                    keys.around(new ApiActions.Lookups() {
                        @Override
                        public java.util.Optional<String> collaborationArn(String collaborationId) {
                            return standIn.collaborationArn(collaborationId);
                        }

                        @Override
                        public java.util.Optional<String> schemaAssociationArn(String collaborationId,
                                String schemaName) {
                            return standIn.schemaAssociationArn(collaborationId, schemaName);
                        }
                    })));
            front.authorizer(iam, iam);
            // What IAM allowed, for bin/flywheel iam-report: under Maven's tests one file per JVM
            // (target/iam-usage/<pid>.jsonl); local-run names its own. Written when the cloud closes.
            IamUsage.defaultFile().ifPresent(iam.usage()::writeTo);
            // Athena's CTAS reads and writes moto's Glue and S3 directly; the caller's rights on what it
            // touches are checked by the IAM check, as Athena uses the caller's credentials for them.
            S3Client s3 = S3Client.builder().region(Region.of(MotoServer.REGION))
                    .endpointOverride(java.net.URI.create(moto.endpoint())).forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                    .build();
            AthenaCtasStandIn ctas = new AthenaCtasStandIn(glue, s3, moto.endpoint(), iam::authorizeOnBehalf);
            LocalCloud cloud = new LocalCloud(front, moto, standIn, stack, iam, ctas);
            front.addRule(cloud.lambdas);
            // Answers of the proxy itself never reach the IAM check's observer: tell it each CTAS's workgroup.
            front.addStandIn(call -> {
                java.util.Optional<AwsProxy.Reply> reply = ctas.apply(call);
                reply.ifPresent(r -> iam.apply(call, r));
                return reply;
            });
            cloud.enableStepFunctions();
            return cloud;
        } catch (RuntimeException e) {
            if (moto != null) {
                moto.close();
            }
            front.close();
            throw e;
        }
    }

    /** Points every SDK client built after this (through the SDK's system properties) at this cloud. */
    public LocalCloud asDefaultEndpoint() {
        System.setProperty("aws.endpointUrl", endpoint());
        System.setProperty("aws.region", MotoServer.REGION);
        System.setProperty("aws.accessKeyId", "local");
        // Distinctive, so a test can prove it never reaches a log line.
        System.setProperty("aws.secretAccessKey", "local-secret-never-logged");
        return this;
    }

    public String endpoint() {
        return front.endpoint();
    }

    public AwsProxy proxy() {
        return front;
    }

    public MotoServer moto() {
        return moto;
    }

    public CleanRoomsStandIn cleanRooms() {
        return standIn;
    }

    public LocalLambdas lambdas() {
        return lambdas;
    }

    /** Athena's CTAS, run for real against moto's Glue and S3. */
    public AthenaCtasStandIn athenaCtas() {
        return ctas;
    }

    /** The local IAM check: its denials and unmapped calls. */
    public IamEnforcer iam() {
        return iam;
    }

    /** The template as deployed locally: roles, functions' timeouts and memory. */
    public DeployedStack stack() {
        return stack;
    }

    /**
     * Clears moto and the stand-in (every execution, job run and table of the last test) and the
     * call counts; the registered functions stay.
     */
    public void reset() {
        moto.reset();
        standIn.reset();
        ctas.reset();
        enableStepFunctions();
        front.resetCounts();
        lambdas.resetCounts();
        iam.reset();
    }

    private void enableStepFunctions() {
        moto.post("/moto-api/config", "{\"stepfunctions\":{\"execute_state_machine\":true}}");
    }

    @Override
    public void close() {
        try {
            iam.usage().flush();
        } catch (RuntimeException e) {
            System.err.println("LocalCloud: " + e.getMessage() + " (" + e.getCause() + ")");
        }
        standIn.close();
        moto.close();
        front.close();
    }
}
