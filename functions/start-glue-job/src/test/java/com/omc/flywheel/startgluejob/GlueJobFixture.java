package com.omc.flywheel.startgluejob;

import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.JobRun;

/** The emulator every start-glue-job test runs against, reset before each test, and its Glue jobs. */
abstract class GlueJobFixture {
    static final String SPLIT_JOB = "etl-omc-flywheel-dev-addressable-split-and-part";
    static final String REGISTER_JOB = "etl-omc-flywheel-dev-register-part-tables";
    static final MotoServer MOTO = MotoServer.shared();
    static final GlueClient GLUE = AwsClients.build(GlueClient.builder());

    @BeforeEach
    void resetMoto() {
        MOTO.reset();
        MOTO.glueJobRunsFinishImmediately();
    }

    static void createJob(String name, int maxConcurrentRuns) {
        GLUE.createJob(b -> b.name(name).role("arn:aws:iam::123456789012:role/glue")
                .command(c -> c.name("glueetl").scriptLocation("s3://scripts/" + name + ".py"))
                .executionProperty(e -> e.maxConcurrentRuns(maxConcurrentRuns)));
    }

    static List<JobRun> runs(String job) {
        return GLUE.getJobRuns(b -> b.jobName(job)).jobRuns();
    }
}
