package com.omc.flywheel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Where every benchmark writes its table: {@code bench/results/<name>.json}. */
final class BenchResults {
    private BenchResults() {
    }

    static Path write(String name, Map<String, Object> results) throws IOException {
        Path file = Path.of("bench/results/" + name + ".json");
        Files.createDirectories(file.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
        System.out.println("written: " + file);
        return file;
    }
}
