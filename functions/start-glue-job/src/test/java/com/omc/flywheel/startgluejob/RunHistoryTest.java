package com.omc.flywheel.startgluejob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * A job with months of run history (a topic job runs every 15 minutes): only the runs of the last
 * RUN_HISTORY_HOURS are read. moto starts every run now and lists them oldest first, so the proxy
 * gives the runs the ages they would have in Glue: the first one created is the newest, each next
 * one 15 minutes older, which makes moto's order Glue's newest-first order.
 */
class RunHistoryTest extends GlueJobFixture {
    static final int HISTORY = 600;
    private final Map<String, Integer> age = new HashMap<>();
    private final Instant now = Instant.now();
    private AwsProxy proxy;
    private String runningRun;

    @BeforeEach
    void proxyWithAges() {
        proxy = AwsProxy.start(MOTO.endpoint());
        proxy.addRewrite((call, answer) -> {
            if (!call.key().equals("glue:GetJobRuns") || answer.status() != 200) {
                return Optional.empty();
            }
            try {
                JsonNode body = Events.mapper().readTree(answer.body());
                for (JsonNode run : body.path("JobRuns")) {
                    Integer quarters = age.get(run.path("Id").asText());
                    if (quarters != null) {
                        Instant started = now.minus(Duration.ofMinutes(15L * quarters));
                        ((ObjectNode) run).put("StartedOn", started.getEpochSecond())
                                .put("CompletedOn", started.plusSeconds(600).getEpochSecond());
                        if (run.path("Id").asText().equals(runningRun)) {
                            ((ObjectNode) run).put("JobRunState", "RUNNING").remove("CompletedOn");
                        }
                    }
                }
                return Optional.of(new AwsProxy.Reply(200, answer.headers(), Events.mapper().writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    /** {@code HISTORY} finished runs with the step's arguments, 15 minutes apart, the newest first. */
    private void longHistory(Map<String, String> arguments) {
        createJob(SPLIT_JOB, 1);
        for (int i = 0; i < HISTORY; i++) {
            String id = GLUE.startJobRun(b -> b.jobName(SPLIT_JOB).arguments(arguments)).jobRunId();
            age.put(id, i);
        }
        assertEquals(3, (HISTORY + 199) / 200, "the whole history is 3 pages of 200");
    }

    private GlueJobStarter starter() {
        GlueClient viaProxy = AwsClients.build(GlueClient.builder().endpointOverride(proxy.endpointUri()));
        return new GlueJobStarter(viaProxy, viaProxy, Duration.ofHours(48));
    }

    private static StartGlueJobRequest request() {
        return Events.read(new java.io.ByteArrayInputStream(("{\"jobName\":\"" + SPLIT_JOB
                + "\",\"arguments\":{\"--SNAPSHOT_DT\":\"2025-10-22\"}}").getBytes()), StartGlueJobRequest.class);
    }

    @Test
    void withNoRunInProgressOnlyTheRunsOfTheWindowAreReadBeforeStarting() {
        longHistory(Map.of("--SNAPSHOT_DT", "2025-10-22"));

        StartGlueJobResult r = starter().start(request());

        assertFalse(r.attached());
        assertFalse(age.containsKey(r.jobRunId()), "a new run was started");
        assertEquals(1, proxy.count("glue:StartJobRun"));
        // 48 h of runs every 15 minutes is 192 runs: the first page of 200 already reaches past the window.
        assertEquals(1, proxy.count("glue:GetJobRuns"), "pages read: " + proxy.counts());
    }

    @Test
    void aRunInProgressNearTheTopIsAdoptedFromTheFirstPage() {
        longHistory(Map.of("--SNAPSHOT_DT", "2025-10-22"));
        runningRun = age.entrySet().stream().filter(e -> e.getValue() == 3).findFirst().orElseThrow().getKey();

        StartGlueJobResult r = starter().start(request());

        assertTrue(r.attached());
        assertEquals(runningRun, r.jobRunId());
        assertEquals(1, proxy.count("glue:GetJobRuns"), "pages read: " + proxy.counts());
        assertEquals(0, proxy.count("glue:StartJobRun"));
    }
}
