package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.iam.IamEnforcer;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.shared.AwsClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * What a person reads when many tables fail the same way. The incident: one IAM action removed from
 * msck-repair's role made RepairPartitions fail on 28 tables, and the mail's Cause repeated the same
 * AccessDenied 28 times. Here db-refresh runs (its Glue jobs skipped) with glue:BatchCreatePartition
 * removed from a copy of template.yaml: the execution's Cause and the mail say the error once, with
 * the 28 tables by name, and stay short; the outcome file the Cause links to still has each table's
 * whole error. Mixed errors make one group each.
 */
class GroupedTableFailuresTest {
    static final String DB = DbRefreshStateMachineTest.DB;
    static final String DATA = DbRefreshStateMachineTest.DATA;
    static final String ANALYSIS = "omc-flywheel-dev-analysis-data";
    static final String ROOT = DbRefreshStateMachineTest.ROOT;
    static final String NOTIFICATIONS = DbRefreshStateMachineTest.NOTIFICATIONS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern OUTCOME_FILE = Pattern.compile("Every table's outcome: s3://" + ANALYSIS
            + "/(\\S+\\.json)");
    LocalCloud cloud;
    GlueClient glue;
    S3Client s3;
    LakeBuilder lake;

    @BeforeEach
    void world() throws IOException {
        cloud = StateMachineHarness.fresh();
        glue = AwsClients.build(GlueClient.builder());
        s3 = AwsClients.build(S3Client.builder());
        lake = new LakeBuilder(glue, s3).database(DB).bucket(DATA).bucket(ANALYSIS);
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=2025-10-22/part-0.parquet"),
                    RequestBody.fromString("x"));
            s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=2025-10-22/_SUCCESS"),
                    RequestBody.fromString(""));
        }
        // Two tables already complete: the repair finishes them, whatever the role may do.
        for (String done : List.of("part_done_1", "part_done_2")) {
            lake.table(new LakeBuilder.Table(DB, done, ROOT + done.toUpperCase() + "/", 3,
                    LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(2), LakeBuilder.buckets(2), Map.of()));
        }
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
        // The incident: msck-repair's role without glue:BatchCreatePartition (a copy of template.yaml).
        String template = Files.readString(SampleEvents.repoRoot().resolve("template.yaml"));
        String without = template.replace("\n                - glue:BatchCreatePartition\n", "\n");
        assertEquals(template.length() - "                - glue:BatchCreatePartition\n".length(), without.length(),
                "the one grant of glue:BatchCreatePartition was removed");
        Path copy = Files.createTempDirectory("template-copy").resolve("template.yaml");
        Files.writeString(copy, without);
        cloud.iam().useStack(DeployedStack.read(copy, DeployedStack.LOCAL_PARAMETERS));
    }

    @AfterEach
    void theTemplateAsItIs() {
        cloud.iam().useStack(DeployedStack.local(SampleEvents.repoRoot().resolve("template.yaml")));
        cloud.iam().reset();
    }

    /** {@code n} tables named {@code part_<prefix>_01}…, each with 2 partition folders the catalog lacks. */
    private List<String> tablesMissingPartitions(String prefix, int n, String bucket) {
        List<String> names = IntStream.rangeClosed(1, n).mapToObj(i -> String.format("part_%s_%02d", prefix, i))
                .toList();
        for (String t : names) {
            lake.table(new LakeBuilder.Table(DB, t, "s3://" + bucket + "/omc_cleanroom_data/split_part/"
                    + t.toUpperCase() + "/", 3, LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(2), List.of(),
                    Map.of()));
        }
        return names;
    }

    /** db-refresh from events/db-refresh.json with its Glue jobs skipped: ResolveNewestSnapshot, then the repair. */
    private StateMachineHarness.Run refresh() {
        String input = SampleEvents.read("db-refresh.json").replaceFirst("\\{", "{\"skip\": {\"SplitAddressableIds\": "
                + "true, \"SplitInfobase\": true, \"RegisterAddressableIds\": true, \"RegisterInfobase\": true},");
        return StateMachineHarness.execute("db-refresh.asl.json", input, Duration.ofMinutes(2));
    }

    private static int occurrences(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    private SnsMessage theOneNotice() {
        List<SnsMessage> sent = cloud.moto().snsMessages().stream().filter(m -> m.topicArn().equals(NOTIFICATIONS))
                .toList();
        assertEquals(1, sent.size(), sent.toString());
        return sent.get(0);
    }

    @Test
    void twentyEightTablesDeniedOneActionAreOneErrorNamingThemAllAndTheOutcomeFileKeepsEveryError() throws Exception {
        List<String> denied = tablesMissingPartitions("ibe", 28, DATA);

        StateMachineHarness.Run run = refresh();

        List<IamEnforcer.Denial> denials = cloud.iam().denials();
        assertEquals(28, denials.stream().filter(d -> d.action().equals("glue:BatchCreatePartition")).count(),
                denials.toString());
        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertTrue(run.execution().error().endsWith("PartialFailureException"), run.execution().error());
        String cause = JSON.readTree(run.execution().cause()).path("errorMessage").asText();
        assertTrue(cause.startsWith("msck-repair finished 30 tables of " + DB + " (0 partitions added) but 28 failed: "
                + "28 tables (" + String.join(", ", denied) + "): AccessDeniedException: "), cause);
        assertEquals(1, occurrences(cause, "is not authorized to perform: glue:BatchCreatePartition"), cause);
        assertTrue(cause.contains("Request ID: <id>)"), "grouped despite each call's own request id: " + cause);

        SnsMessage notice = theOneNotice();
        String mail = notice.message();
        assertEquals("❌ Database Refresh Failed", notice.subject());
        assertTrue(mail.contains("Failed step: RepairPartitions\nError: PartialFailureException\nCause: msck-repair "
                + "finished 30 tables"), mail);
        assertEquals(1, occurrences(mail, "is not authorized to perform"), mail);
        denied.forEach(t -> assertTrue(mail.contains(t), t + " named in the mail"));
        // The error once and 28 names: about 1,000 characters where the 28 errors were over 9,000.
        String causeLine = mail.lines().filter(l -> l.startsWith("Cause: ")).findFirst().orElseThrow();
        assertTrue(causeLine.length() < 1_500, causeLine.length() + " characters: " + causeLine);
        assertTrue(mail.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 16_384,
                "an e-mail a person reads, far below SNS's 256 KB: " + mail.length() + " characters\n" + mail);

        Matcher file = OUTCOME_FILE.matcher(mail);
        assertTrue(file.find(), "the mail names the outcome file: " + mail);
        JsonNode outcomes = JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(ANALYSIS).key(file.group(1)))
                .asByteArray());
        assertEquals(30, outcomes.size());
        List<String> failed = new ArrayList<>();
        for (JsonNode o : outcomes) {
            if (o.path("action").asText().equals("FAILED")) {
                String table = o.path("table").asText();
                failed.add(table);
                String error = o.path("error").asText();
                assertTrue(error.startsWith("AccessDeniedException: User: ") && error.contains(
                        "not authorized to perform: glue:BatchCreatePartition on resource: arn:aws:glue:us-east-1:"
                        + StateMachineHarness.ACCOUNT + ":")
                        && error.contains("(Service: Glue, Status Code: 400, Request ID: ")
                        && !error.contains("<"), "each table's whole error, as the SDK gave it: " + error);
            }
        }
        assertEquals(denied, failed.stream().sorted().toList());
    }

    @Test
    void mixedErrorsMakeOneGroupEach() throws Exception {
        List<String> denied = tablesMissingPartitions("ibe", 26, DATA);
        // Two tables whose folders are in a bucket the role may not list: another error, shared by both.
        lake.bucket("omc-flywheel-dev-other-bucket");
        List<String> elsewhere = tablesMissingPartitions("moved", 2, "omc-flywheel-dev-other-bucket");

        StateMachineHarness.Run run = refresh();

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        String cause = JSON.readTree(run.execution().cause()).path("errorMessage").asText();
        assertTrue(cause.contains("but 28 failed: 26 tables (" + String.join(", ", denied) + "): "
                + "AccessDeniedException: "), cause);
        assertTrue(cause.contains("; 2 tables (" + String.join(", ", elsewhere) + "): ")
                && cause.contains("s3:ListBucket"), cause);
        assertEquals(1, occurrences(cause, "glue:BatchCreatePartition on resource"), cause);
        assertEquals(2, occurrences(cause, " tables ("), "two groups: " + cause);
        assertTrue(theOneNotice().message().contains("26 tables (part_ibe_01, "), theOneNotice().message());
    }
}
