package com.omc.flywheel.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The sample events under {@code events/} and a way to run a handler on one, as Lambda would. */
public final class SampleEvents {
    private SampleEvents() {
    }

    /** The repository root: {@code -Dflywheel.repo.root} (set by the build), else the working directory's. */
    public static Path repoRoot() {
        String configured = System.getProperty("flywheel.repo.root");
        Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("template.yaml")) && Files.isDirectory(p.resolve("events"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (template.yaml and events/) from " + start);
    }

    public static Path path(String fileName) {
        Path p = repoRoot().resolve("events").resolve(fileName);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no sample event " + p);
        }
        return p;
    }

    public static String read(String fileName) {
        try {
            return Files.readString(path(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every sample event of a function: {@code events/<function>.json} and {@code events/<function>-*.json}. */
    public static List<String> forFunction(String function) {
        try (Stream<Path> files = Files.list(repoRoot().resolve("events"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.equals(function + ".json") || (n.startsWith(function + "-") && n.endsWith(".json")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code handler} on a JSON body with a fresh context (15 minutes, Lambda's longest); the result JSON, or the handler's exception. */
    public static String invoke(RequestStreamHandler handler, String functionName, String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), out,
                    new LocalContext(functionName, 900, 512));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
