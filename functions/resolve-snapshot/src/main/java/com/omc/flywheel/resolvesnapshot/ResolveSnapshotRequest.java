package com.omc.flywheel.resolvesnapshot;

import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The resolve-snapshot event: the raw-input prefixes whose {@code snapshot_dt=YYYY-MM-DD/} folders
 * the refresh reads, optionally the date the operator chose, and the ARN of the execution asking.
 *
 * @param rawInputPrefixes {@code s3://bucket/opus/<source>/raw_input/}, 1 to 10 ({@code RESOLVE} only)
 * @param snapshotDt       when given, it is checked to be complete ({@code snapshot_dt=D/_SUCCESS}) under every
 *                         prefix and returned ({@code RESOLVE} only)
 * @param executionArn     the calling Step Functions execution's own ARN ({@code $$.Execution.Id}, which
 *                         db-refresh and the topic orchestrator send): when given, the execution may go on
 *                         only if no earlier execution of the same state machine is running
 *                         ({@link RefreshGuard}); absent (a direct invoke, {@code sam local invoke}), no
 *                         such check
 * @param mode             {@code RESOLVE} (default): the snapshot, and a refused execution is
 *                         ConcurrentRefreshException (db-refresh); {@code ADMIT}: only the guard, answered
 *                         {@code admitted} true or false, never an error for a refusal (the topic
 *                         orchestrator: a run that finds another one going ends, it does not fail);
 *                         needs {@code executionArn}, takes no prefixes and no date; {@code SHADOW}:
 *                         db-refresh's first step of a shadow run, no AWS call at all: {@code input} checked
 *                         and answered rewritten ({@link ShadowInput})
 * @param input            {@code SHADOW} only: the whole db-refresh input, with its {@code shadow} member
 */
public record ResolveSnapshotRequest(List<String> rawInputPrefixes, String snapshotDt, String executionArn,
                                     Mode mode, com.fasterxml.jackson.databind.JsonNode input) {
    /** A Step Functions execution ARN: {@code arn:<partition>:states:<region>:<account>:execution:<machine>:<name>}. */
    static final Pattern EXECUTION_ARN = Pattern.compile(
            "^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_.-]{1,80}$");

    public enum Mode { RESOLVE, ADMIT, SHADOW }

    /** A {@code RESOLVE} or {@code ADMIT} event. */
    public ResolveSnapshotRequest(List<String> rawInputPrefixes, String snapshotDt, String executionArn, Mode mode) {
        this(rawInputPrefixes, snapshotDt, executionArn, mode, null);
    }

    public ResolveSnapshotRequest {
        mode = mode == null ? Mode.RESOLVE : mode;
        if ((mode == Mode.SHADOW) != (input != null)) {
            throw new InvalidInputException("input", mode == Mode.SHADOW ? "is required with mode SHADOW: the "
                    + "db-refresh input ($)" : "goes with mode SHADOW only");
        }
        if (mode == Mode.SHADOW) {
            if (rawInputPrefixes != null || snapshotDt != null || executionArn != null) {
                throw new InvalidInputException(rawInputPrefixes != null ? "rawInputPrefixes" : snapshotDt != null
                        ? "snapshotDt" : "executionArn", "is not taken with mode SHADOW, which only checks and "
                        + "rewrites the input");
            }
            input = ShadowInput.rewrite(input);
        }
        if (mode == Mode.ADMIT) {
            if (executionArn == null) {
                throw new InvalidInputException("executionArn", "is required with mode ADMIT: the ARN of the "
                        + "execution asking whether it may go on ($$.Execution.Id)");
            }
            if (rawInputPrefixes != null || snapshotDt != null) {
                throw new InvalidInputException(rawInputPrefixes != null ? "rawInputPrefixes" : "snapshotDt",
                        "is not taken with mode ADMIT, which only says whether the execution may go on");
            }
        }
        if (mode == Mode.RESOLVE) {
            if (rawInputPrefixes == null || rawInputPrefixes.isEmpty() || rawInputPrefixes.size() > 10) {
                throw new InvalidInputException("rawInputPrefixes", "must list 1 to 10 s3://bucket/prefix/ locations");
            }
            for (int i = 0; i < rawInputPrefixes.size(); i++) {
                String p = rawInputPrefixes.get(i);
                if (p == null || !p.matches("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9!_.*'()=-]+/)*$")) {
                    throw new InvalidInputException("rawInputPrefixes[" + i + "]",
                            "must be s3://bucket/prefix/ ending in '/' (got '"
                            + p + "')");
                }
            }
            rawInputPrefixes = List.copyOf(rawInputPrefixes);
        }
        if (snapshotDt != null) {
            Identifiers.isoDate("snapshotDt", snapshotDt);
        }
        if (executionArn != null && !EXECUTION_ARN.matcher(executionArn).matches()) {
            throw new InvalidInputException("executionArn", "must be a Step Functions execution ARN, "
                    + "arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME (db-refresh sends $$.Execution.Id; "
                    + "leave it out when invoking by hand) (got '"
                    + (executionArn.length() <= 200 ? executionArn : executionArn.substring(0, 197) + "...") + "')");
        }
    }
}
