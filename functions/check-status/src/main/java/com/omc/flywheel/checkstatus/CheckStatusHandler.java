package com.omc.flywheel.checkstatus;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.Settings;
import java.time.Clock;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;

/** Lambda entry point of check-status: parse, validate, {@link StatusChecker#check}. */
public final class CheckStatusHandler extends JsonHandler<CheckStatusRequest, CheckStatusResult> {
    private final StatusChecker checker;

    /** Called by Lambda once per execution environment: clients and policy are built here, at init. */
    public CheckStatusHandler() {
        this(new StatusChecker(AwsClients.build(GlueClient.builder()), AwsClients.build(AthenaClient.builder()),
                PollingPolicy.fromEnvironment(), Settings.intValue("POLL_HISTORY_RUNS", 5), Clock.systemUTC()));
    }

    public CheckStatusHandler(StatusChecker checker) {
        super("check-status", CheckStatusRequest.class);
        this.checker = checker;
    }

    @Override
    protected void primeAws() {
        checker.prime();
    }

    @Override
    protected CheckStatusResult handle(CheckStatusRequest event, Context context) {
        return checker.check(event);
    }
}
