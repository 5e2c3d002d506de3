package com.omc.flywheel.msckrepair;

import com.omc.flywheel.shared.S3Location;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;

/**
 * The partition folders under a table's location, {@code <location>/<key>=<value>/}, read with a
 * delimiter listing (one level, every page): MSCK's recursive listing of every object is what
 * makes it slow.
 */
record PartitionFolders(Set<String> values, List<String> ignored) {

    static PartitionFolders list(S3Client s3, S3Location location, String key, boolean integerKey) {
        Set<String> values = new LinkedHashSet<>();
        List<String> ignored = new ArrayList<>();
        String marker = location.prefix() + key + "=";
        for (CommonPrefix p : s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(location.prefix())
                .delimiter("/")).commonPrefixes()) {
            String folder = p.prefix();
            if (!folder.startsWith(marker)) {
                continue; // metadata/, _temporary/ and other siblings are not partitions
            }
            String value = folder.substring(marker.length(), folder.length() - 1);
            if (value.isEmpty() || (integerKey && !value.matches("-?[0-9]{1,10}"))) {
                ignored.add(folder);
            } else {
                values.add(value); // as written: the partition's location must be this very folder
            }
        }
        return new PartitionFolders(values, ignored);
    }
}
