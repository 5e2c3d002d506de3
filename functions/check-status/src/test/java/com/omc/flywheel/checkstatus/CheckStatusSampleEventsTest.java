package com.omc.flywheel.checkstatus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;

/** Every events/check-status*.json, run through the handler with the outcome it is meant to have. */
class CheckStatusSampleEventsTest {
    private static MotoServer moto;

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.shared();
    }

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("check-status");
        assertTrue(files.size() >= 3, "sample events: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private void run(String file) {
        moto.reset();
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            URI nowhere = URI.create("http://127.0.0.1:9");
            StatusChecker unreachable = new StatusChecker(
                    AwsClients.build(GlueClient.builder().endpointOverride(nowhere)),
                    AwsClients.build(AthenaClient.builder().endpointOverride(nowhere)),
                    PollingPolicy.fromEnvironment(), 5, Clock.systemUTC());
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> SampleEvents.invoke(new CheckStatusHandler(unreachable), "check-status", body));
            assertFalse(e.getMessage().isBlank());
            return;
        }
        GlueClient glue = AwsClients.build(GlueClient.builder());
        AthenaClient athena = AwsClients.build(AthenaClient.builder());
        switch (file) {
            case "check-status-glue.json" -> {
                glue.createJob(b -> b.name(StatusCheckerTest.JOB).role("arn:aws:iam::123456789012:role/glue")
                        .command(c -> c.name("glueetl").scriptLocation("s3://scripts/split.py")));
                String runId = glue.startJobRun(b -> b.jobName(StatusCheckerTest.JOB)).jobRunId();
                String out = SampleEvents.invoke(new CheckStatusHandler(), "check-status",
                        body.replaceAll("jr_0+", runId));
                assertTrue(out.contains("\"status\":\"SUCCEEDED\""), out);
            }
            case "check-status-athena.json" -> {
                String id = athena.startQueryExecution(b -> b.queryString("SELECT 1").workGroup("primary")
                        .resultConfiguration(c -> c.outputLocation("s3://results/"))).queryExecutionId();
                String out = SampleEvents.invoke(new CheckStatusHandler(), "check-status",
                        body.replace("00000000-0000-0000-0000-000000000000", id));
                assertTrue(out.contains("\"status\":\"SUCCEEDED\""), out);
            }
            default -> fail("events/" + file + " has no expected outcome in this test: add one");
        }
    }
}
