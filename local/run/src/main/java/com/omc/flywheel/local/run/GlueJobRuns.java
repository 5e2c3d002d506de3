package com.omc.flywheel.local.run;

import com.omc.flywheel.shared.AwsClients;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Job;
import software.amazon.awssdk.services.glue.model.JobRun;

/** The Glue job runs Glue itself has (not local-run's verdict), and the finished jobs that ran again. */
final class GlueJobRuns {
    private GlueJobRuns() {
    }

    /** One Glue job run as Glue answers GetJobRuns (through the local endpoint). */
    record JobRunRecord(String jobName, String jobRunId, String state, Map<String, String> arguments) {
    }

    /** Glue job runs that exist (were actually created), over every job of the lake, oldest first per job. */
    static List<JobRunRecord> list() {
        GlueClient glue = AwsClients.build(GlueClient.builder());
        List<JobRunRecord> runs = new ArrayList<>();
        for (String job : glue.getJobsPaginator(b -> { }).jobs().stream().map(Job::name).sorted().toList()) {
            glue.getJobRunsPaginator(b -> b.jobName(job)).jobRuns().stream()
                    .sorted(Comparator.comparing(JobRun::startedOn))
                    .forEach(r -> runs.add(new JobRunRecord(job, r.id(), r.jobRunStateAsString(),
                            new TreeMap<>(r.arguments()))));
        }
        return runs;
    }

    /** Each job with the same arguments that SUCCEEDED more than once: a finished hour-long job done again. */
    static List<String> repeated(List<JobRunRecord> runs) {
        Map<String, List<String>> succeeded = new TreeMap<>();
        for (JobRunRecord r : runs) {
            if (r.state().equals("SUCCEEDED")) {
                succeeded.computeIfAbsent(r.jobName() + " " + r.arguments(), k -> new ArrayList<>()).add(r.jobRunId());
            }
        }
        List<String> repeated = new ArrayList<>();
        succeeded.forEach((k, ids) -> {
            if (ids.size() > 1) {
                repeated.add(k + ": " + ids);
            }
        });
        return repeated;
    }
}
