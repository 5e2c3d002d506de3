package com.omc.flywheel.msckrepair;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.DaemonThreads;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.Settings;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Lambda entry point of msck-repair. Configuration: {@code MSCK_TABLE_CONCURRENCY} (8),
 * {@code ATHENA_DDL_CONCURRENCY} (5), {@code ATHENA_WORKGROUP} (primary), {@code ATHENA_RESULTS}
 * (none: the workgroup's), {@code TIME_MARGIN_SECONDS} (60: no new table is taken with less left).
 */
public final class MsckRepairHandler extends JsonHandler<MsckRepairRequest, MsckRepairResult> {
    private final MsckRepairService service;
    private final long marginMillis;

    /** Called by Lambda once per execution environment: clients and the worker pool are built at init. */
    public MsckRepairHandler() {
        this(new MsckRepairService(AwsClients.build(GlueClient.builder()), AwsClients.build(S3Client.builder()),
                AwsClients.build(AthenaClient.builder()), pool(Settings.intValue("MSCK_TABLE_CONCURRENCY", 8)),
                settings()), Settings.intValue("TIME_MARGIN_SECONDS", 60));
    }

    public MsckRepairHandler(MsckRepairService service, int marginSeconds) {
        super("msck-repair", MsckRepairRequest.class);
        this.service = service;
        this.marginMillis = marginSeconds * 1000L;
    }

    public static MsckRepairService.Settings settings() {
        return new MsckRepairService.Settings(
                Settings.intValue("MSCK_TABLE_CONCURRENCY", 8),
                Settings.intValue("ATHENA_DDL_CONCURRENCY", 5),
                Settings.value("ATHENA_WORKGROUP", "primary"),
                Settings.value("ATHENA_RESULTS", null),
                2_000, 4);
    }

    /** The table workers, and four more for the parallel GetPartitions segments of a large table. */
    public static ExecutorService pool(int threads) {
        return DaemonThreads.fixedPool("msck-repair-worker", threads + 4);
    }

    @Override
    protected void primeAws() {
        service.prime();
    }

    @Override
    protected MsckRepairResult handle(MsckRepairRequest event, Context context) {
        return service.repair(event, () -> context != null && context.getRemainingTimeInMillis() < marginMillis);
    }
}
