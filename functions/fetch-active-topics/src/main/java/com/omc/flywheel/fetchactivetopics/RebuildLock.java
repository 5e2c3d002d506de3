package com.omc.flywheel.fetchactivetopics;

import com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler.LockTaken;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.RebuildRefusedException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The historical rebuilder's first step ({@code mode: TAKE_REBUILD_LOCK}), seed 003's protocol: the
 * deployer sets a topic {@code PAUSED} and then starts the rebuild, or starts it on an
 * {@code ENABLED} topic, which the rebuild pauses itself. Either way the rebuild takes the topic's
 * lock: {@code rebuild_lock} = its execution ARN, written with a condition (no lock, or the lock is
 * this execution's own, or it is the stale lock read a moment before), together with
 * {@code flow_control_flag = PAUSED} and {@code rebuild_started_at}. The rebuilder's last step sets
 * {@code ENABLED} and {@code last_updated_at} and removes the lock (on the condition that it still
 * holds it).
 *
 * <p>A rebuild that fails, times out or is stopped keeps the lock (the topic stays PAUSED, as the
 * failure notice says). The lock names its execution, so it is recognisably stale: when the next
 * rebuild of the topic finds a lock held by another execution, it asks Step Functions
 * (DescribeExecution) and takes the lock over only when that execution is no longer running
 * (SUCCEEDED, FAILED, TIMED_OUT, ABORTED, or gone from Step Functions' history); a lock of a running
 * (or pending-redrive) execution refuses the rebuild with {@link RebuildRefusedException} naming it.
 * A redrive of the holder runs as the same execution, so it keeps its lock.
 */
final class RebuildLock {
    static final Set<String> REBUILDABLE = Set.of("ENABLED", "PAUSED");
    /** Read, check, conditional write: a write that loses a race reads again, this many times at most. */
    static final int ROUNDS = 3;
    private static final JsonLog LOG = JsonLog.forFunction("fetch-active-topics");
    private final DynamoDbClient dynamo;
    private final SfnClient sfn;
    private final Supplier<Instant> clock;

    RebuildLock(DynamoDbClient dynamo, SfnClient sfn, Supplier<Instant> clock) {
        this.dynamo = dynamo;
        this.sfn = sfn;
        this.clock = clock;
    }

    LockTaken take(String table, String topic, String executionArn) {
        for (int round = 1; ; round++) {
            Map<String, AttributeValue> item = read(table, topic);
            String flag = item.containsKey("flow_control_flag") ? item.get("flow_control_flag").s() : null;
            if (flag == null || !REBUILDABLE.contains(flag)) {
                throw new RebuildRefusedException("topic " + topic + " has flow_control_flag "
                        + (flag == null ? ActiveTopics.describe(item.get("flow_control_flag")) : "'" + flag + "'")
                        + " in " + table + ": only an ENABLED topic (the rebuild pauses it) or a PAUSED one (the "
                                + "deployer "
                        + "paused it) is rebuilt. Nothing was changed; set the flag, then start the rebuild again");
            }
            String held = item.containsKey("rebuild_lock") ? item.get("rebuild_lock").s() : null;
            String staleFrom = null;
            if (held != null && !held.equals(executionArn)) {
                checkStale(table, topic, held, item, executionArn);
                staleFrom = held;
            }
            String now = TopicRunRecorder.TIME.format(clock.get());
            String expected = held == null ? executionArn : held;
            try {
                dynamo.updateItem(b -> b.tableName(table).key(Map.of("topic_name", AttributeValue.fromS(topic)))
                        .updateExpression("SET flow_control_flag = :paused, rebuild_lock = :me, rebuild_started_at = "
                                + ":now")
                        .conditionExpression("attribute_exists(topic_name) AND flow_control_flag IN (:enabled, :paused)"
                                + " AND (attribute_not_exists(rebuild_lock) OR rebuild_lock IN (:me, :seen))")
                        .expressionAttributeValues(Map.of(":paused", AttributeValue.fromS("PAUSED"),
                                ":enabled", AttributeValue.fromS("ENABLED"), ":me", AttributeValue.fromS(executionArn),
                                ":seen", AttributeValue.fromS(expected), ":now", AttributeValue.fromS(now))));
            } catch (ConditionalCheckFailedException e) {
                if (round >= ROUNDS) {
                    throw new TransientAwsException("the registry item of topic " + topic + " in " + table
                            + " changed under "
                            + ROUNDS + " attempts to take its rebuild lock; the state machine retries this step", e);
                }
                LOG.warn("the topic's registry item changed while taking its rebuild lock; reading it again", "topic",
                        topic,
                        "round", round);
                continue;
            } catch (SdkException e) {
                throw AwsFaults.translate(e, "DynamoDB UpdateItem of topic " + topic + " in " + table);
            }
            LOG.info(staleFrom == null ? "rebuild lock taken" : "stale rebuild lock taken over", "registryTable", table,
                    "topic", topic, "previousFlag", flag, "rebuildLock", executionArn, "tookOverFrom", staleFrom,
                    "outcome", "LOCKED");
            return new LockTaken(topic, flag, executionArn, staleFrom, now);
        }
    }

    private Map<String, AttributeValue> read(String table, String topic) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of("topic_name", AttributeValue.fromS(topic)))).item();
            if (item == null || item.isEmpty()) {
                throw new ResourceNotFoundException("topic " + topic + " is not in the registry table " + table
                        + "; register it (topic_name, is_active, flow_control_flag) before rebuilding it. Nothing was "
                                + "changed");
            }
            return item;
        } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException e) {
            throw new ResourceNotFoundException("topic registry table " + table + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "DynamoDB GetItem of topic " + topic + " in " + table);
        }
    }

    /** Returns when the lock {@code held} is stale; refuses the rebuild while its execution runs. */
    private void checkStale(String table, String topic, String held, Map<String, AttributeValue> item,
            String executionArn) {
        String since = item.containsKey("rebuild_started_at") ? item.get("rebuild_started_at").s() : "an unknown time";
        String remove = " To force it, remove the lock (DynamoDB UpdateItem of topic_name=" + topic + " in " + table
                + " with REMOVE rebuild_lock, rebuild_started_at) and start the rebuild again. Nothing was changed";
        if (!stateMachineOf(held).equals(stateMachineOf(executionArn))) {
            throw new RebuildRefusedException("topic " + topic + " is locked for a rebuild since " + since + " by '"
                    + held
                    + "', which is not an execution of " + stateMachineOf(executionArn)
                            + ": this stack cannot tell whether it "
                    + "is still running." + remove);
        }
        DescribeExecutionResponse holder;
        try {
            holder = sfn.describeExecution(b -> b.executionArn(held));
        } catch (ExecutionDoesNotExistException e) {
            LOG.warn("the rebuild lock's execution is gone from Step Functions' history: the lock is stale", "topic",
                    topic,
                    "rebuildLock", held);
            return;
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Step Functions DescribeExecution of " + held + " (the rebuild lock of topic "
                    + topic + ")");
        }
        ExecutionStatus status = holder.status();
        if (status == ExecutionStatus.RUNNING || status == ExecutionStatus.PENDING_REDRIVE) {
            throw new RebuildRefusedException("topic " + topic + " is being rebuilt by execution " + held + " ("
                    + status
                    + ", lock taken " + since + "): two rebuilds of one topic never run at once. This execution "
                            + "changed "
                    + "nothing; start it again when that one has ended, or stop that one first.");
        }
        LOG.warn("the rebuild lock's execution is no longer running: the lock is stale", "topic", topic, "rebuildLock",
                held,
                "holderStatus", holder.statusAsString(), "holderStopped", String.valueOf(holder.stopDate()));
    }

    /**
     * {@code arn:aws:states:r:a:execution:<machine>:<name>} → {@code arn:aws:states:r:a:stateMachine:<machine>};
     * anything else → the text itself.
     */
    static String stateMachineOf(String executionArn) {
        String[] parts = executionArn.split(":");
        return parts.length >= 8 && parts[0].equals("arn") && parts[2].equals("states") && parts[5].equals("execution")
                ? String.join(":", "arn", parts[1], "states", parts[3], parts[4], "stateMachine", parts[6])
                        : executionArn;
    }
}
