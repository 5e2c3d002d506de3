package com.omc.flywheel.local.run;

import static com.omc.flywheel.local.run.SampleWorld.DATA;
import static com.omc.flywheel.local.run.SampleWorld.DB;
import static com.omc.flywheel.local.run.SampleWorld.ENV;
import static com.omc.flywheel.local.run.SampleWorld.REPORTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.ops.Connection;
import com.omc.flywheel.ops.doctor.Doctor;
import com.omc.flywheel.ops.doctor.DoctorCommand;
import com.omc.flywheel.ops.doctor.Finding;
import com.omc.flywheel.shared.AwsClients;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Job;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.lakeformation.LakeFormationClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * {@code bin/flywheel doctor} against the local world local-run builds (as production has it): it
 * passes there, and each misconfiguration the issue names, seeded one at a time and taken back,
 * is a WARN or a FAIL naming what it looked at, with a fix.
 */
class DoctorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MONTHLY = "omc-flywheel-" + ENV + "-db-refresh-monthly";
    private static final String REGISTER_JOB = "etl-omc-flywheel-" + ENV + "-register-part-tables";
    private static final String NOTIFICATIONS = "arn:aws:sns:us-east-1:123456789012:omc-flywheel-" + ENV
            + "-db-refresh-notifications";
    private static final String ER_ROLE = "omc-flywheel-local-RefreshErTableFunctionRole";
    private static LocalCloud cloud;

    @BeforeAll
    static void world() {
        cloud = LocalCloud.start(SampleEvents.repoRoot()).asDefaultEndpoint();
        RunOptions options = RunOptions.parse(new String[] {"--repo", SampleEvents.repoRoot().toString(),
            "--tables", "4", "--buckets", "2"});
        new SampleWorld(options).build(cloud);
        RefreshRun refresh = new RefreshRun(options, cloud, new Progress(new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        refresh.createStateMachine(refresh.input());
        LocalStack.register(options.repo());
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static List<Finding> doctor() {
        return Doctor.examine(new Connection(null, null, cloud.endpoint()), LocalStack.NAME);
    }

    /** The one finding of a check whose subject contains {@code subject}. */
    private static Finding finding(List<Finding> findings, String check, String subject) {
        List<Finding> found = findings.stream().filter(f -> f.check().equals(check) && f.subject().contains(subject))
                .toList();
        assertEquals(1, found.size(), check + " " + subject + " in\n" + lines(findings));
        return found.get(0);
    }

    private static String lines(List<Finding> findings) {
        return findings.stream().map(Finding::line).collect(Collectors.joining("\n"));
    }

    private static void assertVerdict(Finding.Status status, Finding f, String... words) {
        assertEquals(status, f.status(), f.line());
        for (String w : words) {
            assertTrue(f.line().contains(w), "'" + w + "' missing from " + f.line());
        }
    }

    /** Runs {@code body} while the monthly schedule sends the input {@code change} made, then puts it back. */
    private static void withInput(Consumer<ObjectNode> change, Runnable body) throws Exception {
        SchedulerClient scheduler = AwsClients.build(SchedulerClient.builder());
        GetScheduleResponse s = scheduler.getSchedule(b -> b.name(MONTHLY));
        ObjectNode input = (ObjectNode) JSON.readTree(s.target().input());
        change.accept(input);
        update(scheduler, s, input.toString(), s.state());
        try {
            body.run();
        } finally {
            update(scheduler, s, s.target().input(), s.state());
        }
    }

    private static void update(SchedulerClient scheduler, GetScheduleResponse s, String input, ScheduleState state) {
        scheduler.updateSchedule(b -> b.name(s.name()).scheduleExpression(s.scheduleExpression()).state(state)
                .flexibleTimeWindow(s.flexibleTimeWindow())
                .target(t -> t.arn(s.target().arn()).roleArn(s.target().roleArn()).input(input)));
    }

    /**
     * Another stack beside omc-flywheel-local with some parameters changed: its template without the
     * resources that exist once in an account (the roles, the registry), and with {@code resources}.
     */
    private static String variant(String name, Map<String, String> changes, ObjectNode resources) throws Exception {
        return variant(name, changes, resources, Map.of());
    }

    /** {@link #variant(String, Map, ObjectNode)} with some outputs changed too. */
    private static String variant(String name, Map<String, String> changes, ObjectNode resources,
                                  Map<String, String> outputs) throws Exception {
        CloudFormationClient cfn = AwsClients.build(CloudFormationClient.builder());
        Stack local = cfn.describeStacks(b -> b.stackName(LocalStack.NAME)).stacks().get(0);
        ObjectNode t = (ObjectNode) JSON.readTree(cfn.getTemplate(b -> b.stackName(LocalStack.NAME)).templateBody());
        resources.putObject("Handle").put("Type", "AWS::CloudFormation::WaitConditionHandle");
        t.set("Resources", resources);
        outputs.forEach((k, v) -> ((ObjectNode) t.get("Outputs")).putObject(k).put("Value", v));
        List<Parameter> params = local.parameters().stream().map(p -> changes.containsKey(p.parameterKey())
                ? p.toBuilder().parameterValue(changes.get(p.parameterKey())).build() : p).toList();
        cfn.createStack(b -> b.stackName(name).templateBody(t.toString()).parameters(params));
        return name;
    }

    /** A proxy rule answering a query-protocol call (its Action, naming {@code subject}) as AWS would: {@code xml}. */
    private static AwsProxy.Rule answering(String service, String action, String subject, int status, String xml) {
        return call -> service.equals(call.service())
                && new String(call.body(), StandardCharsets.UTF_8).contains("Action=" + action)
                && new String(call.body(), StandardCharsets.UTF_8).contains(subject)
                ? Optional.of(new AwsProxy.Reply(status, Map.of("Content-Type", "text/xml"),
                        xml.getBytes(StandardCharsets.UTF_8)))
                : Optional.empty();
    }

    @Test
    void theLocalWorldPassesEveryCheckAndSaysWhatItCouldNotSee() {
        List<Finding> findings = doctor();

        assertEquals(0, Doctor.exitCode(findings), lines(findings));
        Set<String> checks = findings.stream().map(Finding::check).collect(Collectors.toCollection(TreeSet::new));
        for (String check : List.of("stack", "glue.job", "glue.job.role", "glue.job.script", "athena.workgroup",
                "athena.results", "athena.results.write", "s3.bucket", "s3.encryption", "s3.public-access",
                "s3.raw-input", "catalog.database", "lakeformation", "cleanrooms.membership", "cleanrooms.members",
                "cleanrooms.quota", "cleanrooms.role", "entityresolution.namespace", "entityresolution.policy",
                "registry", "iam.role", "sns.subscriptions", "sns.key", "trigger.schedule", "trigger.snapshot",
                "refresh.executions")) {
            assertTrue(checks.contains(check), check + " not checked:\n" + lines(findings));
        }
        // Service Quotas is not emulated here: the one thing the local world cannot show, said as a WARN.
        assertEquals(List.of("cleanrooms.quota"), findings.stream().filter(f -> f.status() != Finding.Status.OK)
                .map(Finding::check).toList(), lines(findings));
        assertVerdict(Finding.Status.WARN, finding(findings, "cleanrooms.quota", SampleWorld.MEMBERSHIP),
                "could not read the account's quota (NotImplementedException)");
        assertVerdict(Finding.Status.OK, finding(findings, "glue.job", REGISTER_JOB), "MaxConcurrentRuns 2");
        assertVerdict(Finding.Status.OK, finding(findings, "iam.role", "MsckRepairFunctionRole"), "statements");
        assertVerdict(Finding.Status.OK, finding(findings, "cleanrooms.role", ProductionAccount.CLEAN_ROOMS_ROLE),
                "may read the");
    }

    @Test
    void theJsonFormIsTheSameListAndTheExitCodeFollowsTheFails() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = DoctorCommand.run(new String[] {"--endpoint", cloud.endpoint(), "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        JsonNode array = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertEquals(doctor().size(), array.size());
        assertTrue(array.get(0).has("status") && array.get(0).has("check") && array.get(0).has("subject"));

        ByteArrayOutputStream none = new ByteArrayOutputStream();
        assertEquals(1, DoctorCommand.run(new String[] {"--endpoint", cloud.endpoint(), "--stack", "no-such-stack"},
                new PrintStream(none, true, StandardCharsets.UTF_8), System.err));
        assertTrue(none.toString(StandardCharsets.UTF_8).contains("FAIL stack"), none.toString());
    }

    /** Makes the job again as {@code job} with {@code change} (moto's Glue has no working UpdateJob). */
    private static void recreate(Job job, Consumer<software.amazon.awssdk.services.glue.model.CreateJobRequest.Builder>
            change) {
        GlueClient glue = AwsClients.build(GlueClient.builder());
        glue.deleteJob(b -> b.jobName(job.name()));
        glue.createJob(b -> {
            b.name(job.name()).role(job.role()).command(job.command()).executionProperty(job.executionProperty());
            change.accept(b);
        });
    }

    @Test
    void aRegisterJobWithOneSlotIsAWarningThatTheRegistrationsRunOneAfterTheOther() {
        Job job = AwsClients.build(GlueClient.builder()).getJob(b -> b.jobName(REGISTER_JOB)).job();
        recreate(job, b -> b.executionProperty(x -> x.maxConcurrentRuns(1)));
        try {
            assertVerdict(Finding.Status.WARN, finding(doctor(), "glue.job", REGISTER_JOB), "MaxConcurrentRuns 1",
                    "one after the other", "max_concurrent_runs = 2");
        } finally {
            recreate(job, b -> { });
        }
    }

    @Test
    void aMissingJobAndAJobWithoutItsRoleOrScriptFail() {
        GlueClient glue = AwsClients.build(GlueClient.builder());
        String split = "etl-omc-flywheel-" + ENV + "-infobase-split-and-part";
        Job job = glue.getJob(b -> b.jobName(split)).job();
        glue.deleteJob(b -> b.jobName(split));
        try {
            List<Finding> findings = doctor();
            assertVerdict(Finding.Status.FAIL, finding(findings, "glue.job", split), "does not exist", "splitInfobase");
            assertEquals(1, Doctor.exitCode(findings));
        } finally {
            glue.createJob(b -> b.name(split).role(job.role()).command(job.command()));
        }
        recreate(job, b -> b.role("arn:aws:iam::123456789012:role/gone")
                .command(c -> c.name("glueetl").scriptLocation("s3://" + DATA + "/glue-scripts/gone.py")));
        try {
            List<Finding> findings = doctor();
            assertVerdict(Finding.Status.FAIL, finding(findings, "glue.job.role", split), "role/gone");
            assertVerdict(Finding.Status.FAIL, finding(findings, "glue.job.script", split), "gone.py");
        } finally {
            recreate(job, b -> { });
        }
    }

    @Test
    void aWorkgroupThatEnforcesItsConfigurationFailsTheErTable() throws Exception {
        AwsClients.build(AthenaClient.builder()).createWorkGroup(b -> b.name("enforcing")
                .configuration(c -> c.enforceWorkGroupConfiguration(true)
                        .resultConfiguration(r -> r.outputLocation("s3://" + REPORTS + "/athena/"))));
        withInput(in -> ((ObjectNode) in.get("erTable")).put("workgroup", "enforcing"), () -> {
            List<Finding> findings = doctor();
            assertVerdict(Finding.Status.FAIL, finding(findings, "athena.workgroup", "enforcing"),
                    "enforces its configuration", "EnforceWorkGroupConfiguration=false");
            // Athena then writes the CTAS's results to the workgroup's location, which the role may not write.
            assertVerdict(Finding.Status.FAIL, finding(findings, "athena.results.write", ER_ROLE),
                    "may not s3:PutObject under s3://" + REPORTS + "/athena/", "which it enforces",
                    "turn off the workgroup's enforcement");
        });
        withInput(in -> ((ObjectNode) in.get("erTable")).put("workgroup", "nowhere"), () ->
                assertVerdict(Finding.Status.FAIL, finding(doctor(), "athena.workgroup", "nowhere"), "does not exist",
                        "AthenaWorkgroup"));
    }

    @Test
    void aResultsLocationTheErRoleMayNotWriteFailsNamingTheRoleTheActionAndTheLocation() throws Exception {
        assertVerdict(Finding.Status.OK, finding(doctor(), "athena.results.write", ER_ROLE),
                "s3:PutObject, s3:GetBucketLocation under s3://" + REPORTS + "/query-results/er/");
        withInput(in -> ((ObjectNode) in.get("erTable")).put("outputLocation", "s3://" + REPORTS + "/elsewhere/"),
                () -> assertVerdict(Finding.Status.FAIL, finding(doctor(), "athena.results.write", ER_ROLE),
                        "may not s3:PutObject under s3://" + REPORTS + "/elsewhere/", "erTable.outputLocation",
                        "sam deploy"));
        // The role as IAM holds it: its results statement taken out by hand.
        IamClient iam = AwsClients.build(IamClient.builder());
        String before = java.net.URLDecoder.decode(iam.getRolePolicy(b -> b.roleName(ER_ROLE)
                .policyName("deployed-statements")).policyDocument(), StandardCharsets.UTF_8);
        ObjectNode doc = (ObjectNode) JSON.readTree(before);
        ArrayNode kept = JSON.createArrayNode();
        doc.get("Statement").forEach(st -> {
            if (!st.path("Action").toString().contains("s3:PutObject")
                    || !st.path("Resource").toString().contains("query-results/er/")) {
                kept.add(st);
            }
        });
        doc.set("Statement", kept);
        iam.putRolePolicy(b -> b.roleName(ER_ROLE).policyName("deployed-statements").policyDocument(doc.toString()));
        try {
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "athena.results.write", ER_ROLE),
                    "may not s3:PutObject under s3://" + REPORTS + "/query-results/er/", "AccessDenied");
        } finally {
            iam.putRolePolicy(b -> b.roleName(ER_ROLE).policyName("deployed-statements").policyDocument(before));
        }
    }

    @Test
    void aCleanRoomsRoleThatCannotReadTheTablesFailsAndOneDoctorCannotReadIsAWarning() {
        IamClient iam = AwsClients.build(IamClient.builder());
        String role = ProductionAccount.CLEAN_ROOMS_ROLE;
        assertVerdict(Finding.Status.OK, finding(doctor(), "cleanrooms.role", role), "may read the",
                "glue:GetPartitions", "s3:GetObject");
        String before = java.net.URLDecoder.decode(iam.getRolePolicy(b -> b.roleName(role)
                .policyName("read-glue-tables")).policyDocument(), StandardCharsets.UTF_8);
        // Made by hand for the data only: the catalog's statement left out.
        iam.putRolePolicy(b -> b.roleName(role).policyName("read-glue-tables").policyDocument(before
                .replace("glue:GetTable\"", "glue:GetTableVersion\"").replace("glue:GetPartitions\"",
                        "glue:GetPartitionIndexes\"")));
        try {
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "cleanrooms.role", role), "may not read the",
                    "glue:GetTable on arn:aws:glue:us-east-1:123456789012:catalog",
                    "glue:GetPartitions on", "table/" + DB + "/part_", "give " + role + " what it lacks",
                    "CleanRoomsRoleArn empty");
        } finally {
            iam.putRolePolicy(b -> b.roleName(role).policyName("read-glue-tables").policyDocument(before));
        }
        // The lake encrypted with a customer managed key the role is not granted (AWS: the role must be).
        S3Client s3 = AwsClients.build(S3Client.builder());
        String key = AwsClients.build(KmsClient.builder()).createKey(b -> b.description("lake")).keyMetadata().arn();
        s3.putBucketEncryption(b -> b.bucket(DATA).serverSideEncryptionConfiguration(c -> c.rules(r -> r
                .applyServerSideEncryptionByDefault(d -> d.sseAlgorithm("aws:kms").kmsMasterKeyID(key)))));
        try {
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "cleanrooms.role", role), "kms:Decrypt on " + key);
        } finally {
            s3.putBucketEncryption(b -> b.bucket(DATA).serverSideEncryptionConfiguration(c -> c.rules(r -> r
                    .applyServerSideEncryptionByDefault(d -> d.sseAlgorithm("AES256")))));
        }
        String xml = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
                + "<Code>AccessDenied</Code><Message>User: doctor is not authorized to perform: iam:ListRolePolicies"
                + "</Message></Error><RequestId>denied</RequestId></ErrorResponse>";
        AwsProxy.Rule denied = answering("iam", "ListRolePolicies", role, 403, xml);
        cloud.proxy().addRuleFirst(denied);
        try {
            assertVerdict(Finding.Status.WARN, finding(doctor(), "cleanrooms.role", role),
                    "IAM did not let doctor read its policies (AccessDenied)", "is unknown",
                    "simulate-principal-policy");
        } finally {
            cloud.proxy().removeRule(denied);
        }
    }

    @Test
    void aSnapshotWithoutItsSuccessMarkerIsNamed() throws Exception {
        S3Client s3 = AwsClients.build(S3Client.builder());
        String prefix = "opus/infobase_attributes/raw_input/";
        // A newer snapshot still loading: its files are there, its _SUCCESS is not yet.
        String loading = prefix + "snapshot_dt=2099-01-01/part-00000.gz";
        s3.putObject(b -> b.bucket(DATA).key(loading), RequestBody.fromString("row"));
        List<String> markers = s3.listObjectsV2Paginator(b -> b.bucket(DATA).prefix(prefix)).contents().stream()
                .map(o -> o.key()).filter(k -> k.endsWith("/_SUCCESS")).sorted().toList();
        try {
            assertVerdict(Finding.Status.WARN, finding(doctor(), "s3.raw-input", "raw_input"),
                    "snapshot_dt=2099-01-01/ has no _SUCCESS", "--snapshot-dt");
            markers.forEach(k -> s3.deleteObject(b -> b.bucket(DATA).key(k)));
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "s3.raw-input", "raw_input"),
                    "no snapshot_dt has a _SUCCESS marker under every prefix");
        } finally {
            s3.deleteObject(b -> b.bucket(DATA).key(loading));
            markers.forEach(k -> s3.putObject(b -> b.bucket(DATA).key(k), RequestBody.fromString("")));
        }
    }

    @Test
    void bucketsOpenToThePublicOrEncryptedWithAKeyTheRolesLackAreWarnings() {
        S3Client s3 = AwsClients.build(S3Client.builder());
        String key = AwsClients.build(KmsClient.builder()).createKey(b -> b.description("reports")).keyMetadata().arn();
        s3.deletePublicAccessBlock(b -> b.bucket(DATA));
        s3.putBucketEncryption(b -> b.bucket(REPORTS).serverSideEncryptionConfiguration(c -> c.rules(r -> r
                .applyServerSideEncryptionByDefault(d -> d.sseAlgorithm("aws:kms").kmsMasterKeyID(key)))));
        try {
            List<Finding> findings = doctor();
            assertVerdict(Finding.Status.WARN, finding(findings, "s3.public-access", DATA), "put-public-access-block");
            assertVerdict(Finding.Status.WARN, finding(findings, "s3.encryption", REPORTS), key,
                    "ReportKmsKeyArn=" + key);
        } finally {
            s3.putPublicAccessBlock(b -> b.bucket(DATA).publicAccessBlockConfiguration(c -> c.blockPublicAcls(true)
                    .ignorePublicAcls(true).blockPublicPolicy(true).restrictPublicBuckets(true)));
            s3.putBucketEncryption(b -> b.bucket(REPORTS).serverSideEncryptionConfiguration(c -> c.rules(r -> r
                    .applyServerSideEncryptionByDefault(d -> d.sseAlgorithm("AES256")))));
        }
    }

    @Test
    void aDatabaseGovernedByLakeFormationWithoutTheStacksGrantsFails() {
        LakeFormationClient lf = AwsClients.build(LakeFormationClient.builder());
        lf.revokePermissions(b -> b.principal(p -> p.dataLakePrincipalIdentifier("IAM_ALLOWED_PRINCIPALS"))
                .resource(r -> r.database(d -> d.name(DB))).permissionsWithStrings("ALL"));
        try {
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "lakeformation", DB), "governed",
                    "LakeFormationGrants=true");
        } finally {
            lf.grantPermissions(b -> b.principal(p -> p.dataLakePrincipalIdentifier("IAM_ALLOWED_PRINCIPALS"))
                    .resource(r -> r.database(d -> d.name(DB))).permissionsWithStrings("ALL"));
        }
    }

    @Test
    void aCollaborationWhereNoOneCanQueryFailsAndAnUnknownMembershipFails() throws Exception {
        String membership = cloud.cleanRooms().collaboration("Nobody queries", List.of(
                new CleanRoomsStandIn.Member("333333333333", "Watcher", List.of())), REPORTS);
        withInput(in -> ((ObjectNode) in.get("associate")).put("membershipId", membership), () ->
                assertVerdict(Finding.Status.FAIL, finding(doctor(), "cleanrooms.members", "Nobody queries"),
                        "no member can query", "CAN_QUERY"));
        withInput(in -> ((ObjectNode) in.get("associate")).put("membershipId",
                "00000000-0000-0000-0000-000000000000"), () ->
                assertVerdict(Finding.Status.FAIL, finding(doctor(), "cleanrooms.membership", "00000000"),
                        "does not exist", "list-memberships"));
    }

    @Test
    void theCleanRoomsRoleAndTheIdNamespaceMustExistAndThePolicyLetCleanRoomsIn() throws Exception {
        withInput(in -> ((ObjectNode) in.get("associate")).put("roleArn", "arn:aws:iam::123456789012:role/gone")
                .put("idNamespaceArn", "arn:aws:entityresolution:us-east-1:123456789012:idnamespace/Gone"), () -> {
                    List<Finding> findings = doctor();
                    assertVerdict(Finding.Status.FAIL, finding(findings, "cleanrooms.role", "role/gone"),
                            "does not exist", "CleanRoomsRoleArn");
                    assertVerdict(Finding.Status.FAIL, finding(findings, "entityresolution.namespace", "Gone"),
                            "does not exist", "IdNamespaceArn");
                });
        cloud.cleanRooms().idNamespacePolicy("ACXIdNamespace", "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},"
                + "\"Action\":\"entityresolution:GetIdNamespace\",\"Resource\":\"*\"}]}");
        assertVerdict(Finding.Status.WARN, finding(doctor(), "entityresolution.policy", "ACXIdNamespace"),
                "without a statement for Clean Rooms");
        cloud.cleanRooms().idNamespacePolicy("ACXIdNamespace", "{\"Version\":\"2012-10-17\",\"Statement\":[{"
                + "\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cleanrooms.amazonaws.com\"},"
                + "\"Action\":\"entityresolution:GetIdNamespace\",\"Resource\":\"*\"}]}");
        assertVerdict(Finding.Status.OK, finding(doctor(), "entityresolution.policy", "ACXIdNamespace"),
                "lets Clean Rooms read it");
    }

    private static final String REGISTRY = "omc-flywheel-" + ENV + "-topic-registry";

    /** The registry made again: as production has it ({@code topic_name} alone), then {@code change}d. */
    private static void recreateRegistry(Consumer<CreateTableRequest.Builder> change) {
        DynamoDbClient ddb = AwsClients.build(DynamoDbClient.builder());
        ddb.deleteTable(b -> b.tableName(REGISTRY));
        ddb.createTable(b -> {
            b.tableName(REGISTRY).billingMode("PAY_PER_REQUEST")
                    .attributeDefinitions(a -> a.attributeName("topic_name").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("topic_name").keyType(KeyType.HASH));
            change.accept(b);
        });
    }

    @Test
    void aRegistryWithASortKeyFails() {
        recreateRegistry(b -> b.attributeDefinitions(
                        a -> a.attributeName("topic_name").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("run_id").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("topic_name").keyType(KeyType.HASH),
                        k -> k.attributeName("run_id").keyType(KeyType.RANGE)));
        try {
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "registry", REGISTRY), "run_id (RANGE)",
                    "topic_name (S) alone");
        } finally {
            recreateRegistry(b -> { });
        }
    }

    @Test
    void aRoleWithOneStatementRemovedAfterTheDeployFailsNamingTheStatement() throws Exception {
        IamClient iam = AwsClients.build(IamClient.builder());
        String role = "omc-flywheel-local-MsckRepairFunctionRole";
        String before = java.net.URLDecoder.decode(iam.getRolePolicy(b -> b.roleName(role)
                .policyName("deployed-statements")).policyDocument(), StandardCharsets.UTF_8);
        ObjectNode doc = (ObjectNode) JSON.readTree(before);
        ArrayNode statements = (ArrayNode) doc.get("Statement");
        String sid = statements.get(0).path("Sid").asText();
        statements.remove(0);
        iam.putRolePolicy(b -> b.roleName(role).policyName("deployed-statements").policyDocument(doc.toString()));
        try {
            // Both questions: the calls msck-repair makes that the role now refuses (recorded by the local IAM
            // check, put into this stack's names), and the template's grants it lost.
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "iam.role", role), "refuses",
                    "on arn:aws:glue:us-east-1:123456789012:catalog",
                    "(" + sid + ")", "deployed-statements/" + sid + ": glue:", "sam deploy");
        } finally {
            iam.putRolePolicy(b -> b.roleName(role).policyName("deployed-statements").policyDocument(before));
        }
    }

    @Test
    void aDenyAddedByHandToARoleNamesTheCallsItRefuses() {
        IamClient iam = AwsClients.build(IamClient.builder());
        String role = "omc-flywheel-local-StartGlueJobFunctionRole";
        iam.putRolePolicy(b -> b.roleName(role).policyName("added-by-hand").policyDocument("{\"Version\":"
                + "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"glue:StartJobRun\","
                + "\"Resource\":\"*\"}]}"));
        try {
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "iam.role", role), "refuses",
                    "glue:StartJobRun on arn:aws:glue:us-east-1:123456789012:job/", "lost");
        } finally {
            iam.deleteRolePolicy(b -> b.roleName(role).policyName("added-by-hand"));
        }
        assertVerdict(Finding.Status.OK, finding(doctor(), "iam.role", role), "calls its code makes");
    }

    @Test
    void aTopicNobodyHearsOrThatAlarmsCannotPublishToIsNamed() {
        SnsClient sns = AwsClients.build(SnsClient.builder());
        String subscription = sns.listSubscriptionsByTopic(b -> b.topicArn(NOTIFICATIONS)).subscriptions().get(0)
                .subscriptionArn();
        String key = sns.getTopicAttributes(b -> b.topicArn(NOTIFICATIONS)).attributes().get("KmsMasterKeyId");
        sns.unsubscribe(b -> b.subscriptionArn(subscription));
        sns.setTopicAttributes(b -> b.topicArn(NOTIFICATIONS).attributeName("KmsMasterKeyId")
                .attributeValue("alias/aws/sns"));
        try {
            List<Finding> findings = doctor();
            assertVerdict(Finding.Status.WARN, finding(findings, "sns.subscriptions", NOTIFICATIONS),
                    "no subscription", "NotificationEmails");
            assertVerdict(Finding.Status.FAIL, finding(findings, "sns.key", NOTIFICATIONS), "alias/aws/sns",
                    "TopicKmsKeyId");
            String plain = AwsClients.build(KmsClient.builder()).createKey(b -> b.description("no CloudWatch"))
                    .keyMetadata().arn();
            sns.setTopicAttributes(b -> b.topicArn(NOTIFICATIONS).attributeName("KmsMasterKeyId")
                    .attributeValue(plain));
            assertVerdict(Finding.Status.FAIL, finding(doctor(), "sns.key", NOTIFICATIONS),
                    "does not let cloudwatch.amazonaws.com use it", "kms:GenerateDataKey*");
        } finally {
            sns.setTopicAttributes(b -> b.topicArn(NOTIFICATIONS).attributeName("KmsMasterKeyId").attributeValue(key));
            sns.subscribe(b -> b.topicArn(NOTIFICATIONS).protocol("email").endpoint(ProductionAccount.ON_CALL));
        }
    }

    /**
     * An e-mail subscription nobody confirmed: AWS lists it as PendingConfirmation, which moto cannot
     * hold (it confirms every subscription), so the proxy answers the listing as AWS would.
     */
    @Test
    void aSubscriptionWaitingForConfirmationIsAWarningNamingTheAddress() {
        String xml = "<ListSubscriptionsByTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                + "<ListSubscriptionsByTopicResult><Subscriptions><member><TopicArn>" + NOTIFICATIONS + "</TopicArn>"
                + "<Protocol>email</Protocol><SubscriptionArn>PendingConfirmation</SubscriptionArn>"
                + "<Owner>123456789012</Owner><Endpoint>new-on-call@example.com</Endpoint></member></Subscriptions>"
                + "</ListSubscriptionsByTopicResult><ResponseMetadata><RequestId>pending</RequestId>"
                + "</ResponseMetadata></ListSubscriptionsByTopicResponse>";
        AwsProxy.Rule pending = answering("sns", "ListSubscriptionsByTopic", "db-refresh-notifications", 200, xml);
        cloud.proxy().addRuleFirst(pending);
        try {
            assertVerdict(Finding.Status.WARN, finding(doctor(), "sns.subscriptions", NOTIFICATIONS),
                    "waiting for confirmation: email:new-on-call@example.com", "confirmation mail");
        } finally {
            cloud.proxy().removeRule(pending);
        }
    }

    @Test
    void aQuotaTooSmallForTheTablesIsAWarningNamingHowManyAreLeftOut() throws Exception {
        String stack = variant("quota-of-two", Map.of("AssociationQuota", "2"), JSON.createObjectNode());
        List<Finding> findings = Doctor.examine(new Connection(null, null, cloud.endpoint()), stack);
        assertVerdict(Finding.Status.WARN, finding(findings, "cleanrooms.quota", SampleWorld.MEMBERSHIP),
                "over the quota of 2", "will not be associated", "AssociationQuota");
        // Counted as the refresh counts: never the addressable ids table nor the ER table, which the world has.
        List<String> tables = new ArrayList<>();
        AwsClients.build(GlueClient.builder()).getTablesPaginator(b -> b.databaseName(DB))
                .forEach(page -> page.tableList().forEach(t -> tables.add(t.name())));
        assertTrue(tables.contains("part_addressable_ids") && tables.contains("part_addressable_ids_er"),
                tables.toString());
        long associable = tables.stream().filter(t -> t.startsWith("part_") && !t.startsWith("part_addressable_ids"))
                .count();
        assertVerdict(Finding.Status.WARN, finding(findings, "cleanrooms.quota", SampleWorld.MEMBERSHIP),
                " of " + associable + " tables to associate");
    }

    @Test
    void aGovernedDatabaseWithGrantsTurnedOnButNoneDeployedFails() throws Exception {
        LakeFormationClient lf = AwsClients.build(LakeFormationClient.builder());
        String stack = variant("governed", Map.of("LakeFormationGrants", "true"), JSON.createObjectNode());
        lf.revokePermissions(b -> b.principal(p -> p.dataLakePrincipalIdentifier("IAM_ALLOWED_PRINCIPALS"))
                .resource(r -> r.database(d -> d.name(DB))).permissionsWithStrings("ALL"));
        try {
            assertVerdict(Finding.Status.FAIL, finding(Doctor.examine(new Connection(null, null, cloud.endpoint()),
                    stack), "lakeformation", DB), "no AWS::LakeFormation::PrincipalPermissions", "redeploy");
        } finally {
            lf.grantPermissions(b -> b.principal(p -> p.dataLakePrincipalIdentifier("IAM_ALLOWED_PRINCIPALS"))
                    .resource(r -> r.database(d -> d.name(DB))).permissionsWithStrings("ALL"));
        }
    }

    @Test
    void aSnapshotRuleOnWhileTheDataBucketSendsNoEventsFails() throws Exception {
        ObjectNode resources = JSON.createObjectNode();
        ObjectNode rule = resources.putObject("DbRefreshStateMachineSnapshotLanded").put("Type", "AWS::Events::Rule");
        rule.putObject("Properties").put("Name", "snapshot-landed-variant").put("State", "ENABLED")
                .putObject("EventPattern").putArray("source").add("aws.s3");
        String stack = variant("snapshot-trigger", Map.of("SnapshotTriggerEnabled", "true"), resources);
        // moto keeps no EventBridgeConfiguration on a bucket, so the OK side (events sent) is AWS's only.
        assertVerdict(Finding.Status.FAIL, finding(Doctor.examine(new Connection(null, null, cloud.endpoint()), stack),
                "trigger.snapshot", "variant"), "does not send its events to EventBridge", "Amazon EventBridge");
    }

    @Test
    void aMissingResultsBucketAndARegistryUnderAKeyTheRolesLackAreNamed() throws Exception {
        withInput(in -> ((ObjectNode) in.get("erTable")).put("outputLocation", "s3://no-such-results/er/"), () ->
                assertVerdict(Finding.Status.FAIL, finding(doctor(), "athena.results", "no-such-results"),
                        "does not exist", "create it"));
        String key = AwsClients.build(KmsClient.builder()).createKey(b -> b.description("registry")).keyMetadata()
                .arn();
        recreateRegistry(b -> b.sseSpecification(x -> x.enabled(true).sseType("KMS").kmsMasterKeyId(key)));
        try {
            assertVerdict(Finding.Status.WARN, finding(doctor(), "registry", REGISTRY), key, "key policy");
        } finally {
            recreateRegistry(b -> { });
        }
    }

    @Test
    void associationsOnAnotherRoleThanTheRefreshPassesAreAWarningBeforeTheRun() {
        GlueClient glue = AwsClients.build(GlueClient.builder());
        software.amazon.awssdk.services.glue.model.Table table = glue.getTables(b -> b.databaseName(DB)).tableList()
                .stream().filter(t -> t.name().startsWith("part_")).findFirst().orElseThrow();
        CleanRoomsClient cr = AwsClients.build(CleanRoomsClient.builder());
        String configured = cr.createConfiguredTable(b -> b.name(table.name()).analysisMethod("DIRECT_QUERY")
                .allowedColumns(table.storageDescriptor().columns().get(0).name())
                .tableReference(r -> r.glue(g -> g.databaseName(DB).tableName(table.name())))).configuredTable().id();
        String association = cr.createConfiguredTableAssociation(b -> b.membershipIdentifier(SampleWorld.MEMBERSHIP)
                .configuredTableIdentifier(configured).name("acx_" + table.name())
                .roleArn("arn:aws:iam::123456789012:role/" + ProductionAccount.GLUE_ROLE)).configuredTableAssociation()
                .id();
        try {
            assertVerdict(Finding.Status.WARN, finding(doctor(), "cleanrooms.role", ProductionAccount.CLEAN_ROOMS_ROLE),
                    "1 associations use another role", "acx_" + table.name(), "one role update per association",
                    "CleanRoomsRoleArn=arn:aws:iam::123456789012:role/" + ProductionAccount.GLUE_ROLE);
        } finally {
            cr.deleteConfiguredTableAssociation(b -> b.membershipIdentifier(SampleWorld.MEMBERSHIP)
                    .configuredTableAssociationIdentifier(association));
            cr.deleteConfiguredTable(b -> b.configuredTableIdentifier(configured));
        }
    }

    @Test
    void aRefreshRunningNowOrALastOneThatFailedIsAWarningWithTheCommandToFollowOrResume() throws Exception {
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        String role = "arn:aws:iam::123456789012:role/omc-flywheel-dev-db-refresh";
        String failing = sfn.createStateMachine(b -> b.name("refresh-that-fails").roleArn(role).definition(
                "{\"StartAt\":\"Broke\",\"States\":{\"Broke\":{\"Type\":\"Fail\",\"Error\":\"Broke\"}}}"))
                .stateMachineArn();
        String execution = sfn.startExecution(b -> b.stateMachineArn(failing).name("last-month")).executionArn();
        for (int i = 0; i < 100 && sfn.describeExecution(b -> b.executionArn(execution)).status()
                == ExecutionStatus.RUNNING; i++) {
            Thread.sleep(100);
        }
        String stack = variant("failed-last", Map.of(), JSON.createObjectNode(),
                Map.of("DbRefreshStateMachineArn", failing));
        Connection local = new Connection(null, null, cloud.endpoint());
        assertVerdict(Finding.Status.WARN, finding(Doctor.examine(local, stack), "refresh.executions", failing),
                "the last, last-month, ended FAILED", "bin/flywheel refresh resume last-month");

        String waiting = sfn.createStateMachine(b -> b.name("refresh-that-runs").roleArn(role).definition(
                "{\"StartAt\":\"Hours\",\"States\":{\"Hours\":{\"Type\":\"Wait\",\"Seconds\":3600,"
                        + "\"End\":true}}}")).stateMachineArn();
        String running = sfn.startExecution(b -> b.stateMachineArn(waiting).name("this-month")).executionArn();
        try {
            String busy = variant("running-now", Map.of(), JSON.createObjectNode(),
                    Map.of("DbRefreshStateMachineArn", waiting));
            assertVerdict(Finding.Status.WARN, finding(Doctor.examine(local, busy), "refresh.executions", waiting),
                    "a refresh is running: this-month", "bin/flywheel refresh follow this-month");
        } finally {
            sfn.stopExecution(b -> b.executionArn(running));
        }
    }

    @Test
    void aScheduleDisabledByHandIsAWarning() throws Exception {
        SchedulerClient scheduler = AwsClients.build(SchedulerClient.builder());
        GetScheduleResponse s = scheduler.getSchedule(b -> b.name(MONTHLY));
        update(scheduler, s, s.target().input(), ScheduleState.DISABLED);
        try {
            assertVerdict(Finding.Status.WARN, finding(doctor(), "trigger.schedule", MONTHLY), "DISABLED",
                    "MonthlyScheduleEnabled=true", "changed by hand");
        } finally {
            update(scheduler, s, s.target().input(), s.state());
        }
    }
}
