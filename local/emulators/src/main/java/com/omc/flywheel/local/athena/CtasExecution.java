package com.omc.flywheel.local.athena;

import com.omc.flywheel.local.proxy.AwsProxy;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One CTAS query the stand-in took, through its life: what was asked (kept for the idempotency of a
 * retry and to run it later), the polls that still see it RUNNING, and how it ended. The query runs
 * once, when a poll first sees it past RUNNING ({@link #settle}): until then nothing is written.
 */
final class CtasExecution {
    private static final DateTimeFormatter ENGINE_ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    final String id;
    /** The engine's query id (Trino's), which names the files the query writes. */
    final String engineId;
    final String query;
    final String database;
    final String catalog;
    final String workGroup;
    /** The results location, ending in '/'. */
    final String outputBase;
    final String token;
    final String requestedOutput;
    /** The caller's StartQueryExecution: the accesses of the query are authorized as its principal. */
    final AwsProxy.Call caller;
    /** The workgroup enforces its results location (and so refuses external_location). */
    final boolean enforcedOutput;
    final Instant submitted = Instant.now();
    private final AtomicInteger runningPollsLeft;

    private volatile Instant completed;
    private volatile long engineMillis;
    private volatile boolean succeeded;
    private volatile String reason;
    private volatile int errorType;
    /** Written by the executor as it runs. */
    volatile long rows;
    volatile long scannedBytes;
    volatile String manifest;

    CtasExecution(String id, String query, String database, String catalog, String workGroup, String outputBase,
                  String token, String requestedOutput, AwsProxy.Call caller, boolean enforcedOutput,
                  int runningPolls) {
        this.id = id;
        this.engineId = ENGINE_ID_TIME.format(submitted) + "_" + String.format("%05d", RANDOM.nextInt(100_000))
                + "_" + randomLetters(5);
        this.query = query;
        this.database = database;
        this.catalog = catalog;
        this.workGroup = workGroup;
        this.outputBase = outputBase;
        this.token = token;
        this.requestedOutput = requestedOutput;
        this.caller = caller;
        this.enforcedOutput = enforcedOutput;
        this.runningPollsLeft = new AtomicInteger(runningPolls);
    }

    /** Whether a retry with this query's token asks for the same query (Athena's idempotent parameters). */
    boolean sameRequest(String sql, String database, String catalog, String requestedOutput) {
        return query.equals(sql) && Objects.equals(this.database, database) && Objects.equals(this.catalog, catalog)
                && Objects.equals(this.requestedOutput, requestedOutput);
    }

    /** Counts one poll; true while the query still shows RUNNING to this poll. */
    boolean pollRunning() {
        return runningPollsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    /** Whether a poll has seen the query end (it has run): until then it is RUNNING to every other call. */
    boolean ended() {
        return completed != null;
    }

    /**
     * Runs the query, the first time it is seen past RUNNING, and records how it ended: the work
     * (files, manifest, table) is done by the poll that then reports SUCCEEDED or FAILED.
     */
    synchronized void settle(CtasExecutor executor) {
        if (completed != null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            executor.run(this);
            succeeded = true;
        } catch (AthenaFailure f) {
            fail(f.errorType, f.getMessage());
        } catch (RuntimeException unexpected) {
            // A fault of the stand-in itself (or of moto): the query fails loudly, naming it.
            fail(AthenaFailure.INTERNAL, AthenaFailure.STAND_IN + " failed: " + unexpected);
            unexpected.printStackTrace();
        }
        engineMillis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
        Instant now = Instant.now();
        completed = now.isBefore(submitted) ? submitted : now;
    }

    private void fail(int type, String why) {
        succeeded = false;
        errorType = type;
        reason = why;
    }

    /** When the query ended; null until it has run. */
    Instant completed() {
        return completed;
    }

    boolean succeeded() {
        return succeeded;
    }

    /** Athena's StateChangeReason of a failed query. */
    String reason() {
        return reason;
    }

    int errorType() {
        return errorType;
    }

    /** From submission to completion (at least 1 ms); 0 until the query has run. */
    long totalMillis() {
        Instant end = completed;
        return end == null ? 0 : Math.max(1, end.toEpochMilli() - submitted.toEpochMilli());
    }

    /** The time the engine spent running the query (at most the total). */
    long engineMillis() {
        return Math.min(engineMillis, totalMillis());
    }

    private static String randomLetters(int n) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
