package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP side of the stand-in, for restJson1 services (Clean Rooms, Entity Resolution): picks the
 * service (the SigV4 credential scope, else the first model with an operation for the request),
 * matches method and path to an operation of its official model, builds the operation's input from
 * path labels, query string and body, validates it as the service's front door does
 * ({@link ModelValidator}: ValidationException with a fieldList), hands it to the
 * {@link OperationRouter}, checks the answer against the output shape (a stand-in bug is a 500),
 * and writes the answer or the {@link ApiError} ({@code x-amzn-ErrorType}, {@code __type}).
 * {@code POST /_standin/reset} forgets all state.
 */
final class RestJsonFrontDoor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/[0-9]+/[^/]+/([^/]+)/aws4_request");

    private final Map<String, ServiceModel> models;
    private final Map<String, ModelValidator> validators = new LinkedHashMap<>();
    private final Map<String, ModelValidator> answerCheckers = new LinkedHashMap<>();
    private final OperationRouter router;
    private final Runnable reset;

    /**
     * @param models the services served, by SigV4 signing name, in the order a request is matched
     * @param reset  what {@code POST /_standin/reset} does
     */
    RestJsonFrontDoor(Map<String, ServiceModel> models, OperationRouter router, Runnable reset) {
        this.models = models;
        this.router = router;
        this.reset = reset;
        models.forEach((service, m) -> {
            validators.put(service, new ModelValidator(m, true));
            answerCheckers.put(service, new ModelValidator(m, false));
        });
    }

    void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/_standin/reset") && method.equals("POST")) {
                reset.run();
                send(exchange, 200, JsonMembers.NODES.objectNode().put("status", "reset"), null);
                return;
            }
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String service = service(exchange, method, path);
            ServiceModel model = models.get(service);
            ServiceModel.Match match = model == null ? null : model.match(method, path);
            if (match == null) {
                send(exchange, 404, JsonMembers.NODES.objectNode().put("message",
                        "the stand-in has no operation for " + method + " " + path), "UnknownOperationException");
                return;
            }
            ServiceModel.Operation op = match.operation();
            try {
                ObjectNode input = input(model, op, match.pathParameters(), exchange.getRequestURI().getRawQuery(),
                        raw);
                if (op.inputShape() != null) {
                    List<ModelValidator.Violation> violations =
                            validators.get(service).validate(op.inputShape(), input);
                    if (!violations.isEmpty()) {
                        ApiError e = ApiError.validation(violations.size() + " validation error(s) detected: "
                                + violations.get(0).name() + ": " + violations.get(0).message());
                        ArrayNode fields = e.body.putArray("fieldList");
                        violations.forEach(v -> fields.addObject().put("name", v.name()).put("message", v.message()));
                        throw e;
                    }
                }
                ObjectNode output = router.dispatch(service, op.name(), input);
                if (op.outputShape() != null && output != null) {
                    List<ModelValidator.Violation> bad = answerCheckers.get(service).validate(op.outputShape(), output);
                    if (!bad.isEmpty()) {
                        throw new ApiError(500, "InternalServerException", "stand-in bug: " + op.name()
                                + " answer breaks the model: " + bad);
                    }
                }
                if (op.successCode() == 204 || output == null) {
                    exchange.sendResponseHeaders(op.successCode(), -1);
                } else {
                    send(exchange, op.successCode(), output, null);
                }
            } catch (ApiError e) {
                send(exchange, e.status, e.body, e.type);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private String service(HttpExchange exchange, String method, String path) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            Matcher m = SCOPE.matcher(auth);
            if (m.find() && models.containsKey(m.group(1))) {
                return m.group(1);
            }
        }
        for (Map.Entry<String, ServiceModel> e : models.entrySet()) {
            if (e.getValue().match(method, path) != null) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The operation's input as one object: path labels, query parameters and body members. */
    private static ObjectNode input(ServiceModel model, ServiceModel.Operation op, Map<String, String> pathParams,
                                    String rawQuery, byte[] body) {
        ObjectNode input;
        try {
            input = body.length == 0 ? JsonMembers.NODES.objectNode() : (ObjectNode) JSON.readTree(body);
        } catch (IOException | ClassCastException e) {
            throw ApiError.validation("the request body is not a JSON object");
        }
        if (op.inputShape() == null) {
            return input;
        }
        Map<String, String> query = new TreeMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = model.shape(op.inputShape()).path("members")
                .fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            String location = m.getValue().path("location").asText("");
            String wireName = m.getValue().path("locationName").asText(m.getKey());
            String value = location.equals("uri") ? pathParams.get(wireName)
                    : location.equals("querystring") ? query.get(wireName) : null;
            if (value != null) {
                String type = model.shape(m.getValue().get("shape").asText()).path("type").asText();
                if (type.equals("integer") || type.equals("long")) {
                    try {
                        input.put(m.getKey(), Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        throw ApiError.validation(m.getKey() + " must be a whole number");
                    }
                } else {
                    input.put(m.getKey(), value);
                }
            }
        }
        return input;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body, String errorType) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
            ((ObjectNode) body).put("__type", errorType);
            bytes = JSON.writeValueAsBytes(body);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
