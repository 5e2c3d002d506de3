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
    private ReportCopies() {
    }

    /**
     * Copies every object under {@code data-monitor/} and {@code cleanrooms-reports/} of the reports
     * bucket into {@code into} (same relative keys); a write that fails names local-run's {@code out}.
     * Returns the files written.
     */
    static List<Path> copy(Path into, Path out) {
        S3Client s3 = AwsClients.build(S3Client.builder());
        List<Path> copied = new ArrayList<>();
        try {
            Files.createDirectories(into);
            for (String prefix : List.of("data-monitor/", "cleanrooms-reports/")) {
                for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(REPORTS).prefix(prefix)).contents()) {
                    Path target = into.resolve(o.key());
                    Files.createDirectories(target.getParent());
                    Files.write(target, s3.getObjectAsBytes(b -> b.bucket(REPORTS).key(o.key())).asByteArray());
                    copied.add(target);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the reports under " + out, e);
        }
        return copied;
    }
}
