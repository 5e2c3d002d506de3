package com.omc.flywheel.startgluejob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.glue.GlueClient;

/** Every events/start-glue-job*.json, run through the handler with the outcome it is meant to have. */
class StartGlueJobSampleEventsTest extends GlueJobFixture {
    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("start-glue-job");
        assertTrue(files.size() >= 4, "sample events: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private void run(String file) {
        MOTO.reset();
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            // A client that cannot reach anything: any AWS call would fail with another error.
            GlueClient unreachable = AwsClients.build(GlueClient.builder()
                    .endpointOverride(URI.create("http://127.0.0.1:9")));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> SampleEvents.invoke(new StartGlueJobHandler(new GlueJobStarter(unreachable)),
                            "start-glue-job", body));
            assertFalse(e.field().isEmpty(), "the message names the field: " + e.getMessage());
            return;
        }
        StartGlueJobHandler handler = new StartGlueJobHandler();
        switch (file) {
            case "start-glue-job-missing-job.json" ->
                    assertThrows(ResourceNotFoundException.class,
                            () -> SampleEvents.invoke(handler, "start-glue-job", body));
            case "start-glue-job.json", "start-glue-job-register-infobase.json" -> {
                String job = file.equals("start-glue-job.json") ? SPLIT_JOB
                        : REGISTER_JOB;
                createJob(job, 2);
                String out = SampleEvents.invoke(handler, "start-glue-job", body);
                assertTrue(out.contains("\"jobRunId\":\"jr_"), out);
                assertEquals(1, runs(job).size());
            }
            default -> fail("events/" + file + " has no expected outcome in this test: add one");
        }
    }
}
