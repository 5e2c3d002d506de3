package com.omc.flywheel.checkstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.ChildProcess;
import com.omc.flywheel.local.fixtures.SampleEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        // The output goes to a file, read once make has ended: the time limit always fires.
        ChildProcess.Result r = ChildProcess.run(new ProcessBuilder("make", "--makefile",
                root.resolve("functions/check-status/Makefile").toString(), "build-CheckStatusFunction",
                "ARTIFACTS_DIR=" + artifacts).directory(scratch.toFile()).redirectErrorStream(true),
                Duration.ofSeconds(300), "make build-CheckStatusFunction");
        String log = r.stdout();
        assertEquals(0, r.exitCode(), log);

        // One shrunk jar: the function, shared and the SDK classes it reaches (the lambda-function
        // profile); the SDK's own jars are not shipped whole.
        Path jar = artifacts.resolve("lib/check-status.jar");
        assertTrue(Files.isRegularFile(jar), "the function's jar is under lib/: " + log);
        try (JarFile j = new JarFile(jar.toFile())) {
            assertTrue(j.getEntry("com/omc/flywheel/checkstatus/CheckStatusHandler.class") != null);
            assertTrue(j.getEntry("com/omc/flywheel/shared/JsonHandler.class") != null,
                    "shared is in the function's jar");
            assertTrue(j.getEntry("software/amazon/awssdk/services/glue/DefaultGlueClient.class") != null);
            assertTrue(j.getEntry("software/amazon/awssdk/services/glue/transform/"
                    + "CreateMlTransformRequestMarshaller.class") == null,
                    "Glue operations the function never calls are shrunk away");
        }
        assertTrue(Files.isRegularFile(artifacts.resolve("lib/jackson-databind-2.18.2.jar")),
                "libraries are copied whole");
        try (var libs = Files.list(artifacts.resolve("lib"))) {
            assertTrue(libs.noneMatch(f -> f.getFileName().toString().startsWith("glue-")
                    || f.getFileName().toString().startsWith("shared-")), "no unshrunk SDK or shared jar");
        }
        try (var libs = Files.list(artifacts.resolve("lib"))) {
            assertTrue(libs.noneMatch(f -> f.getFileName().toString().startsWith("apache-client")
                    || f.getFileName().toString().startsWith("netty")), "no Apache or Netty HTTP client");
        }
    }
}
