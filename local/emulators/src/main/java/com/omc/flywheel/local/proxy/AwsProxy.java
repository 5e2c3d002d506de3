package com.omc.flywheel.local.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP proxy on a free loopback port between the SDK clients and an emulator: it counts every
 * AWS call by service and operation, and answers chosen calls itself through {@link Rule}s, to
 * enforce limits the emulator does not (BatchCreatePartition's 100 partitions) or to inject faults.
 * Point a client at {@link #endpoint()} with {@code endpointOverride}.
 */
public final class AwsProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Headers the JDK client sets itself (and PATCH works, unlike HttpURLConnection). */
    private static final java.util.Set<String> RESTRICTED = java.util.Set.of("connection", "content-length", "date",
            "expect", "from", "host", "upgrade", "via", "warning");
    private static final java.net.http.HttpClient FORWARD = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).followRedirects(java.net.http.HttpClient.Redirect.NEVER)
            .build();
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/[0-9]+/[^/]+/([^/]+)/aws4_request");
    private static final Map<String, String> TARGET_SERVICES = Map.of("AWSGlue", "glue", "AmazonAthena", "athena",
            "DynamoDB_20120810", "dynamodb", "AWSStepFunctions", "states", "AmazonSNS", "sns",
            "ServiceQuotasV20190624", "servicequotas");

    /** One request as the proxy saw it; {@code operation} is the API's name where it can tell. */
    public record Call(String service, String operation, String method, String path, String query, byte[] body,
                       Map<String, String> headers) {
        public Call(String service, String operation, String method, String path, String query, byte[] body) {
            this(service, operation, method, path, query, body, Map.of());
        }

        /** A request header (names are case-insensitive), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        public String key() {
            return service + ":" + operation;
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return JSON.nullNode();
            }
        }
    }

    /** An answer the proxy gives instead of forwarding. */
    public record Reply(int status, Map<String, String> headers, byte[] body) {
        /** An S3 (REST-XML) error. */
        public static Reply s3Error(int status, String code, String message) {
            String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
                    + message
                    + "</Message><RequestId>injected</RequestId></Error>";
            return new Reply(status, Map.of("Content-Type", "application/xml"), body.getBytes(StandardCharsets.UTF_8));
        }

        /** An AWS JSON-protocol error, read by the SDK from {@code __type} and {@code x-amzn-ErrorType}. */
        public static Reply awsError(int status, String type, String message) {
            String body = "{\"__type\":\"" + type + "\",\"message\":" + quote(message) + ",\"Message\":"
                    + quote(message) + "}";
            return new Reply(status, Map.of("Content-Type", "application/x-amz-json-1.1", "x-amzn-ErrorType", type),
                    body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Decides, per call, whether the proxy answers it itself. */
    @FunctionalInterface
    public interface Rule {
        Optional<Reply> apply(Call call);
    }

    /** The faults the proxy can inject, each answered the way AWS or the network would. */
    public enum FaultKind {
        /** HTTP 400 ThrottlingException (JSON protocols); S3 throttles with 503 SlowDown. */
        THROTTLING_400(400, "ThrottlingException", 503, "SlowDown"),
        /** HTTP 429 TooManyRequestsException; S3 again 503 SlowDown. */
        TOO_MANY_REQUESTS_429(429, "TooManyRequestsException", 503, "SlowDown"),
        /** HTTP 500. */
        INTERNAL_500(500, "InternalFailure", 500, "InternalError"),
        /** HTTP 503. */
        UNAVAILABLE_503(503, "ServiceUnavailable", 503, "ServiceUnavailable"),
        /** The answer comes after {@code delayMillis}, past the client's attempt timeout. */
        SLOW(0, null, 0, null),
        /** The connection is closed with no answer. */
        CONNECTION_RESET(0, null, 0, null);

        private final int status;
        private final String type;
        private final int s3Status;
        private final String s3Code;

        FaultKind(int status, String type, int s3Status, String s3Code) {
            this.status = status;
            this.type = type;
            this.s3Status = s3Status;
            this.s3Code = s3Code;
        }

        /** The error answer of this fault, in the protocol of the called service. */
        Reply reply(Call call) {
            return call.service().equals("s3") ? Reply.s3Error(s3Status, s3Code, s3Code + " (injected)")
                    : Reply.awsError(status, type, type + " (injected)");
        }
    }

    /**
     * A fault on the calls of one operation ({@code glue:GetJob}, or {@code *} for every call): the
     * first {@code firstN} of them, or (firstN 0) every {@code everyNth} one.
     */
    public static final class Fault {
        final String key;
        final FaultKind kind;
        final int firstN;
        final int everyNth;
        final long delayMillis;
        private final AtomicInteger seen = new AtomicInteger();
        private final AtomicInteger injected = new AtomicInteger();

        public Fault(String key, FaultKind kind, int firstN, int everyNth, long delayMillis) {
            this.key = key;
            this.kind = kind;
            this.firstN = firstN;
            this.everyNth = everyNth;
            this.delayMillis = delayMillis;
        }

        public static Fault first(String key, FaultKind kind, int n) {
            return new Fault(key, kind, n, 0, 3_000);
        }

        public static Fault everyNth(String key, FaultKind kind, int n) {
            return new Fault(key, kind, 0, n, 3_000);
        }

        boolean hits(Call call) {
            if (!key.equals("*") && !key.equals(call.key())) {
                return false;
            }
            int i = seen.incrementAndGet();
            boolean hit = firstN > 0 ? i <= firstN : everyNth > 0 && i % everyNth == 0;
            if (hit) {
                injected.incrementAndGet();
            }
            return hit;
        }

        /** How many calls this fault hit. */
        public int injected() {
            return injected.get();
        }
    }

    private final List<Fault> faults = new CopyOnWriteArrayList<>();

    /** Injects a fault; returns it, so a test can read how many calls it hit. */
    public Fault inject(Fault fault) {
        faults.add(fault);
        return fault;
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Rewrites the emulator's answer to a call (e.g. to make a Glue job run FAILED, which moto cannot). */
    @FunctionalInterface
    public interface Rewrite {
        /** The answer to send instead, or empty to send the emulator's. */
        Optional<Reply> apply(Call call, Reply answer);
    }

    private LoopbackHttpServer server;
    private volatile String target;
    private final Map<String, String> serviceTargets = new ConcurrentHashMap<>();
    private final List<Rewrite> rewrites = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    /** Stand-ins for what the emulator lacks: asked after the rules, before the emulator; never cleared. */
    private final List<Rule> standIns = new CopyOnWriteArrayList<>();
    /** Checked before the rules and the emulator, like IAM at the service's front door; never cleared. */
    private volatile Rule authorizer;
    private volatile Rewrite observer;

    private AwsProxy(String target) {
        this.target = target;
    }

    /** Starts a proxy in front of {@code target} (e.g. moto's endpoint; null to set it later). */
    public static AwsProxy start(String target) {
        AwsProxy proxy = new AwsProxy(target);
        proxy.server = LoopbackHttpServer.start("aws-proxy", 16, proxy::handle);
        return proxy;
    }

    public String endpoint() {
        return server.endpoint();
    }

    public URI endpointUri() {
        return server.endpointUri();
    }

    public void addRule(Rule rule) {
        rules.add(rule);
    }

    /**
     * Answers calls the emulator cannot (e.g. Athena's CTAS, which moto does not run): asked after
     * the rules (so a test's rule or fault still comes first) and before the emulator; unlike the
     * rules, never removed by {@link #clearRules()}.
     */
    public void addStandIn(Rule standIn) {
        standIns.add(standIn);
    }

    /** A rule asked before every rule added so far (e.g. a fault in front of a stand-in's answers). */
    public void addRuleFirst(Rule rule) {
        rules.add(0, rule);
    }

    /**
     * Authorizes every call before any rule or the emulator answers it (e.g. the local IAM check);
     * {@code observer} sees every answer. Neither is removed by {@link #clearRules()}.
     */
    public void authorizer(Rule authorizer, Rewrite observer) {
        this.authorizer = authorizer;
        this.observer = observer;
    }

    public void addRewrite(Rewrite rewrite) {
        rewrites.add(rewrite);
    }

    /** Takes back one rule added with {@link #addRule} or {@link #addRuleFirst}. */
    public void removeRule(Rule rule) {
        rules.remove(rule);
    }

    public void clearRules() {
        rules.clear();
        rewrites.clear();
    }

    /** Where calls go that no rule answers (set once the emulator behind is up). */
    public void target(String endpoint) {
        this.target = endpoint;
    }

    /** Calls signed for {@code service} (e.g. cleanrooms) go to {@code endpoint} instead of the main target. */
    public void route(String service, String endpoint) {
        serviceTargets.put(service, endpoint);
    }

    /** Calls seen so far by {@code service:Operation}, sorted. */
    public Map<String, Integer> counts() {
        Map<String, Integer> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public int count(String key) {
        AtomicInteger c = counts.get(key);
        return c == null ? 0 : c.get();
    }

    public int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public void resetCounts() {
        counts.clear();
    }

    /**
     * A rule (add it with {@link #addRuleFirst}) that answers every GetQueryExecution of a query id
     * {@code which} accepts as FAILED, the way Athena describes a failed query (State, StateChangeReason,
     * AthenaError), with {@code message} as the reason: a query that fails after it started.
     */
    public static Rule failAthenaQueries(Predicate<String> which, String message) {
        return call -> {
            if (!call.key().equals("athena:GetQueryExecution")) {
                return Optional.empty();
            }
            String id = call.json().path("QueryExecutionId").asText();
            if (!which.test(id)) {
                return Optional.empty();
            }
            double now = System.currentTimeMillis() / 1000.0;
            com.fasterxml.jackson.databind.node.ObjectNode q = JSON.createObjectNode();
            com.fasterxml.jackson.databind.node.ObjectNode e = q.putObject("QueryExecution").put("QueryExecutionId", id)
                    .put("StatementType", "DDL").put("WorkGroup", "primary");
            e.putObject("Status").put("State", "FAILED").put("StateChangeReason", message)
                    .put("SubmissionDateTime", now)
                    .put("CompletionDateTime", now).putObject("AthenaError").put("ErrorCategory", 2)
                            .put("ErrorType", 1300)
                    .put("Retryable", false).put("ErrorMessage", message);
            try {
                return Optional.of(new Reply(200, Map.of("Content-Type", "application/x-amz-json-1.1"),
                        JSON.writeValueAsBytes(q)));
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        };
    }

    /** A rewrite that makes every GetJobRun of {@code jobName} answer FAILED with {@code message}. */
    public static Rewrite failGlueJob(String jobName, String message) {
        return failGlueJobRuns(run -> jobName.equals(run.path("JobName").asText()), message);
    }

    /**
     * A rewrite that makes GetJobRun answer FAILED with {@code message} for the runs {@code which}
     * picks (it sees the run as Glue describes it: JobName, Arguments, ...). moto cannot fail a run.
     */
    public static Rewrite failGlueJobRuns(Predicate<JsonNode> which, String message) {
        return (call, answer) -> {
            boolean one = call.key().equals("glue:GetJobRun");
            if (!(one || call.key().equals("glue:GetJobRuns")) || answer.status() != 200) {
                return Optional.empty();
            }
            try {
                com.fasterxml.jackson.databind.node.ObjectNode body =
                        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(answer.body());
                List<JsonNode> runs = new java.util.ArrayList<>();
                if (one && body.has("JobRun")) {
                    runs.add(body.get("JobRun"));
                } else {
                    body.path("JobRuns").forEach(runs::add);
                }
                boolean changed = false;
                for (JsonNode run : runs) {
                    if (which.test(run)) {
                        ((com.fasterxml.jackson.databind.node.ObjectNode) run).put("JobRunState", "FAILED")
                                .put("ErrorMessage", message);
                        changed = true;
                    }
                }
                return changed ? Optional.of(new Reply(200, answer.headers(), JSON.writeValueAsBytes(body)))
                        : Optional.empty();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * A rule that rejects a call of {@code key} (e.g. {@code glue:BatchCreatePartition}) whose body
     * breaks a limit of the real API, with the ValidationException AWS gives.
     */
    public static Rule enforce(String key, Predicate<Call> breaksLimit, String message) {
        return call -> call.key().equals(key) && breaksLimit.test(call)
                ? Optional.of(Reply.awsError(400, "ValidationException", message)) : Optional.empty();
    }

    /** Glue's BatchCreatePartition takes at most 100 partitions a call; moto takes any number. */
    public static Rule glueBatchCreatePartitionLimit() {
        return enforce("glue:BatchCreatePartition", c -> c.json().path("PartitionInputList").size() > 100,
                "1 validation error detected: Value at 'partitionInputList' failed to satisfy constraint: "
                        + "Member must have length less than or equal to 100");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Call call = describe(exchange, body);
            counts.computeIfAbsent(call.key(), k -> new AtomicInteger()).incrementAndGet();
            for (Fault fault : faults) {
                if (fault.hits(call)) {
                    if (fault.kind == FaultKind.CONNECTION_RESET) {
                        return; // closing the exchange unanswered drops the connection
                    }
                    if (fault.kind == FaultKind.SLOW) {
                        sleep(fault.delayMillis);
                    } else {
                        send(exchange, fault.kind.reply(call));
                        return;
                    }
                }
            }
            Rule guard = authorizer;
            Optional<Reply> refused = guard == null ? Optional.empty() : guard.apply(call);
            if (refused.isPresent()) {
                send(exchange, refused.get());
                return;
            }
            for (List<Rule> answering : List.of(rules, standIns)) {
                for (Rule rule : answering) {
                    Optional<Reply> reply = rule.apply(call);
                    if (reply.isPresent()) {
                        send(exchange, reply.get());
                        return;
                    }
                }
            }
            Reply answer = forward(call, exchange);
            Rewrite watcher = observer;
            if (watcher != null) {
                watcher.apply(call, answer);
            }
            for (Rewrite rewrite : rewrites) {
                Optional<Reply> changed = rewrite.apply(call, answer);
                if (changed.isPresent()) {
                    answer = changed.get();
                }
            }
            send(exchange, answer, call.method().equals("HEAD"));
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private Reply forward(Call call, HttpExchange exchange) throws IOException {
        String uri = serviceTargets.getOrDefault(call.service(), target) + call.path()
                + (call.query() == null ? "" : "?" + call.query());
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(uri))
                .method(call.method(), call.body().length == 0 ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofByteArray(call.body()));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase())) {
                values.forEach(v -> b.header(name, v));
            }
        });
        java.net.http.HttpResponse<byte[]> r;
        try {
            r = FORWARD.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while forwarding " + call.key(), e);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        r.headers().map().forEach((name, values) -> {
            if (!values.isEmpty() && !name.equalsIgnoreCase("transfer-encoding")
                    && !name.equalsIgnoreCase("content-length")
                    && !name.equalsIgnoreCase("connection") && !name.startsWith(":")) {
                headers.put(name, values.get(0));
            }
        });
        return new Reply(r.statusCode(), headers, r.body());
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        send(exchange, reply, false);
    }

    private static void send(HttpExchange exchange, Reply reply, boolean head) throws IOException {
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        if (head || reply.status() == 204 || reply.status() == 304) {
            exchange.sendResponseHeaders(reply.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        if (reply.body().length > 0) {
            exchange.getResponseBody().write(reply.body());
        }
    }

    static Call describe(HttpExchange exchange, byte[] body) {
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0));
            }
        });
        return describe(exchange, body, Map.copyOf(headers));
    }

    private static Call describe(HttpExchange exchange, byte[] body, Map<String, String> headers) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null && target.contains(".")) {
            String prefix = target.substring(0, target.indexOf('.'));
            return new Call(TARGET_SERVICES.getOrDefault(prefix, prefix), target.substring(target.indexOf('.') + 1),
                    method, path, query, body, headers);
        }
        String service = "unknown";
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            Matcher m = SCOPE.matcher(auth);
            if (m.find()) {
                service = m.group(1);
            }
        }
        if (path.startsWith("/moto-api")) {
            service = "moto-api";
        }
        String operation = service.equals("s3") ? s3Operation(method, path, query)
                : method + " " + path.replaceAll("/[0-9a-f]{8}-[0-9a-f-]{27,}", "/{id}");
        return new Call(service, operation, method, path, query, body, headers);
    }

    private static String s3Operation(String method, String path, String query) {
        String q = query == null ? "" : query;
        boolean bucketOnly = path.chars().filter(ch -> ch == '/').count() <= 1 || path.endsWith("/")
                && path.indexOf('/', 1) == path.length() - 1;
        return switch (method) {
            case "GET" -> q.contains("list-type=2") ? "ListObjectsV2" : bucketOnly ? "ListObjects" : "GetObject";
            case "PUT" -> bucketOnly ? "CreateBucket" : "PutObject";
            case "HEAD" -> bucketOnly ? "HeadBucket" : "HeadObject";
            case "DELETE" -> bucketOnly ? "DeleteBucket" : "DeleteObject";
            case "POST" -> q.contains("delete") ? "DeleteObjects" : "PostObject";
            default -> method;
        };
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
