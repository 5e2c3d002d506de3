package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Job;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The Glue jobs the stack starts and does not create: each exists, its MaxConcurrentRuns against
 * what the state machine starts at once, its role and its script.
 */
final class GlueChecks {
    static final String CHECK = "glue.job";

    private GlueChecks() {
    }

    /** A job, the steps that start it, and how many of them run at once. */
    record Use(String job, List<String> steps, int atOnce, boolean needed) {
    }

    static void run(Account account, Findings findings, boolean topicsActive) {
        for (Use use : uses(account, topicsActive)) {
            findings.guard(CHECK, use.job(), () -> check(account, findings, use));
        }
    }

    /**
     * The jobs of the refresh's input (the register job twice, at once, in RegisterTables), of the
     * topic orchestrator's input and the historical rebuilder's (needed only while a topic is active).
     */
    static List<Use> uses(Account account, boolean topicsActive) {
        Map<String, List<String>> steps = new LinkedHashMap<>();
        account.refreshInput().path("jobs").fields().forEachRemaining(e -> steps.computeIfAbsent(
                e.getValue().path("jobName").asText(), k -> new ArrayList<>()).add(e.getKey()));
        List<Use> uses = new ArrayList<>();
        steps.forEach((job, named) -> {
            // RegisterTables starts registerAddressableIds and registerInfobase at once (a Parallel).
            int atOnce = named.contains("registerAddressableIds") && named.contains("registerInfobase") ? 2 : 1;
            uses.add(new Use(job, named, atOnce, true));
        });
        JsonNode topicJobs = account.scheduleInput("TopicOrchestratorScheduleArn").path("jobs");
        for (String step : List.of("standardized", "curated")) {
            String job = topicJobs.path(step).path("jobName").asText("");
            if (!job.isEmpty()) {
                uses.add(new Use(job, List.of("topic " + step), 1, topicsActive));
            }
        }
        String rebuilder = account.parameter("TopicHistoryRebuilderJobName");
        uses.add(new Use(rebuilder.isEmpty() ? "etl-omc-flywheel-" + account.parameter("Environment")
                + "-topic-history-rebuilder" : rebuilder, List.of("historical rebuild"), 1, topicsActive));
        return uses;
    }

    private static void check(Account account, Findings findings, Use use) {
        GlueClient glue = account.client(GlueClient.class, GlueClient::builder);
        Job job;
        try {
            job = glue.getJob(b -> b.jobName(use.job())).job();
        } catch (EntityNotFoundException e) {
            String fix = "create it (today's Terraform creates " + use.job() + "), or set the stack parameter that "
                    + "names it to the job's name";
            if (use.needed()) {
                findings.fail(CHECK, use.job(), "does not exist; " + String.join(", ", use.steps())
                        + " start" + (use.steps().size() == 1 ? "s" : "") + " it", fix);
            } else {
                findings.warn(CHECK, use.job(), "does not exist; no topic is active, so nothing starts it yet",
                        "before activating a topic: " + fix);
            }
            return;
        }
        int max = job.executionProperty() == null || job.executionProperty().maxConcurrentRuns() == null ? 1
                : job.executionProperty().maxConcurrentRuns();
        if (max < use.atOnce()) {
            findings.warn(CHECK, use.job(), "MaxConcurrentRuns " + max + " but " + String.join(" and ", use.steps())
                    + " start it at once: the second waits for a slot, so the registrations run one after the "
                    + "other", "set MaxConcurrentRuns to " + use.atOnce() + " (today's Terraform: "
                    + "execution_property { max_concurrent_runs = " + use.atOnce() + " })");
        } else {
            findings.ok(CHECK, use.job(), "exists; MaxConcurrentRuns " + max + " (" + String.join(", ", use.steps())
                    + " start" + (use.steps().size() == 1 ? "s" : "") + " " + use.atOnce() + " at once)");
        }
        findings.guard(CHECK + ".role", use.job(), () -> role(account, findings, use.job(), job.role()));
        String script = job.command() == null ? null : job.command().scriptLocation();
        findings.guard(CHECK + ".script", use.job(), () -> script(account, findings, use.job(), script));
    }

    private static void role(Account account, Findings findings, String job, String role) {
        String name = role.substring(role.lastIndexOf('/') + 1);
        try {
            account.client(IamClient.class, IamClient::builder).getRole(b -> b.roleName(name));
            findings.ok(CHECK + ".role", job, "its role " + name + " exists");
        } catch (NoSuchEntityException e) {
            findings.fail(CHECK + ".role", job, "its role " + role + " does not exist: every run fails at start",
                    "give the job an existing role (aws glue update-job, or today's Terraform)");
        }
    }

    private static void script(Account account, Findings findings, String job, String location) {
        if (location == null || !location.startsWith("s3://")) {
            findings.fail(CHECK + ".script", job, "has no S3 script location (" + location + ")",
                    "set the job's script location to the script's S3 URI");
            return;
        }
        S3Location s3 = S3Location.parse(location);
        try {
            account.client(S3Client.class, S3Client::builder).headObject(b -> b.bucket(s3.bucket()).key(s3.key()));
            findings.ok(CHECK + ".script", job, "its script " + location + " exists");
        } catch (NoSuchKeyException e) {
            findings.fail(CHECK + ".script", job, "its script " + location + " does not exist",
                    "upload the script there, or point the job at it");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                findings.fail(CHECK + ".script", job, "its script " + location + " does not exist (no such bucket "
                        + "or key)", "upload the script there, or point the job at it");
                return;
            }
            throw e;
        }
    }
}
