package com.omc.flywheel.buildreport;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.Datum;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.athena.model.QueryExecutionStatus;
import software.amazon.awssdk.services.athena.model.Row;

/**
 * Runs small Athena queries for the report: at most {@code slots} at once across all tables, each
 * polled every {@code pollMillis} and stopped after {@code timeoutMillis}. A failed or timed-out
 * query is a {@link QueryFailed} for that table's check, never a crash of the report. When the call
 * runs out of time ({@code giveUp}), a query still running is stopped and {@link GaveUp} ends the
 * table's check unfinished: the next call checks that table again.
 */
final class AthenaQueries {
    private final AthenaClient athena;
    private final String workgroup;
    private final String output;
    private final Semaphore slots;
    private final long pollMillis;
    private final long timeoutMillis;
    private final BooleanSupplier giveUp;

    /** Why a query gave no answer. */
    static final class QueryFailed extends RuntimeException {
        QueryFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** The call is out of time: the table's check is left for the next call. */
    static final class GaveUp extends RuntimeException {
        GaveUp(String message) {
            super(message, null, false, false);
        }
    }

    AthenaQueries(AthenaClient athena, String workgroup, String output, int concurrency, long pollMillis,
            long timeoutMillis) {
        this(athena, workgroup, output, concurrency, pollMillis, timeoutMillis, () -> false);
    }

    AthenaQueries(AthenaClient athena, String workgroup, String output, int concurrency, long pollMillis,
            long timeoutMillis,
                  BooleanSupplier giveUp) {
        this.giveUp = giveUp;
        this.athena = athena;
        this.workgroup = workgroup;
        this.output = output;
        this.slots = new Semaphore(concurrency, true);
        this.pollMillis = pollMillis;
        this.timeoutMillis = timeoutMillis;
    }

    /** The first data row of the query's answer, each value as text (null for SQL NULL). */
    List<String> firstRow(String sql) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryFailed("interrupted while waiting for an Athena slot");
        }
        try {
            if (giveUp.getAsBoolean()) {
                throw new GaveUp("out of time before starting the query");
            }
            String id = athena.startQueryExecution(b -> {
                b.queryString(sql).workGroup(workgroup);
                if (output != null) {
                    b.resultConfiguration(c -> c.outputLocation(output));
                }
            }).queryExecutionId();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                QueryExecutionStatus s = athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution()
                        .status();
                if (s.state() == QueryExecutionState.SUCCEEDED) {
                    break;
                }
                if (s.state() == QueryExecutionState.FAILED || s.state() == QueryExecutionState.CANCELLED) {
                    String why = s.athenaError() != null && s.athenaError().errorMessage() != null
                            ? s.athenaError().errorMessage() : s.stateChangeReason();
                    throw new QueryFailed("query " + id + " " + s.stateAsString() + ": " + why);
                }
                if (giveUp.getAsBoolean()) {
                    athena.stopQueryExecution(b -> b.queryExecutionId(id));
                    throw new GaveUp("query " + id + " still " + s.stateAsString()
                            + " when the call ran out of time; stopped");
                }
                if (System.nanoTime() > deadline) {
                    athena.stopQueryExecution(b -> b.queryExecutionId(id));
                    throw new QueryFailed("query " + id + " still " + s.stateAsString() + " after "
                            + timeoutMillis / 1000
                            + " s; stopped");
                }
                Thread.sleep(pollMillis);
            }
            List<Row> rows = athena.getQueryResults(b -> b.queryExecutionId(id).maxResults(2)).resultSet().rows();
            if (rows.size() < 2) {
                throw new QueryFailed("query " + id + " returned no data row");
            }
            return rows.get(1).data().stream().map(Datum::varCharValue).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryFailed("interrupted while polling Athena");
        } finally {
            slots.release();
        }
    }
}
