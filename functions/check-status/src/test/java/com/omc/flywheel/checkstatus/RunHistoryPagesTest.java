package com.omc.flywheel.checkstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.AwsClients;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * A job with a long run history (a topic job runs every 15 minutes): the history that tunes the wait
 * costs a bounded number of GetJobRuns pages, read at the run's first poll only.
 */
class RunHistoryPagesTest {
    static final String JOB = "etl-omc-flywheel-dev-topic-split";
    static final int HISTORY = 400;
    static final MotoServer MOTO = MotoServer.shared();
    static final GlueClient GLUE = AwsClients.build(GlueClient.builder());
    private AwsProxy proxy;
    private String runId;
    private Instant started;

    @BeforeEach
    void longHistoryAndARunGoingOn() {
        MOTO.reset();
        MOTO.glueJobRunsFinishImmediately();
        GLUE.createJob(b -> b.name(JOB).role("arn:aws:iam::123456789012:role/glue")
                .command(c -> c.name("glueetl").scriptLocation("s3://scripts/topic.py")));
        for (int i = 0; i < HISTORY; i++) {
            GLUE.startJobRun(b -> b.jobName(JOB));
        }
        GLUE.getJobRunsPaginator(b -> b.jobName(JOB)).jobRuns().forEach(r -> { }); // every run read: SUCCEEDED
        MOTO.glueJobRunsTakePolls(1_000);
        runId = GLUE.startJobRun(b -> b.jobName(JOB)).jobRunId();
        started = GLUE.getJobRun(b -> b.jobName(JOB).runId(runId)).jobRun().startedOn();
        proxy = AwsProxy.start(MOTO.endpoint());
    }

    @AfterEach
    void stop() {
        proxy.close();
        MOTO.glueJobRunsFinishImmediately();
    }

    private StatusChecker checker() {
        return new StatusChecker(AwsClients.build(GlueClient.builder().endpointOverride(proxy.endpointUri())),
                AwsClients.build(AthenaClient.builder()), new PollingPolicy(30, 900, 120, 2, 30), 5, 5,
                Clock.fixed(started.plusSeconds(600), ZoneOffset.UTC));
    }

    @Test
    void withNoSuccessfulRunInTheHistoryAtMostThePageLimitIsReadOnceForTheRun() {
        // Every earlier run failed: without a bound, the whole history (9 pages of 50) would be read at every poll.
        proxy.addRewrite(AwsProxy.failGlueJobRuns(r -> !r.path("Id").asText().equals(runId), "out of memory"));
        StatusChecker checker = checker();

        CheckStatusResult first = checker.check(new CheckStatusRequest(JOB, runId, null, 0));
        CheckStatusResult second = checker.check(new CheckStatusRequest(JOB, runId, null, 1));

        assertEquals("RUNNING", first.status());
        assertNull(first.expectedSeconds(), "no successful run within the pages read");
        assertEquals(60, first.nextWaitSeconds(), "a tenth of the 600 s elapsed");
        assertEquals("RUNNING", second.status());
        assertEquals(5, proxy.count("glue:GetJobRuns"), "5 pages at the first poll, none at the second: "
                + proxy.counts());
        assertEquals(2, proxy.count("glue:GetJobRun"));
    }

    @Test
    void theNewestSuccessfulRunsNeedOnlyTheFirstPage() {
        CheckStatusResult r = checker().check(new CheckStatusRequest(JOB, runId, null, 0));

        assertNotNull(r.expectedSeconds());
        assertEquals(1, proxy.count("glue:GetJobRuns"), proxy.counts().toString());
    }
}
