package com.omc.flywheel.local.moto;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code moto_server} on a free loopback port, started and stopped by this process. Tests and
 * {@code local-run} talk to it over HTTP with the real SDK clients. A missing moto_server fails
 * loudly with what to install; nothing skips.
 */
public final class MotoServer implements AutoCloseable {
    public static final String ACCOUNT_ID = "123456789012";
    public static final String REGION = "us-east-1";
    private static final String INSTALL_HINT = "moto_server was not found on PATH. It ships on this project's "
            + "machine image (pyenv); elsewhere install it with: pip install 'moto[server]==5.2.1'";
    private static MotoServer shared;

    private final Process process;
    private final int port;
    private final Path logFile;

    private MotoServer(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /**
     * One moto for this JVM, started on first use and stopped at exit, with the AWS SDK's system
     * properties (endpoint, region, dummy credentials) pointing every client at it.
     */
    public static synchronized MotoServer shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "moto-stop"));
            System.setProperty("aws.endpointUrl", shared.endpoint());
            System.setProperty("aws.region", REGION);
            System.setProperty("aws.accessKeyId", "testing");
            System.setProperty("aws.secretAccessKey", "testing");
        }
        return shared;
    }

    /** Starts a new moto_server; the caller closes it. */
    public static MotoServer start() {
        return start(null);
    }

    /**
     * Starts a new moto_server whose Step Functions engine calls its integrations (Lambda included)
     * at {@code localhost:<frontPort>}, the port of a {@link LocalCloud} in front of it; null for its own.
     */
    public static MotoServer start(Integer frontPort) {
        String executable = findOnPath("moto_server", INSTALL_HINT);
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path log;
            try {
                log = Files.createTempFile("moto-" + port + "-", ".log");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create moto's log file in the temp directory", e);
            }
            ProcessBuilder pb = new ProcessBuilder(executable, "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // moto's Step Functions engine calls integrations at localhost:$MOTO_PORT.
            pb.environment().put("MOTO_PORT", Integer.toString(frontPort != null ? frontPort : port));
            // Our fix of moto's second StartExecution (moto/sitecustomize.py), loaded by Python at start-up.
            String pythonPath = pb.environment().get("PYTHONPATH");
            pb.environment().put("PYTHONPATH", fixes().toString() + (pythonPath == null || pythonPath.isBlank() ? ""
                    : File.pathSeparator + pythonPath));
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException(INSTALL_HINT, e);
            }
            MotoServer server = new MotoServer(p, port, log);
            try {
                server.awaitReady(Duration.ofSeconds(30));
                server.checkFixLoaded();
                return server;
            } catch (IllegalStateException e) {
                server.close();
                last = e;
            }
        }
        throw last;
    }

    private static Path fixes;
    static final String FIX_MARKER = "flywheel: moto fix loaded (StartExecution copies no executions)";

    /** moto/sitecustomize.py says it applied its fix; Python would only print an error and go on. */
    private void checkFixLoaded() {
        String log;
        try {
            log = Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read moto's log " + logFile, e);
        }
        String scale = System.getenv("FLYWHEEL_MOTO_TIME_SCALE");
        if (scale != null && !scale.isBlank() && Double.parseDouble(scale) < 1
                && !log.contains("flywheel: moto time scale")) {
            close();
            throw new IllegalStateException("FLYWHEEL_MOTO_TIME_SCALE=" + scale + " is set but moto did not apply it "
                    + "(moto/sitecustomize.py no longer fits this moto?). moto's log " + logFile + ":\n" + log);
        }
        if (!log.contains(FIX_MARKER)) {
            close();
            throw new IllegalStateException("moto started without flywheel's fix of its second StartExecution "
                    + "(local/emulators/src/main/resources/com/omc/flywheel/local/moto/sitecustomize.py): it no longer "
                            + "fits this moto, "
                    + "or PYTHONPATH was not honoured. moto's log " + logFile + ":\n" + log);
        }
    }

    /** A folder holding sitecustomize.py (from this jar's resources), made once per JVM. */
    private static synchronized Path fixes() {
        if (fixes == null) {
            try (var in = MotoServer.class.getResourceAsStream("sitecustomize.py")) {
                if (in == null) {
                    throw new IllegalStateException(
                            "moto/sitecustomize.py is missing from the emulators module's resources");
                }
                Path dir = Files.createTempDirectory("flywheel-moto-fixes-");
                Files.copy(in, dir.resolve("sitecustomize.py"));
                dir.toFile().deleteOnExit();
                dir.resolve("sitecustomize.py").toFile().deleteOnExit();
                fixes = dir;
            } catch (IOException e) {
                throw new IllegalStateException("cannot write moto's start-up fix to the temp directory", e);
            }
        }
        return fixes;
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Clears every service's data (moto's {@code POST /moto-api/reset}). */
    public void reset() {
        post("/moto-api/reset", "");
    }

    /**
     * Makes every Glue job run started from now on report STARTING/RUNNING for {@code polls} reads
     * before SUCCEEDED (moto's state manager).
     */
    public void glueJobRunsTakePolls(int polls) {
        post("/moto-api/state-manager/set-transition",
                "{\"model_name\":\"glue::job_run\",\"transition\":{\"progression\":\"manual\",\"times\":" + polls
                        + "}}");
    }

    /** Lets Glue job runs finish at once again (moto's default). */
    public void glueJobRunsFinishImmediately() {
        post("/moto-api/state-manager/unset-transition", "{\"model_name\":\"glue::job_run\"}");
    }

    /** POSTs a JSON body to a moto-api path and returns the answer; a non-2xx answer fails. */
    public String post(String path, String body) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + path).toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            int code = c.getResponseCode();
            byte[] answer = (code < 400 ? c.getInputStream() : c.getErrorStream()).readAllBytes();
            if (code >= 300) {
                throw new IllegalStateException("moto " + path + " answered " + code + ": "
                        + new String(answer, StandardCharsets.UTF_8));
            }
            return new String(answer, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("moto " + path + " failed: " + e.getMessage() + " (log: " + logFile + ")",
                    e);
        }
    }

    /** GETs a moto-api path (e.g. {@code /moto-api/data.json}) and returns the answer. */
    public String get(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + path).toURL().openConnection();
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("moto " + path + " failed: " + e.getMessage(), e);
        }
    }

    /** A message published to an SNS topic, as moto recorded it. */
    public record SnsMessage(String topicArn, String subject, String message) {
    }

    /** Every message published so far, topic by topic, in order. */
    public java.util.List<SnsMessage> snsMessages() {
        try {
            com.fasterxml.jackson.databind.JsonNode topics = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(get("/moto-api/data.json")).path("sns").path("Topic");
            java.util.List<SnsMessage> out = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode t : topics) {
                for (com.fasterxml.jackson.databind.JsonNode n : t.path("sent_notifications")) {
                    // [message id, message, subject, attributes, group id]
                    out.add(new SnsMessage(t.path("arn").asText(), n.get(2).isNull() ? null : n.get(2).asText(),
                            n.get(1).asText()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read moto's SNS state", e);
        }
    }

    /**
     * Queues Athena query results, handed out first-in first-out to the next GetQueryResults calls
     * (moto's queries succeed at once and return nothing otherwise). Each result is one header row
     * then one row of values.
     */
    public void athenaResults(java.util.List<java.util.List<String>> valueRows) {
        StringBuilder sb = new StringBuilder("{\"account_id\":\"" + ACCOUNT_ID + "\",\"region\":\"" + REGION
                + "\",\"results\":[");
        for (int i = 0; i < valueRows.size(); i++) {
            java.util.List<String> values = valueRows.get(i);
            StringBuilder header = new StringBuilder();
            StringBuilder data = new StringBuilder();
            for (int j = 0; j < values.size(); j++) {
                header.append(j == 0 ? "" : ",").append("{\"VarCharValue\":\"_col").append(j).append("\"}");
                data.append(j == 0 ? "" : ",").append(values.get(j) == null ? "{}"
                        : "{\"VarCharValue\":\"" + values.get(j).replace("\"", "\\\"") + "\"}");
            }
            sb.append(i == 0 ? "" : ",").append("{\"rows\":[{\"Data\":[").append(header).append("]},{\"Data\":[")
                    .append(data).append("]}],\"column_info\":[]}");
        }
        post("/moto-api/static/athena/query-results", sb.append("]}").toString());
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited at start (code " + process.exitValue()
                        + "); its log: " + tail());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/moto-api/").toURL()
                        .openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            sleep(100);
        }
        throw new IllegalStateException("moto_server did not answer on port " + port + " within " + timeout
                + "; its log: " + tail());
    }

    private String tail() {
        try {
            String s = Files.readString(logFile);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            if (System.getenv("FLYWHEEL_KEEP_MOTO_LOG") == null) {
                Files.deleteIfExists(logFile);
            }
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }

    /** The absolute path of an executable on PATH, or an error saying what to install. */
    public static String findOnPath(String name, String installHint) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                File f = new File(dir, name);
                if (f.isFile() && f.canExecute()) {
                    return f.getAbsolutePath();
                }
            }
        }
        throw new IllegalStateException(installHint);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for moto_server", e);
        }
    }
}
