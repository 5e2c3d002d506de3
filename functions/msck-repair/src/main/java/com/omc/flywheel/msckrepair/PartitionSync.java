package com.omc.flywheel.msckrepair;

import com.omc.flywheel.shared.S3Location;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionResponse;
import software.amazon.awssdk.services.glue.model.GetPartitionsResponse;
import software.amazon.awssdk.services.glue.model.Partition;
import software.amazon.awssdk.services.glue.model.PartitionError;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * GLUE_SYNC for one table: the catalog's partitions (every page; read in parallel segments for
 * large tables) against the S3 folders, and only the missing ones created, at most
 * {@value #BATCH_LIMIT} a call, each with the table's storage descriptor and its own folder.
 */
final class PartitionSync {
    /** BatchCreatePartition's own limit on PartitionInputList. */
    static final int BATCH_LIMIT = 100;
    private final GlueClient glue;
    private final ExecutorService segmentPool;
    private final int segmentThreshold;
    private final int segments;

    /**
     * What one table's sync did: partitions added, already there, orphaned, per-partition errors, and
     * the partitions missing from the catalog (all of them added, unless a dry run, which adds none).
     */
    record Result(int added, int alreadyPresent, int orphaned, List<String> errors, int missing) {
    }

    /**
     * @param segmentThreshold from this many S3 folders on, the catalog is read in {@code segments}
     *                         parallel segments (GetPartitions' Segment)
     */
    PartitionSync(GlueClient glue, ExecutorService segmentPool, int segmentThreshold, int segments) {
        this.glue = glue;
        this.segmentPool = segmentPool;
        this.segmentThreshold = segmentThreshold;
        this.segments = segments;
    }

    /** @param dryRun only count the missing partitions; create none */
    Result sync(String database, Table table, S3Location location, String key, Set<String> folders, boolean dryRun) {
        Set<String> catalog = catalogValues(database, table.name(), folders.size() >= segmentThreshold);
        List<String> missing = folders.stream().filter(v -> !catalog.contains(v)).sorted(PartitionSync::byValue)
                .toList();
        int orphaned = (int) catalog.stream().filter(v -> !folders.contains(v)).count();
        int added = 0;
        int present = 0;
        List<String> errors = new ArrayList<>();
        StorageDescriptor sd = table.storageDescriptor();
        if (dryRun) {
            return new Result(0, 0, orphaned, errors, missing.size());
        }
        for (int from = 0; from < missing.size(); from += BATCH_LIMIT) {
            List<String> chunk = missing.subList(from, Math.min(missing.size(), from + BATCH_LIMIT));
            List<PartitionInput> inputs = chunk.stream().map(v -> PartitionInput.builder()
                    .values(v)
                    .storageDescriptor(sd.toBuilder().location(location.partitionUri(key, v)).build())
                    .build()).toList();
            BatchCreatePartitionResponse r = glue.batchCreatePartition(b -> b.databaseName(database)
                    .tableName(table.name()).partitionInputList(inputs));
            int failedHere = 0;
            for (PartitionError e : r.errors()) {
                String code = e.errorDetail() == null ? "" : e.errorDetail().errorCode();
                if ("AlreadyExistsException".equals(code)) {
                    present++; // created meanwhile by someone else: the state we want
                } else {
                    failedHere++;
                    errors.add(key + "=" + String.join(",", e.partitionValues()) + ": " + code + " "
                            + (e.errorDetail() == null ? "" : e.errorDetail().errorMessage()));
                }
            }
            added += chunk.size() - r.errors().size();
            if (failedHere > 0 && errors.size() >= 20) {
                break; // enough to say what is wrong; the rest would fail the same way
            }
        }
        return new Result(added, present, orphaned, errors, missing.size());
    }

    private Set<String> catalogValues(String database, String table, boolean segmented) {
        if (!segmented || segments < 2) {
            return readSegment(database, table, -1);
        }
        List<CompletableFuture<Set<String>>> parts = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            int segment = i;
            parts.add(CompletableFuture.supplyAsync(() -> readSegment(database, table, segment), segmentPool));
        }
        Set<String> all = new HashSet<>();
        for (CompletableFuture<Set<String>> p : parts) {
            all.addAll(p.join());
        }
        return all;
    }

    private Set<String> readSegment(String database, String table, int segment) {
        Set<String> values = new HashSet<>();
        for (GetPartitionsResponse page : glue.getPartitionsPaginator(b -> {
            b.databaseName(database).tableName(table).excludeColumnSchema(true);
            if (segment >= 0) {
                b.segment(s -> s.segmentNumber(segment).totalSegments(segments));
            }
        })) {
            for (Partition p : page.partitions()) {
                if (p.values().size() == 1) {
                    values.add(p.values().get(0));
                }
            }
        }
        return values;
    }

    /** Numeric values in numeric order (id_bucket=2 before id_bucket=10), others after, by text. */
    private static int byValue(String a, String b) {
        boolean na = a.matches("-?[0-9]{1,18}");
        boolean nb = b.matches("-?[0-9]{1,18}");
        if (na && nb) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return na ? -1 : nb ? 1 : a.compareTo(b);
    }
}
