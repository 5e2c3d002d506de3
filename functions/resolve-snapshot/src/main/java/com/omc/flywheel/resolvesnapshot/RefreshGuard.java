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
 * No two refreshes on one lake: an execution goes on only when no other execution of its state
 * machine that started before it is running. The first step of db-refresh asks (both the monthly
 * schedule and the snapshot-arrival rule start the same state machine, so the check lives in the
 * execution, not in a command line).
 *
 * <p>One {@code states:ListExecutions} of the state machine (derived from the execution's ARN) with
 * {@code statusFilter RUNNING}, every page. The earliest running execution holds the lake: by start
 * time, then, on a tie, by the smaller ARN, so of two started together exactly one goes on. The
 * asking execution not listed yet (ListExecutions is eventually consistent) counts as started now.
 * Not a lock: two executions each not yet listed in the other's answer would both go on; Step
 * Functions lists an execution well within the time a refresh takes to reach this step (a Lambda
 * invoke), so this needs two starts within that moment.
 */
final class RefreshGuard {
    /** ListExecutions' largest page: one call for any number of executions a lake can have running. */
    static final int PAGE_SIZE = 1000;
    private static final JsonLog LOG = JsonLog.forFunction("resolve-snapshot");
    private final SfnClient sfn;
    private final int pageSize;

    RefreshGuard(SfnClient sfn) {
        this(sfn, PAGE_SIZE);
    }

    /** With a smaller page, for tests that go through several pages. */
    RefreshGuard(SfnClient sfn, int pageSize) {
        this.sfn = sfn;
        this.pageSize = pageSize;
    }

    /**
     * Returns when {@code executionArn} may go on; throws {@link ConcurrentRefreshException} naming
     * the running execution that holds the lake otherwise.
     */
    void admit(String executionArn) {
        String stateMachineArn = stateMachineArn(executionArn);
        List<ExecutionListItem> running = new ArrayList<>();
        try {
            sfn.listExecutionsPaginator(b -> b.stateMachineArn(stateMachineArn).statusFilter(ExecutionStatus.RUNNING)
                    .maxResults(pageSize)).executions().forEach(running::add);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Step Functions ListExecutions (RUNNING) of " + stateMachineArn);
        }
        Optional<ExecutionListItem> holder = holder(executionArn, running, Instant.now());
        if (holder.isEmpty()) {
            LOG.info("refresh admitted: no earlier execution is running", "executionArn", executionArn,
                    "runningExecutions", running.size(), "outcome", "ADMITTED");
            return;
        }
        ExecutionListItem other = holder.get();
        LOG.warn("refresh refused: another execution is running", "executionArn", executionArn,
                "runningExecutionArn", other.executionArn(), "runningSince", other.startDate().toString(),
                "outcome", "REFUSED");
        throw new ConcurrentRefreshException("another refresh is running on this lake: " + other.executionArn()
                + " (started " + other.startDate() + "). This execution (" + executionArn + ") did nothing and stops"
                + " here; the running one continues. Nothing to resume: start a new refresh once it has ended, if"
                + " one is still needed.", other.executionArn());
    }

    /**
     * The running execution, other than {@code self}, that started before it (on equal start times,
     * the one with the smaller ARN), or empty when {@code self} is the earliest. {@code self} missing
     * from {@code running} counts as started at {@code now}.
     */
    static Optional<ExecutionListItem> holder(String self, List<ExecutionListItem> running, Instant now) {
        Instant selfStart = running.stream().filter(e -> e.executionArn().equals(self)).map(ExecutionListItem::startDate)
                .findFirst().orElse(now);
        Comparator<ExecutionListItem> order = Comparator.comparing(ExecutionListItem::startDate)
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
