package com.omc.flywheel.resolvesnapshot;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;

/**
 * One snapshot date for a whole refresh: the newest {@code snapshot_dt=} present under every raw
 * input prefix (so the jobs of one run never read different snapshots, and none reads a snapshot
 * another source lacks), or the operator's date after checking it is there.
 */
public final class ResolveSnapshotHandler extends JsonHandler<ResolveSnapshotRequest, ResolveSnapshotHandler.Result> {
    private static final Pattern FOLDER = Pattern.compile("snapshot_dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/$");
    private static final JsonLog LOG = JsonLog.forFunction("resolve-snapshot");
    private final S3Client s3;

    /**
     * @param snapshotDt  the date every job of the run gets as {@code --SNAPSHOT_DT}
     * @param newestPerPrefix each prefix's own newest date, for the operator
     */
    public record Result(String snapshotDt, boolean resolved, Map<String, String> newestPerPrefix) {
    }

    public ResolveSnapshotHandler() {
        this(AwsClients.build(S3Client.builder()));
    }

    public ResolveSnapshotHandler(S3Client s3) {
        super("resolve-snapshot", ResolveSnapshotRequest.class);
        this.s3 = s3;
    }

    @Override
    protected void primeAws() {
        Priming.call(() -> s3.listObjectsV2(b -> b.bucket(Priming.BUCKET).maxKeys(1)));
    }

    @Override
    protected Result handle(ResolveSnapshotRequest event, Context context) {
        Set<String> common = null;
        Map<String, String> newest = new TreeMap<>();
        for (String prefix : event.rawInputPrefixes()) {
            Set<String> dates = dates(prefix);
            newest.put(prefix, dates.isEmpty() ? null : ((TreeSet<String>) dates).last());
            if (common == null) {
                common = new TreeSet<>(dates);
            } else {
                common.retainAll(dates);
            }
        }
        if (event.snapshotDt() != null) {
            if (!common.contains(event.snapshotDt())) {
                throw new ResourceNotFoundException("snapshot_dt=" + event.snapshotDt() + " is not under every raw input "
                        + "prefix " + event.rawInputPrefixes() + " (newest under each: " + newest + ")");
            }
            return new Result(event.snapshotDt(), false, newest);
        }
        if (common.isEmpty()) {
            throw new ResourceNotFoundException("no snapshot_dt= folder is under every raw input prefix "
                    + event.rawInputPrefixes() + " (newest under each: " + newest + "); load the raw input first");
        }
        String chosen = ((TreeSet<String>) common).last();
        LOG.info("snapshot resolved", "snapshotDt", chosen, "newestPerPrefix", newest, "outcome", "RESOLVED");
        return new Result(chosen, true, newest);
    }

    private Set<String> dates(String uri) {
        String rest = uri.substring("s3://".length());
        String bucket = rest.substring(0, rest.indexOf('/'));
        String prefix = rest.substring(rest.indexOf('/') + 1);
        Set<String> dates = new TreeSet<>();
        try {
            for (CommonPrefix p : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).delimiter("/"))
                    .commonPrefixes()) {
                Matcher m = FOLDER.matcher(p.prefix());
                if (m.find()) {
                    dates.add(m.group(1));
                }
            }
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            throw new ResourceNotFoundException("bucket " + bucket + " of raw input prefix " + uri + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "S3 listing of " + uri);
        }
        return dates;
    }

}
