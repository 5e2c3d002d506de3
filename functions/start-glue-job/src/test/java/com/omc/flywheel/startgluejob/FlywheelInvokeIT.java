package com.omc.flywheel.startgluejob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.ChildProcess;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.Events;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flywheel invoke} as a user runs it: a fresh JVM on the packaged zip's jars, against
 * moto, the result or the error object on standard output and the exit code of docs/functions.md.
 */
class FlywheelInvokeIT extends GlueJobFixture {
    record Outcome(int exitCode, JsonNode stdout, String stderr) {
    }

    static Outcome flywheel(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path root = SampleEvents.repoRoot();
        String[] command = new String[args.length + 1];
        command[0] = root.resolve("bin/flywheel").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(env);
        // Both streams to files, read once the process has ended: the time limit always fires.
        ChildProcess.Result r = ChildProcess.run(pb, Duration.ofSeconds(120), "bin/flywheel " + String.join(" ", args));
        String stdout = r.stdout().trim();
        JsonNode json = stdout.isEmpty() ? null : Events.mapper().readTree(stdout);
        return new Outcome(r.exitCode(), json, r.stderr());
    }

    private static Map<String, String> motoEnv() {
        return Map.of("AWS_ENDPOINT_URL", MOTO.endpoint(), "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing");
    }

    @Test
    void aJobThatExistsGetsARun() throws Exception {
        createJob(SPLIT_JOB, 1);
        Outcome o = flywheel(motoEnv(), "invoke", "start-glue-job", "events/start-glue-job.json");

        assertEquals(0, o.exitCode(), o.stderr());
        assertTrue(o.stderr().contains("local IAM (start-glue-job's role")
                && o.stderr().contains("StartGlueJobFunctionRole=")
                && o.stderr().contains("denied []"), "every call was authorized as the function's role: " + o.stderr());
        String runId = o.stdout().get("jobRunId").asText();
        assertEquals("SUCCEEDED", GLUE.getJobRun(b -> b.jobName(SPLIT_JOB).runId(runId))
                .jobRun().jobRunStateAsString());
    }

    @Test
    void envVarsFileInSamFormatConfiguresTheFunction(@TempDir Path dir) throws Exception {
        createJob(SPLIT_JOB, 1);
        Path envVars = dir.resolve("env.json");
        Files.writeString(envVars, "{\"Parameters\": {\"AWS_REGION\": \"us-east-1\", \"AWS_ACCESS_KEY_ID\": \"t\","
                + " \"AWS_SECRET_ACCESS_KEY\": \"t\"}, \"StartGlueJobFunction\": {\"AWS_ENDPOINT_URL\": \""
                + MOTO.endpoint() + "\"}}");
        Outcome o = flywheel(Map.of(), "invoke", "start-glue-job", "events/start-glue-job.json",
                "--env-vars", envVars.toString());

        assertEquals(0, o.exitCode(), o.stderr());
        assertTrue(o.stdout().get("jobRunId").asText().startsWith("jr_"));
    }

    @Test
    void aMissingJobExitsOneWithResourceNotFound() throws Exception {
        // Without the local IAM check, the emulator's answer: the job does not exist.
        Map<String, String> noIam = new java.util.HashMap<>(motoEnv());
        noIam.put("FLYWHEEL_LOCAL_IAM", "off");
        Outcome o = flywheel(noIam, "invoke", "start-glue-job", "events/start-glue-job-missing-job.json");

        assertEquals(1, o.exitCode());
        assertEquals("ResourceNotFoundException", o.stdout().get("errorType").asText());
        assertTrue(o.stdout().get("errorMessage").asText().contains("etl-omc-flywheel-dev-no-such-job"));
    }

    /** As on AWS: the role names the suite's jobs, so a job outside them is denied before Glue looks for it. */
    @Test
    void aJobTheRoleDoesNotNameIsDeniedAsAwsWouldDenyIt() throws Exception {
        Outcome o = flywheel(motoEnv(), "invoke", "start-glue-job", "events/start-glue-job-missing-job.json");

        assertEquals(1, o.exitCode());
        assertEquals("AccessDeniedException", o.stdout().get("errorType").asText());
        assertTrue(o.stdout().get("errorMessage").asText().contains(
                "glue:GetJobRuns on resource: arn:aws:glue:us-east-1:123456789012:job/"
                        + "etl-omc-flywheel-dev-no-such-job"),
                o.stdout().toString());
    }

    @Test
    void aMalformedEventExitsOneWithInvalidInputAndStartsNothing() throws Exception {
        createJob(REGISTER_JOB, 2);
        Outcome o = flywheel(motoEnv(), "invoke", "start-glue-job", "events/start-glue-job-invalid-argument-key.json");

        assertEquals(1, o.exitCode());
        assertEquals("InvalidInputException", o.stdout().get("errorType").asText());
        assertTrue(o.stdout().get("errorMessage").asText().contains("arguments.DATABASE"));
        assertEquals(0, GLUE.getJobRuns(b -> b.jobName(REGISTER_JOB)).jobRuns().size());
    }

    @Test
    void aNonJsonBodyIsInvalidInput(@TempDir Path dir) throws Exception {
        Path event = Files.writeString(dir.resolve("bad.json"), "jobName=etl-x");
        Outcome o = flywheel(motoEnv(), "invoke", "start-glue-job", event.toString());

        assertEquals(1, o.exitCode());
        assertEquals("InvalidInputException", o.stdout().get("errorType").asText());
    }

    @Test
    void anUnknownFunctionIsAUsageError() throws Exception {
        Outcome o = flywheel(motoEnv(), "invoke", "no-such-function", "events/start-glue-job.json");

        assertEquals(2, o.exitCode());
        assertTrue(o.stderr().contains("unknown function") && o.stderr().contains("start-glue-job"), o.stderr());
    }
}
