package com.omc.flywheel.startgluejob;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonHandler;
import software.amazon.awssdk.services.glue.GlueClient;

/** Lambda entry point of start-glue-job: parse, validate, {@link GlueJobStarter#start}. */
public final class StartGlueJobHandler extends JsonHandler<StartGlueJobRequest, StartGlueJobResult> {
    private final GlueJobStarter starter;

    /** Called by Lambda once per execution environment: clients are built here, at init. */
    public StartGlueJobHandler() {
        this(new GlueJobStarter(AwsClients.build(GlueClient.builder()),
                AwsClients.buildSingleAttempt(GlueClient.builder())));
    }

    public StartGlueJobHandler(GlueJobStarter starter) {
        super("start-glue-job", StartGlueJobRequest.class);
        this.starter = starter;
    }

    @Override
    protected void primeAws() {
        starter.prime();
    }

    @Override
    protected StartGlueJobResult handle(StartGlueJobRequest event, Context context) {
        return starter.start(event);
    }
}
