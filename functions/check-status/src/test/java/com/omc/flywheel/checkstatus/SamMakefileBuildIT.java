package com.omc.flywheel.checkstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.fixtures.SampleEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        // The output goes to a file, read once make has ended: the time limit always fires.
        Path logFile = scratch.resolve("make.log");
        Process p = new ProcessBuilder("make", "--makefile", root.resolve("functions/check-status/Makefile").toString(),
                "build-CheckStatusFunction", "ARTIFACTS_DIR=" + artifacts)
                .directory(scratch.toFile()).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            destroyTree(p);
            fail("make build-CheckStatusFunction did not finish within 300 s: it and its child processes (Maven) "
                    + "were stopped. Its output:\n" + read(logFile));
        }
        String log = read(logFile);
        assertEquals(0, p.exitValue(), log);

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

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** Stops the process and its descendants (listed while it still has them), killing what does not stop in 5 s. */
    private static void destroyTree(Process p) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
