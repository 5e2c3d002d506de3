package com.omc.flywheel.resolvesnapshot;

import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ConcurrentRefreshException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * One execution at a time of a state machine: an execution goes on only when no other execution of
 * its state machine that started before it is running. The first step of db-refresh asks (no two
 * refreshes on one lake: both the monthly schedule and the snapshot-arrival rule start the same
 * state machine, so the check lives in the execution, not in a command line), and so does the first
 * step of the topic orchestrator (its schedule starts a run every 15 minutes whether or not the last
 * one ended).
 *
 * <p>{@code states:ListExecutions} of the state machine (derived from the execution's ARN) with
 * {@code statusFilter RUNNING}, every page. The earliest running execution holds the state machine:
 * by the time it last started (its redrive, if it was redriven, else its start), then, on a tie, by
 * the smaller ARN, so of two started together exactly one goes on. The asking execution not listed
 * yet counts as started now. ListExecutions is eventually consistent, and EventBridge and S3 deliver
 * at least once (the snapshot-arrival rule can start two executions a moment apart): an execution
 * admitted by the first listing asks again {@code REFRESH_GUARD_SETTLE_SECONDS} (5) later, by when
 * each of two such executions lists the other. Not a lock: two starts whose listings stay blind to
 * each other for longer would both go on.
 */
final class RefreshGuard {
    /** ListExecutions' largest page: one call for any number of executions a lake can have running. */
    static final int PAGE_SIZE = 1000;
    private static final JsonLog LOG = JsonLog.forFunction("resolve-snapshot");
    private final SfnClient sfn;
    private final int pageSize;
    private final long settleMillis;

    RefreshGuard(SfnClient sfn) {
        this(sfn, PAGE_SIZE, com.omc.flywheel.shared.Settings.intValue("REFRESH_GUARD_SETTLE_SECONDS", 5) * 1000L);
    }

    /** With a smaller page, for tests that go through several pages, and the pause between the two listings. */
    RefreshGuard(SfnClient sfn, int pageSize, long settleMillis) {
        this.sfn = sfn;
        this.pageSize = pageSize;
        this.settleMillis = settleMillis;
    }

    /**
     * Returns when {@code executionArn} may go on; throws {@link ConcurrentRefreshException} naming
     * the running execution that holds the lake otherwise.
     */
    void admit(String executionArn) {
        Optional<ExecutionListItem> holder = holderAhead(executionArn);
        if (holder.isEmpty()) {
            LOG.info("refresh admitted: no earlier execution is running", "executionArn", executionArn,
                    "outcome", "ADMITTED");
            return;
        }
        ExecutionListItem other = holder.get();
        LOG.warn("refresh refused: another execution is running", "executionArn", executionArn,
                "runningExecutionArn", other.executionArn(), "runningSince", started(other).toString(),
                "outcome", "REFUSED");
        // What the db-refresh-failed alarm subtracts: a refused start is a FAILED execution that did
        // nothing and needs nothing (its notice says so), not a failure to page for.
        LOG.metrics("refresh refused", java.util.Map.of("RefreshesRefused", 1), null, null);
        throw new ConcurrentRefreshException("another refresh is running on this lake: " + other.executionArn()
                + " (started " + started(other) + "). This execution (" + executionArn + ") did nothing and stops"
                + " here; the running one continues. Nothing to resume: start a new refresh once it has ended, if"
                + " one is still needed.", other.executionArn());
    }

    /**
     * The running execution of {@code executionArn}'s state machine that holds it (started before it,
     * or at the same moment with a smaller ARN), after the second listing when the first found none;
     * empty when {@code executionArn} may go on.
     */
    Optional<ExecutionListItem> holderAhead(String executionArn) {
        String stateMachineArn = stateMachineArn(executionArn);
        Optional<ExecutionListItem> holder = holder(executionArn, running(stateMachineArn), Instant.now());
        if (holder.isEmpty() && settleMillis > 0) {
            try {
                Thread.sleep(settleMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting to list the running executions again", e);
            }
            holder = holder(executionArn, running(stateMachineArn), Instant.now());
        }
        return holder;
    }

    /** SnapStart: the Step Functions client's classes and connection, before the snapshot. */
    void prime() {
        com.omc.flywheel.shared.Priming.call(() -> sfn.listExecutions(b -> b.stateMachineArn(
                "arn:aws:states:us-east-1:000000000000:stateMachine:" + com.omc.flywheel.shared.Priming.NAME)
                        .maxResults(1)));
    }

    private List<ExecutionListItem> running(String stateMachineArn) {
        List<ExecutionListItem> running = new ArrayList<>();
        try {
            sfn.listExecutionsPaginator(b -> b.stateMachineArn(stateMachineArn).statusFilter(ExecutionStatus.RUNNING)
                    .maxResults(pageSize)).executions().forEach(running::add);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Step Functions ListExecutions (RUNNING) of " + stateMachineArn);
        }
        return running;
    }

    /** When an execution last started: its redrive, if it was redriven, else its start. */
    static Instant started(ExecutionListItem e) {
        return e.redriveDate() != null && e.redriveDate().isAfter(e.startDate()) ? e.redriveDate() : e.startDate();
    }

    /**
     * The running execution, other than {@code self}, that started before it (on equal start times,
     * the one with the smaller ARN), or empty when {@code self} is the earliest. {@code self} missing
     * from {@code running} counts as started at {@code now}.
     */
    static Optional<ExecutionListItem> holder(String self, List<ExecutionListItem> running, Instant now) {
        Instant selfStart = running.stream().filter(e -> e.executionArn().equals(self)).map(RefreshGuard::started)
                .findFirst().orElse(now);
        Comparator<ExecutionListItem> order = Comparator.comparing(RefreshGuard::started)
                .thenComparing(ExecutionListItem::executionArn);
        ExecutionListItem me = ExecutionListItem.builder().executionArn(self).startDate(selfStart).build();
        return running.stream().filter(e -> !e.executionArn().equals(self)).filter(e -> order.compare(e, me) < 0)
                .min(order);
    }

    /** {@code arn:P:states:R:A:execution:NAME:EXEC} → {@code arn:P:states:R:A:stateMachine:NAME}. */
    static String stateMachineArn(String executionArn) {
        int at = executionArn.indexOf(":execution:");
        String rest = executionArn.substring(at + ":execution:".length());
        return executionArn.substring(0, at) + ":stateMachine:" + rest.substring(0, rest.indexOf(':'));
    }
}
