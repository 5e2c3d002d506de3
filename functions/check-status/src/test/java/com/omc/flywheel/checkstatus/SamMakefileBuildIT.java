package com.omc.flywheel.checkstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.SampleEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `sam build` does for a function with {@code BuildMethod: makefile}: run the function's
 * Makefile target from another working directory (SAM uses a scratch folder) with ARTIFACTS_DIR
 * set, and get the deployable lib/ with the handler class in it. (The SAM CLI itself cannot be
 * installed on this machine: it is published only on PyPI.)
 */
class SamMakefileBuildIT {
    @Test
    void theMakefileTargetBuildsTheDeployablePackageFromAScratchFolder(@TempDir Path scratch) throws Exception {
        Path root = SampleEvents.repoRoot();
        Path artifacts = scratch.resolve("artifacts");
        Process p = new ProcessBuilder("make", "--makefile", root.resolve("functions/check-status/Makefile").toString(),
                "build-CheckStatusFunction", "ARTIFACTS_DIR=" + artifacts)
                .directory(scratch.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);

        Path jar = artifacts.resolve("lib/check-status-0.1.0-SNAPSHOT.jar");
        assertTrue(Files.isRegularFile(jar), "the function's jar is under lib/: " + log);
        try (JarFile j = new JarFile(jar.toFile())) {
            assertTrue(j.getEntry("com/omc/flywheel/checkstatus/CheckStatusHandler.class") != null);
        }
        assertTrue(Files.isRegularFile(artifacts.resolve("lib/shared-0.1.0-SNAPSHOT.jar")));
        try (var libs = Files.list(artifacts.resolve("lib"))) {
            assertTrue(libs.noneMatch(f -> f.getFileName().toString().startsWith("apache-client")
                    || f.getFileName().toString().startsWith("netty")), "no Apache or Netty HTTP client");
        }
    }
}
