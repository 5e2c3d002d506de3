package com.omc.flywheel.resolvesnapshot;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * One snapshot date for a whole refresh: the newest {@code snapshot_dt=} that is complete under every
 * raw input prefix (so the jobs of one run never read different snapshots, none reads a snapshot
 * another source lacks, and none reads a folder still being written), or the operator's date after
 * checking it is complete everywhere.
 *
 * <p>Complete means {@code <prefix>snapshot_dt=<D>/_SUCCESS} exists: the loader writes the marker
 * last, so a folder without it is still being written (or its load failed). S3 calls: one delimiter
 * listing per prefix (the folders), then, newest common date first, at most one marker look-up per
 * date and prefix, stopping at the first prefix that lacks it and at the first date complete under
 * every prefix. The look-up is a ListObjectsV2 with the marker's key as prefix, not a HeadObject:
 * the function's role has {@code s3:ListBucket} on the data bucket ({@code s3:prefix} {@code opus/*},
 * template.yaml ResolveSnapshotFunction), which covers it, and no {@code s3:GetObject}, which
 * HeadObject would need.
 *
 * <p>No two refreshes on one lake: when the event carries {@code executionArn} (db-refresh sends its
 * own, {@code $$.Execution.Id}), the first call is {@link RefreshGuard}'s ListExecutions, and an
 * execution started while an earlier one of the same state machine is running ends here with
 * {@code ConcurrentRefreshException}, before any S3 call. Without {@code executionArn} (a direct
 * invoke, {@code sam local invoke}, {@code bin/flywheel invoke}) there is no such check.
 *
 * <p>One run at a time of the topic orchestrator: with {@code mode: ADMIT} only that guard runs, and
 * its verdict is the answer ({@code admitted}, and the running execution when refused), not an
 * error: the orchestrator's run that finds another one going ends at once, successfully, having
 * started nothing.
 */
public final class ResolveSnapshotHandler extends JsonHandler<ResolveSnapshotRequest, ResolveSnapshotHandler.Result> {
    private static final Pattern FOLDER = Pattern.compile("snapshot_dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/$");
    static final String MARKER = "_SUCCESS";
    private static final JsonLog LOG = JsonLog.forFunction("resolve-snapshot");
    private final S3Client s3;
    private final RefreshGuard guard;

    /**
     * @param snapshotDt          the date every job of the run gets as {@code --SNAPSHOT_DT}
     * @param resolved            true when the newest complete date was resolved, false when the given one was checked
     * @param newestPerPrefix     each prefix's own newest {@code snapshot_dt=} folder (complete or not), for the
     *                            operator
     * @param skippedIncomplete   newer dates present under every prefix but passed over, each with the
     *                            first prefix found without its {@code _SUCCESS} marker (empty when none)
     * @param admitted            {@code ADMIT} only: whether the execution may go on
     * @param runningExecutionArn {@code ADMIT} only, when refused: the running execution that goes on instead
     * @param runningSince        {@code ADMIT} only, when refused: when that execution (last) started
     * @param input               {@code SHADOW} only: the db-refresh input rewritten for the shadow run
     */
    public record Result(String snapshotDt, Boolean resolved, Map<String, String> newestPerPrefix,
                         Map<String, String> skippedIncomplete, Boolean admitted, String runningExecutionArn,
                         String runningSince, com.fasterxml.jackson.databind.JsonNode input) {
        Result(String snapshotDt, Boolean resolved, Map<String, String> newestPerPrefix,
               Map<String, String> skippedIncomplete, Boolean admitted, String runningExecutionArn,
               String runningSince) {
            this(snapshotDt, resolved, newestPerPrefix, skippedIncomplete, admitted, runningExecutionArn,
                    runningSince, null);
        }

        static Result snapshot(String snapshotDt, boolean resolved, Map<String, String> newestPerPrefix,
                               Map<String, String> skippedIncomplete) {
            return new Result(snapshotDt, resolved, newestPerPrefix, skippedIncomplete, null, null, null);
        }
    }

    public ResolveSnapshotHandler() {
        this(AwsClients.build(S3Client.builder()));
    }

    /** With this S3 client and the default Step Functions client. */
    public ResolveSnapshotHandler(S3Client s3) {
        this(s3, AwsClients.build(SfnClient.builder()));
    }

    /** With these clients (tests: moto's, or one at an address nothing answers, to show it is not called). */
    public ResolveSnapshotHandler(S3Client s3, SfnClient sfn) {
        this(s3, new RefreshGuard(sfn));
    }

    ResolveSnapshotHandler(S3Client s3, RefreshGuard guard) {
        super("resolve-snapshot", ResolveSnapshotRequest.class);
        this.s3 = s3;
        this.guard = guard;
    }

    @Override
    protected void primeAws() {
        Priming.call(() -> s3.listObjectsV2(b -> b.bucket(Priming.BUCKET).maxKeys(1)));
        guard.prime();
    }

    @Override
    protected Result handle(ResolveSnapshotRequest event, Context context) {
        if (event.mode() == ResolveSnapshotRequest.Mode.SHADOW) {
            // Checked and rewritten as the event was read (ShadowInput): no AWS call.
            LOG.info("shadow run input checked", "shadow", event.input().get("shadow"), "outcome", "SHADOW");
            return new Result(null, null, null, null, null, null, null, event.input());
        }
        if (event.mode() == ResolveSnapshotRequest.Mode.ADMIT) {
            return admitOnly(event.executionArn());
        }
        if (event.executionArn() != null) {
            guard.admit(event.executionArn());
        }
        TreeSet<String> common = null;
        Map<String, String> newest = new TreeMap<>();
        for (String prefix : event.rawInputPrefixes()) {
            TreeSet<String> dates = dates(prefix);
            newest.put(prefix, dates.isEmpty() ? null : dates.last());
            if (common == null) {
                common = new TreeSet<>(dates);
            } else {
                common.retainAll(dates);
            }
        }
        if (event.snapshotDt() != null) {
            String given = event.snapshotDt();
            if (!common.contains(given)) {
                throw new ResourceNotFoundException("snapshot_dt=" + given + " is not under every raw input "
                        + "prefix " + event.rawInputPrefixes() + " (newest under each: " + newest + ")");
            }
            // Every prefix is looked up (not only up to the first gap), so the error names them all.
            List<String> missing = event.rawInputPrefixes().stream().filter(p -> !hasMarker(p, given))
                    .map(p -> marker(p, given)).toList();
            if (!missing.isEmpty()) {
                throw new ResourceNotFoundException("snapshot_dt=" + given + " is not complete: " + missing
                        + (missing.size() == 1 ? " does" : " do") + " not exist (the folder is still being written, "
                        + "or its load failed); wait for the " + MARKER + " marker or give another snapshotDt");
            }
            LOG.info("snapshot checked", "snapshotDt", given, "newestPerPrefix", newest, "outcome", "GIVEN");
            return Result.snapshot(given, false, newest, Map.of());
        }
        Map<String, String> skipped = new LinkedHashMap<>();
        for (String candidate : common.descendingSet()) {
            String gap = event.rawInputPrefixes().stream().filter(p -> !hasMarker(p, candidate)).findFirst()
                    .orElse(null);
            if (gap == null) {
                LOG.info("snapshot resolved", "snapshotDt", candidate, "newestPerPrefix", newest,
                        "skippedIncomplete", skipped, "outcome", "RESOLVED");
                return Result.snapshot(candidate, true, newest, skipped);
            }
            skipped.put(candidate, gap);
        }
        if (common.isEmpty()) {
            throw new ResourceNotFoundException("no snapshot_dt= folder is under every raw input prefix "
                    + event.rawInputPrefixes() + " (newest under each: " + newest + "); load the raw input first");
        }
        throw new ResourceNotFoundException("no snapshot_dt= folder under every raw input prefix "
                + event.rawInputPrefixes() + " is complete (has its " + MARKER + " marker under every prefix); "
                + "first prefix found without it, by date: " + skipped + "; wait for the load to finish");
    }

    /** The guard alone ({@code mode: ADMIT}): its verdict as the answer, a refusal included. */
    private Result admitOnly(String executionArn) {
        var holder = guard.holderAhead(executionArn);
        if (holder.isEmpty()) {
            LOG.info("run admitted: no earlier execution of its state machine is running", "executionArn",
                    executionArn, "outcome", "ADMITTED");
            return new Result(null, null, null, null, true, null, null);
        }
        String since = RefreshGuard.started(holder.get()).toString();
        LOG.info("run not started: an earlier execution of its state machine is running; it ends here",
                "executionArn", executionArn, "runningExecutionArn", holder.get().executionArn(), "runningSince",
                since, "outcome", "ANOTHER_RUN_GOING");
        return new Result(null, null, null, null, false, holder.get().executionArn(), since);
    }

    /** {@code s3://bucket/prefix/snapshot_dt=D/_SUCCESS}. */
    static String marker(String prefixUri, String snapshotDt) {
        return prefixUri + "snapshot_dt=" + snapshotDt + "/" + MARKER;
    }

    /**
     * Whether the marker of {@code snapshotDt} exists under the prefix: one ListObjectsV2 with the
     * marker's key as prefix and MaxKeys 1 (s3:ListBucket, which the role has; HeadObject would need
     * s3:GetObject). The marker sorts before any longer key it prefixes, so the one key listed is it
     * when it exists.
     */
    private boolean hasMarker(String prefixUri, String snapshotDt) {
        String uri = marker(prefixUri, snapshotDt);
        String rest = uri.substring("s3://".length());
        String bucket = rest.substring(0, rest.indexOf('/'));
        String key = rest.substring(rest.indexOf('/') + 1);
        try {
            return s3.listObjectsV2(b -> b.bucket(bucket).prefix(key).maxKeys(1)).contents().stream()
                    .anyMatch(o -> o.key().equals(key));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            throw new ResourceNotFoundException("bucket " + bucket + " of raw input prefix " + prefixUri
                    + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "S3 listing of " + uri);
        }
    }

    private TreeSet<String> dates(String uri) {
        com.omc.flywheel.shared.S3Location folder = com.omc.flywheel.shared.S3Location.parse(uri);
        String bucket = folder.bucket();
        String prefix = folder.prefix();
        TreeSet<String> dates = new TreeSet<>();
        try {
            for (CommonPrefix p : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).delimiter("/"))
                    .commonPrefixes()) {
                Matcher m = FOLDER.matcher(p.prefix());
                if (m.find()) {
                    dates.add(m.group(1));
                }
            }
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            throw new ResourceNotFoundException("bucket " + bucket + " of raw input prefix " + uri + " does not exist",
                    e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "S3 listing of " + uri);
        }
        return dates;
    }

}
