package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Log lines written by worker threads carry the invocation's request id, as the handler's own do. */
class JsonLogTest {
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        JsonLog.clearRequest();
        JsonLog.redirect(System.err);
    }

    private JsonNode line(int i) throws Exception {
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
        return Events.mapper().readTree(lines[i]);
    }

    @Test
    void aLineFromAPoolThreadCarriesTheRequestIdAndTheFunction() throws Exception {
        JsonLog.redirect(new PrintStream(captured, true, StandardCharsets.UTF_8));
        // The pool exists before the invocation, as a function's pool built at init does.
        ExecutorService pool = DaemonThreads.fixedPool("test-worker", 2);
        pool.submit(() -> { }).get();
        JsonLog log = JsonLog.forFunction("msck-repair");

        JsonLog.beginRequest("req-1234");
        pool.submit(() -> log.info("table synced", "table", "part_ibe_01")).get();
        JsonLog.clearRequest();
        pool.submit(() -> log.info("after the invocation")).get();
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);

        JsonNode during = line(0);
        assertEquals("req-1234", during.path("requestId").asText(), during.toString());
        assertEquals("msck-repair", during.path("function").asText());
        assertEquals("part_ibe_01", during.path("table").asText());
        assertFalse(line(1).has("requestId"), "no request id between invocations: " + line(1));
    }

    /**
     * An EMF line as CloudWatch Logs reads it: the _aws block names the namespace, the dimension sets
     * and each metric with its unit, and every dimension and metric is a root member of the line.
     */
    @Test
    void metricsAreOneEmbeddedMetricFormatLine() throws Exception {
        JsonLog.redirect(new PrintStream(captured, true, StandardCharsets.UTF_8));
        System.setProperty("FLYWHEEL_ENV", "dev");
        try {
            JsonLog.beginRequest("req-9");
            JsonLog.forFunction("check-status").metrics("job run metrics",
                    new java.util.TreeMap<>(java.util.Map.of("PollsPerJob", 7, "GlueJobRunSeconds", 3600L)), "JobName",
                            "etl-x");
        } finally {
            System.clearProperty("FLYWHEEL_ENV");
        }
        JsonNode emf = line(0);
        JsonNode aws = emf.path("_aws");
        assertTrue(aws.path("Timestamp").asLong() > 1_700_000_000_000L, emf.toString());
        JsonNode directive = aws.path("CloudWatchMetrics").get(0);
        assertEquals("OMC/Flywheel", directive.path("Namespace").asText());
        assertEquals("[[\"Environment\"],[\"Environment\",\"JobName\"]]", directive.path("Dimensions").toString());
        assertEquals("[{\"Name\":\"GlueJobRunSeconds\",\"Unit\":\"Seconds\"},{\"Name\":\"PollsPerJob\",\"Unit\":"
                + "\"Count\"}]",
                directive.path("Metrics").toString());
        assertEquals("dev", emf.path("Environment").asText());
        assertEquals("etl-x", emf.path("JobName").asText());
        assertEquals(7, emf.path("PollsPerJob").asInt());
        assertEquals(3600, emf.path("GlueJobRunSeconds").asInt());
        assertEquals("req-9", emf.path("requestId").asText());
    }
}
