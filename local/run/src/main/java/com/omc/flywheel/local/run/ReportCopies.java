package com.omc.flywheel.local.run;

import static com.omc.flywheel.local.run.SampleWorld.REPORTS;

import com.omc.flywheel.shared.AwsClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The reports the refresh wrote to the reports bucket, copied into local-run's output folder. */
final class ReportCopies {
    /** Where a shadow run writes its reports in the reports bucket. */
    static final String SHADOW = "shadow/";

    private ReportCopies() {
    }

    /**
     * Copies every object under {@code data-monitor/} and {@code cleanrooms-reports/} of the reports
     * bucket into {@code into} (same relative keys); a write that fails names local-run's {@code out}.
     * Returns the files written.
     */
    static List<Path> copy(Path into, Path out) {
        List<Path> copied = new ArrayList<>();
        for (String prefix : List.of("data-monitor/", "cleanrooms-reports/")) {
            copied.addAll(copy(prefix, "", into, out));
        }
        return copied;
    }

    /**
     * A shadow run's files: every object under {@code shadow/} of the reports bucket (its reports and
     * shadow.json; not the data monitor's state between calls) into {@code into}, without the
     * {@code shadow/} folder, so {@code into} is laid out as local-run's own output folder.
     */
    static List<Path> copyShadow(Path into, Path out) {
        return copy(SHADOW, SHADOW, into, out);
    }

    /** The objects under {@code prefix}, each to {@code into} + its key without {@code strip}. */
    private static List<Path> copy(String prefix, String strip, Path into, Path out) {
        S3Client s3 = AwsClients.build(S3Client.builder());
        List<Path> copied = new ArrayList<>();
        try {
            Files.createDirectories(into);
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(REPORTS).prefix(prefix)).contents()) {
                if (o.key().contains("/.in-progress/")) {
                    continue;
                }
                Path target = into.resolve(o.key().substring(strip.length()));
                Files.createDirectories(target.getParent());
                Files.write(target, s3.getObjectAsBytes(b -> b.bucket(REPORTS).key(o.key())).asByteArray());
                copied.add(target);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the reports under " + out, e);
        }
        return copied;
    }
}
