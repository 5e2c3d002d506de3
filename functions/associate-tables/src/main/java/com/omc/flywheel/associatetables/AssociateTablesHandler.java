package com.omc.flywheel.associatetables;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.Settings;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * Lambda entry point of associate-tables. Configuration: {@code ASSOCIATION_QUOTA} (25, Clean Rooms'
 * default per membership), {@code ALLOWED_ANALYSIS_PROVIDERS} (comma-separated account ids; empty: existing
 * rules keep their providers, and rules created get every member that can query), {@code FLYWHEEL_ENV}
 * (the Environment tag).
 */
public final class AssociateTablesHandler extends JsonHandler<AssociateTablesRequest, AssociateTablesResult> {
    private final AssociateTablesService service;

    /** Called by Lambda once per execution environment: clients are built here, at init. */
    public AssociateTablesHandler() {
        this(new AssociateTablesService(AwsClients.build(GlueClient.builder()),
                AwsClients.buildWithPatch(CleanRoomsClient.builder()),
                settings()));
    }

    public AssociateTablesHandler(AssociateTablesService service) {
        super("associate-tables", AssociateTablesRequest.class);
        this.service = service;
    }

    public static AssociateTablesService.Settings settings() {
        String providers = Settings.value("ALLOWED_ANALYSIS_PROVIDERS", "");
        List<String> accounts = Arrays.stream(providers.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(a -> {
                    try {
                        return Identifiers.accountId("ALLOWED_ANALYSIS_PROVIDERS", a);
                    } catch (RuntimeException e) {
                        throw new IllegalStateException("ALLOWED_ANALYSIS_PROVIDERS holds '" + a
                                + "', not a 12-digit account id; fix it in template.yaml", e);
                    }
                }).toList();
        return new AssociateTablesService.Settings(Settings.intValue("ASSOCIATION_QUOTA", 25), accounts,
                Settings.value("FLYWHEEL_ENV", "dev"));
    }

    @Override
    protected void primeAws() {
        service.prime();
    }

    @Override
    protected AssociateTablesResult handle(AssociateTablesRequest event, Context context) {
        return service.reconcile(event);
    }
}
