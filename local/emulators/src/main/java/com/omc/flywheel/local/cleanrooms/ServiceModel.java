package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * An AWS service's official API model (botocore's {@code service-2.json}, which ships with the
 * moto install on this machine): its operations with their HTTP bindings, and its shapes, so a
 * stand-in routes and validates requests exactly as the real service's model says.
 */
public final class ServiceModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String service;
    private final JsonNode shapes;
    private final List<Operation> operations = new ArrayList<>();

    /** One operation: {@code GET /memberships/{membershipIdentifier}} and its input and output shapes. */
    public record Operation(String name, String method, Pattern path, List<String> pathLabels, String inputShape,
                            String outputShape, int successCode) {
    }

    /** An operation matched to a request, with its path parameters. */
    public record Match(Operation operation, Map<String, String> pathParameters) {
    }

    private final JsonNode model;

    private ServiceModel(String service, JsonNode model) {
        this.service = service;
        this.model = model;
        this.shapes = model.get("shapes");
        for (Iterator<Map.Entry<String, JsonNode>> it = model.get("operations").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode http = e.getValue().get("http");
            String uri = http.get("requestUri").asText();
            String pathOnly = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
            List<String> labels = new ArrayList<>();
            Matcher m = Pattern.compile("\\{([^}+]+)\\+?}").matcher(pathOnly);
            StringBuilder regex = new StringBuilder("^");
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(pathOnly.substring(last, m.start()))).append("([^/]+)");
                labels.add(m.group(1));
                last = m.end();
            }
            regex.append(Pattern.quote(pathOnly.substring(last))).append("/?$");
            operations.add(new Operation(e.getKey(), http.get("method").asText(), Pattern.compile(regex.toString()),
                    labels, e.getValue().path("input").path("shape").asText(null),
                    e.getValue().path("output").path("shape").asText(null), http.path("responseCode").asInt(200)));
        }
    }

    public String service() {
        return service;
    }

    /** The error shapes the model lists for {@code operation} (what the service can answer it with). */
    public List<String> errors(String operation) {
        JsonNode op = model.path("operations").path(operation);
        if (op.isMissingNode()) {
            throw new IllegalArgumentException(service + " model has no operation " + operation);
        }
        List<String> errors = new ArrayList<>();
        op.path("errors").forEach(e -> errors.add(e.path("shape").asText()));
        return errors;
    }

    public JsonNode shape(String name) {
        JsonNode s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException(service + " model has no shape " + name);
        }
        return s;
    }

    public List<Operation> operations() {
        return operations;
    }

    /** The operation for a request; where several templates match, the one with the fewest labels. */
    public Match match(String method, String path) {
        Operation best = null;
        for (Operation op : operations) {
            if (op.method().equals(method) && op.path().matcher(path).matches()
                    && (best == null || op.pathLabels().size() < best.pathLabels().size())) {
                best = op;
            }
        }
        if (best != null) {
            Operation op = best;
            Matcher m = op.path().matcher(path);
            if (m.matches()) {
                Map<String, String> params = new LinkedHashMap<>();
                for (int i = 0; i < op.pathLabels().size(); i++) {
                    params.put(op.pathLabels().get(i), java.net.URLDecoder.decode(m.group(i + 1),
                            StandardCharsets.UTF_8));
                }
                return new Match(op, params);
            }
        }
        return null;
    }

    /** Loads {@code <botocore>/data/<service>/<newest version>/service-2.json(.gz)}. */
    public static ServiceModel load(String service) {
        Path dir = botocoreData().resolve(service);
        try (Stream<Path> versions = Files.list(dir)) {
            Path version = versions.filter(Files::isDirectory).sorted().reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalStateException("no model version under " + dir));
            Path plain = version.resolve("service-2.json");
            Path gz = version.resolve("service-2.json.gz");
            try (InputStream in = Files.exists(plain) ? Files.newInputStream(plain)
                    : new GZIPInputStream(Files.newInputStream(gz))) {
                return new ServiceModel(service, JSON.readTree(in));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the " + service + " API model under " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static Path botocoreData;

    /** botocore's data folder: {@code BOTOCORE_DATA} if set, else asked of the python3 that runs moto. */
    static synchronized Path botocoreData() {
        if (botocoreData != null) {
            return botocoreData;
        }
        String configured = System.getenv("BOTOCORE_DATA");
        if (configured != null && !configured.isBlank()) {
            return botocoreData = Path.of(configured);
        }
        try {
            Process p = new ProcessBuilder("python3", "-c",
                    "import botocore,os;print(os.path.dirname(botocore.__file__))").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(out);
            }
            return botocoreData = Path.of(out, "data");
        } catch (IOException | IllegalStateException e) {
            throw new IllegalStateException("the Clean Rooms stand-in needs botocore's API models: python3 with "
                    + "botocore (it comes with moto: pip install 'moto[server]==5.2.1'), or "
                            + "BOTOCORE_DATA=<botocore>/data ("
                    + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while locating botocore", e);
        }
    }
}
