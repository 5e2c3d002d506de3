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

/**
 * Lambda entry point of build-report (configuration: {@link ReportSettings}, and
 * {@code TIME_MARGIN_SECONDS} (120): with less Lambda time left the data monitor takes no new table,
 * and with less than half of it stops its Athena queries still running and answers IN_PROGRESS).
 */
public final class BuildReportHandler extends JsonHandler<BuildReportRequest, BuildReportResult> {
    private final BuildReportService service;
    private final long marginMillis;

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
        this(service, com.omc.flywheel.shared.Settings.intValue("TIME_MARGIN_SECONDS", 120));
    }

    public BuildReportHandler(BuildReportService service, int marginSeconds) {
        super("build-report", BuildReportRequest.class);
        this.service = service;
        this.marginMillis = marginSeconds * 1000L;
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
        if (context == null) {
            return service.build(event);
        }
        return service.build(event, new DataMonitorReport.Budget(
                () -> context.getRemainingTimeInMillis() < marginMillis,
                () -> context.getRemainingTimeInMillis() < marginMillis / 2));
    }
}
