package com.omc.flywheel.buildreport;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.DaemonThreads;
import com.omc.flywheel.shared.JsonHandler;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.entityresolution.EntityResolutionClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/** Lambda entry point of build-report (configuration: {@link ReportSettings}). */
public final class BuildReportHandler extends JsonHandler<BuildReportRequest, BuildReportResult> {
    private final BuildReportService service;

    /** Called by Lambda once per execution environment: clients and the pool are built here, at init. */
    public BuildReportHandler() {
        this(ReportSettings.fromEnvironment());
    }

    private BuildReportHandler(ReportSettings settings) {
        this(new BuildReportService(AwsClients.build(GlueClient.builder()), AwsClients.build(S3Client.builder()),
                AwsClients.build(AthenaClient.builder()), AwsClients.build(SnsClient.builder()),
                AwsClients.build(CleanRoomsClient.builder()), AwsClients.build(EntityResolutionClient.builder()),
                pool(settings.tableConcurrency()), settings, Clock.systemUTC()));
    }

    public BuildReportHandler(BuildReportService service) {
        super("build-report", BuildReportRequest.class);
        this.service = service;
    }

    public static ExecutorService pool(int threads) {
        return DaemonThreads.fixedPool("build-report-worker", threads);
    }

    @Override
    protected void primeAws() {
        service.prime();
    }

    @Override
    protected BuildReportResult handle(BuildReportRequest event, Context context) {
        return service.build(event);
    }
}
