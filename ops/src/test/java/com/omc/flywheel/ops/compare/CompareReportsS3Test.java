package com.omc.flywheel.ops.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.moto.MotoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 side, read with the real SDK client from moto_server: today's reports under a prefix of a
 * report bucket (with a deeper folder and an in-progress folder that are not read), compared with the
 * same files in a local folder; a bucket that does not exist is refused.
 */
class CompareReportsS3Test {
    @TempDir
    Path tmp;

    @Test
    void anS3PrefixIsReadAsALocalFolderIs() throws IOException {
        try (MotoServer moto = MotoServer.start();
             S3Client s3 = ReportSource.client("us-east-1", null, moto.endpoint())) {
            s3.createBucket(b -> b.bucket("omc-flywheel-prod-reports"));
            Path today = ReportFixtures.fixture("today");
            try (Stream<Path> files = Files.walk(today)) {
                for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".py")).toList()) {
                    String key = today.relativize(f).toString().replace('\\', '/');
                    for (String prefix : new String[] {"monthly/", "monthly/archive/2025-10/"}) {
                        s3.putObject(b -> b.bucket("omc-flywheel-prod-reports").key(prefix + key),
                                RequestBody.fromFile(f));
                    }
                }
            }
            s3.putObject(b -> b.bucket("omc-flywheel-prod-reports").key("monthly/data-monitor/.in-progress/a.json"),
                    RequestBody.fromString("{}"));

            ReportFixtures.Run r = ReportFixtures.run(tmp.resolve("out"), "s3://omc-flywheel-prod-reports/monthly",
                    ReportFixtures.copy("today", tmp.resolve("new")).toString(), "--endpoint", moto.endpoint());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertEquals(5, r.report().path("files").size(), r.out());
            assertEquals("s3://omc-flywheel-prod-reports/monthly/", r.report().path("today").asText());
            assertEquals(0, r.differences(null).size());

            ReportFixtures.Run missing = ReportFixtures.run(tmp.resolve("out2"), "s3://omc-flywheel-none/x/",
                    tmp.resolve("new").toString(), "--endpoint", moto.endpoint());
            assertEquals(2, missing.exit());
            assertTrue(missing.err().startsWith("compare-reports: TODAY: the bucket omc-flywheel-none does not exist"),
                    missing.err());
        }
    }
}
