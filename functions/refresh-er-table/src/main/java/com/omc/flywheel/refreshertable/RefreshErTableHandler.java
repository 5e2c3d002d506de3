package com.omc.flywheel.refreshertable;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.Settings;
import java.time.Clock;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Lambda entry point of refresh-er-table ({@link ErTableRefresher}). Configuration:
 * {@code ER_QUERY_WAIT_SECONDS} (30): how long an {@code IN_PROGRESS} answer asks the state machine to
 * wait before the next call.
 */
public final class RefreshErTableHandler extends JsonHandler<RefreshErTableRequest, ErTableRefresher.Result> {
    private final ErTableRefresher refresher;

    /** Called by Lambda once per execution environment: clients are built at init. */
    public RefreshErTableHandler() {
        this(new ErTableRefresher(AwsClients.build(GlueClient.builder()), AwsClients.build(AthenaClient.builder()),
                AwsClients.build(S3Client.builder()), Clock.systemUTC(),
                        Settings.intValue("ER_QUERY_WAIT_SECONDS", 30)));
    }

    public RefreshErTableHandler(ErTableRefresher refresher) {
        super("refresh-er-table", RefreshErTableRequest.class);
        this.refresher = refresher;
    }

    @Override
    protected void primeAws() {
        refresher.prime();
    }

    @Override
    protected ErTableRefresher.Result handle(RefreshErTableRequest event, Context context) {
        return refresher.refresh(event);
    }
}
