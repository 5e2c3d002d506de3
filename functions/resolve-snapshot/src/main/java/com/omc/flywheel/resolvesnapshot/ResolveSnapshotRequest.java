package com.omc.flywheel.resolvesnapshot;

import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.List;

/**
 * The resolve-snapshot event: the raw-input prefixes whose {@code snapshot_dt=YYYY-MM-DD/} folders
 * the refresh reads, and optionally the date the operator chose.
 *
 * @param rawInputPrefixes {@code s3://bucket/opus/<source>/raw_input/}, 1 to 10
 * @param snapshotDt       when given, it is checked to be complete ({@code snapshot_dt=D/_SUCCESS}) under every
 *                         prefix and returned
 */
public record ResolveSnapshotRequest(List<String> rawInputPrefixes, String snapshotDt) {
    public ResolveSnapshotRequest {
        if (rawInputPrefixes == null || rawInputPrefixes.isEmpty() || rawInputPrefixes.size() > 10) {
            throw new InvalidInputException("rawInputPrefixes", "must list 1 to 10 s3://bucket/prefix/ locations");
        }
        for (int i = 0; i < rawInputPrefixes.size(); i++) {
            String p = rawInputPrefixes.get(i);
            if (p == null || !p.matches("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9!_.*'()=-]+/)*$")) {
                throw new InvalidInputException("rawInputPrefixes[" + i + "]", "must be s3://bucket/prefix/ ending in '/' (got '"
                        + p + "')");
            }
        }
        rawInputPrefixes = List.copyOf(rawInputPrefixes);
        if (snapshotDt != null) {
            Identifiers.isoDate("snapshotDt", snapshotDt);
        }
    }
}
