package com.omc.flywheel.local.run;

import static com.omc.flywheel.local.run.SampleWorld.ENV;
import static com.omc.flywheel.local.run.SampleWorld.REPORTS;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.lambda.FunctionPackages;
import com.omc.flywheel.shared.JsonLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** The real handlers behind the local Lambda endpoint, with a local run's settings. */
final class LocalFunctions {
    private LocalFunctions() {
    }

    /** Fast polling for a local run: the jobs here take seconds, not hours. */
    static void configure() {
        for (String s : List.of("POLL_MIN_SECONDS", "POLL_MAX_SECONDS", "POLL_NEAR_END_SECONDS",
                "ATHENA_POLL_MIN_SECONDS",
                "ATHENA_POLL_MAX_SECONDS", "GLUE_EMPTY_RETRY_MILLIS", "ER_QUERY_WAIT_SECONDS")) {
            System.setProperty(s, "1");
        }
        System.setProperty("ATHENA_POLL_MILLIS", "50");
        // moto answers injected Athena results in call order: one table and one query at a time.
        System.setProperty("REPORT_TABLE_CONCURRENCY", "1");
        System.setProperty("ATHENA_CONCURRENCY", "1");
        System.setProperty("ATHENA_RESULTS", "s3://" + REPORTS + "/query-results/monitor/");
        System.setProperty("ACCOUNT_DESCRIPTIONS", "111111111111=AMC Service,222222222222=Query Submitter/AMC Results "
                + "Receiver,"
                + "333333333333=Advertiser");
        System.setProperty("FLYWHEEL_ENV", ENV);
        System.setProperty("CONTINUATION_BUCKET", "omc-flywheel-dev-analysis-data");
        // Speed only: resolve-snapshot lists the running refreshes a second time after 1 s, not 5.
        System.setProperty("REFRESH_GUARD_SETTLE_SECONDS", "1");
        // The functions' JSON logs would drown the progress lines; they are not what a user watches here.
        JsonLog.redirect(new PrintStream(OutputStream.nullOutputStream()));
    }

    /** The one variable of the functions' environment the template sets from a parameter (ReportKmsKeyArn). */
    private static final String REPORT_KEY_VARIABLE = "REPORT_KMS_KEY_ARN";

    /**
     * REPORT_KMS_KEY_ARN as the template resolves it with the stack's parameters (local-run --param), on
     * the functions that write with the report key. One JVM runs every function and a function reads a
     * system property where Lambda sets a variable, so it is one value: every function that has it must
     * have the same one; unset where no function has it.
     */
    static void fromTheTemplate(DeployedStack stack, Collection<String> functions) {
        TreeSet<String> values = new TreeSet<>();
        functions.forEach(f -> Optional.ofNullable(stack.environment(f).get(REPORT_KEY_VARIABLE))
                .ifPresent(values::add));
        if (values.size() > 1) {
            throw new IllegalStateException("template.yaml gives the functions different " + REPORT_KEY_VARIABLE
                    + " " + values + ": local-run runs them in one JVM with one value");
        }
        if (values.isEmpty()) {
            System.clearProperty(REPORT_KEY_VARIABLE);
        } else {
            System.setProperty(REPORT_KEY_VARIABLE, values.first());
        }
    }

    /**
     * Every function from its deployment package, each in a class loader of its own (as Lambda runs
     * them); their JSON logs go to {@code <out>/function-logs.jsonl}, not to the terminal.
     */
    static void register(LocalCloud cloud, RunOptions options) {
        if (options.handlers().isEmpty()) {
            throw new IllegalStateException("no --function NAME=HandlerClass given (bin/flywheel passes them from "
                    + "template.yaml)");
        }
        try {
            Files.createDirectories(options.out());
            FunctionPackages.redirectLogs(new PrintStream(Files.newOutputStream(options.out()
                    .resolve("function-logs.jsonl")),
                    true, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write under " + options.out(), e);
        }
        fromTheTemplate(cloud.stack(), options.handlers().keySet());
        // With the template's Timeout and MemorySize, enforced as Lambda does.
        options.handlers().forEach((name, handler) -> cloud.lambdas().register("omc-flywheel-" + ENV + "-" + name,
                cloud.stack().function(name).timeoutSeconds(), cloud.stack().function(name).memoryMb(),
                FunctionPackages.handler(FunctionPackages.lib(options.repo(), name), handler)));
    }
}
