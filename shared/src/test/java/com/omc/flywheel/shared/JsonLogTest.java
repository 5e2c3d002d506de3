package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
