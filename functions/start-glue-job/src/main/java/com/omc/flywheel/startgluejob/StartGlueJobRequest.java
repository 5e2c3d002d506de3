package com.omc.flywheel.startgluejob;

import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The start-glue-job event (docs/functions.md). Valid by construction: the compact constructor applies
 * every rule before the handler can make an AWS call.
 *
 * @param jobName         the Glue job
 * @param arguments       run arguments, each key {@code --KEY}
 * @param snapshotDt      optional {@code YYYY-MM-DD}; becomes {@code --SNAPSHOT_DT}
 * @param onConcurrentRun {@code ATTACH} (default) adopts a run of the same job with the same
 *                        arguments that is already going; {@code FAIL} never adopts
 * @param onConcurrencyLimit what the job's concurrency limit (MaxConcurrentRuns runs going, none of
 *                        them adopted) gives: {@code TRANSIENT} (default) a TransientAwsException,
 *                        retried like any transient fault; {@code WAIT} (every state machine's job
 *                        loop) no error but the answer {@code status: WAITING_FOR_SLOT}, on which the
 *                        caller waits {@code nextWaitSeconds} and asks again; {@code QUEUE}
 *                        (deprecated: what the topic machines sent before WAIT) a
 *                        ConcurrencyLimitException, kept so that executions started under the old
 *                        definitions finish across a deployment
 */
public record StartGlueJobRequest(String jobName, Map<String, String> arguments, String snapshotDt,
                                  OnConcurrentRun onConcurrentRun, OnConcurrencyLimit onConcurrencyLimit) {
    /** The snapshot argument, and the value today's jobs read as "the latest snapshot". */
    public static final String SNAPSHOT_ARGUMENT = "--SNAPSHOT_DT";
    public static final String LATEST_SNAPSHOT = "_NONE_";
    /** Glue takes at most 50 arguments of its own per run; more is certainly a mistake. */
    static final int MAX_ARGUMENTS = 50;

    public enum OnConcurrentRun { ATTACH, FAIL }

    public enum OnConcurrencyLimit { TRANSIENT, WAIT, QUEUE }

    public StartGlueJobRequest {
        Identifiers.glueJob("jobName", jobName);
        SortedMap<String, String> args = new TreeMap<>();
        if (arguments != null) {
            if (arguments.size() > MAX_ARGUMENTS) {
                throw new InvalidInputException("arguments", "must hold at most " + MAX_ARGUMENTS
                        + " entries (got " + arguments.size() + ")");
            }
            for (Map.Entry<String, String> e : arguments.entrySet()) {
                String field = "arguments." + e.getKey();
                if (!Identifiers.GLUE_ARGUMENT_KEY.matcher(e.getKey()).matches()) {
                    throw new InvalidInputException(field, "argument keys must start with '--' followed by a name "
                            + "of letters, digits, '_', '.', '-' (e.g. --DATABASE)");
                }
                if (e.getValue() == null) {
                    throw new InvalidInputException(field, "must be a string, not null");
                }
                args.put(e.getKey(), e.getValue());
            }
        }
        if (snapshotDt != null) {
            Identifiers.isoDate("snapshotDt", snapshotDt);
            String given = args.get(SNAPSHOT_ARGUMENT);
            if (given != null && !given.equals(LATEST_SNAPSHOT) && !given.equals(snapshotDt)) {
                throw new InvalidInputException("snapshotDt", "'" + snapshotDt + "' contradicts arguments."
                        + SNAPSHOT_ARGUMENT + "='" + given + "'; give the date once");
            }
            args.put(SNAPSHOT_ARGUMENT, snapshotDt);
        }
        arguments = Collections.unmodifiableSortedMap(args);
        onConcurrentRun = onConcurrentRun == null ? OnConcurrentRun.ATTACH : onConcurrentRun;
        onConcurrencyLimit = onConcurrencyLimit == null ? OnConcurrencyLimit.TRANSIENT : onConcurrencyLimit;
    }
}
