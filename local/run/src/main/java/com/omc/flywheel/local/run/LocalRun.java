package com.omc.flywheel.local.run;

import static com.omc.flywheel.local.run.SampleWorld.DB;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.ops.Connection;
import com.omc.flywheel.ops.doctor.Doctor;
import com.omc.flywheel.ops.doctor.Finding;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/flywheel local-run}: the whole monthly refresh on this machine. Starts the local cloud
 * (moto with Step Functions execution, the Clean Rooms stand-in, the real handlers behind Lambda
 * Invoke), generates a sample lake shaped like production ({@link SampleWorld}), creates the Glue jobs,
 * topics, buckets and the db-refresh state machine from statemachine/db-refresh.asl.json, runs it
 * ({@link RefreshRun}), prints each step as it starts and ends, then a summary ({@link RunSummary}),
 * copies the reports into the output folder, and stops everything. The command line is
 * {@link RunOptions}; --fail-step is {@link InjectedFailure}, --months {@link MonthlyRuns}, --shadow
 * {@link ShadowRefresh}.
 */
public final class LocalRun {
    private final RunOptions options;
    private final Progress progress;

    private LocalRun(RunOptions options, PrintStream out) {
        this.options = options;
        this.progress = new Progress(out);
    }

    public static void main(String[] args) {
        RunOptions options;
        try {
            options = RunOptions.parse(args);
            if (!options.params().isEmpty()) {
                options.checkParameters(DeployedStack.declaredParameters(options.repo().resolve("template.yaml")));
                // The local stack as sam deploy --parameter-overrides would make it, for everything below.
                DeployedStack.deployLocallyWith(options.params());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("local-run: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new LocalRun(options, System.out).run());
    }

    /** The whole run, from starting the local cloud to stopping it; returns the exit code. */
    int run() {
        progress.say("starting the local cloud (moto_server, Clean Rooms stand-in, Lambda endpoint)");
        LocalCloud cloud = LocalCloud.start(options.repo()).asDefaultEndpoint();
        // What IAM allowed, beside summary.json, for bin/flywheel iam-report (written as the cloud stops).
        cloud.iam().usage().writeTo(options.out().resolve("iam-usage.jsonl"));
        Thread stopper = new Thread(cloud::close, "local-run-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            int code = refresh(cloud);
            if (options.keepRunning()) {
                progress.say("--keep-running: the emulators stay up. Try: aws --endpoint-url " + cloud.endpoint()
                        + " glue get-tables --database-name " + DB
                                + "   (AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local"
                        + " AWS_REGION=us-east-1). Press Ctrl-C to stop them.");
                new CountDownLatch(1).await();
            }
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (RuntimeException e) {
            progress.say("local-run failed: " + e);
            return 1;
        } finally {
            cloud.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    /**
     * On the started cloud: the functions, the sample world, the failure --fail-step asks for, the
     * first month's refresh (resumed with --resume), the later months, and the summary.
     */
    private int refresh(LocalCloud cloud) {
        LocalFunctions.configure();
        LocalFunctions.register(cloud, options);
        ProductionAccount.reportKey(cloud.stack().parameters().getOrDefault("ReportKmsKeyArn", ""));
        progress.say("endpoint " + cloud.endpoint() + " (moto behind it, stand-in for cleanrooms/entityresolution)");
        SampleWorld world = new SampleWorld(options);
        Map<String, Object> lake = world.build(cloud);
        progress.say("sample lake: " + lake);
        RefreshRun refresh = new RefreshRun(options, cloud, progress);
        String input = refresh.input();
        String stateMachine = refresh.createStateMachine(input);
        LocalStack.register(options.repo());
        List<Finding> doctor = Doctor.examine(new Connection(null, null, cloud.endpoint()), LocalStack.NAME);
        progress.say(Doctor.summary(doctor) + " (bin/flywheel doctor --endpoint " + cloud.endpoint() + ")");
        doctor.stream().filter(f -> f.status() != Finding.Status.OK).forEach(f -> progress.say("  " + f.line()));
        InjectedFailure failure = new InjectedFailure(options.failSteps());
        failure.inject(cloud, progress);
        List<RefreshExecution> runs = new ArrayList<>();
        runs.add(refresh.execute(stateMachine, input));
        boolean failedFirst = !runs.get(0).succeeded();
        // Each resume fixes the step that failed; with several --fail-step steps, the next one fails it.
        RefreshExecution last = runs.get(0);
        while (options.resume() && !last.succeeded() && failure.fix(last.failedStep())) {
            List<RefreshExecution> resumed = refresh.resume(stateMachine, last,
                    runs.stream().map(r -> r.execution().executionArn()).toList());
            if (resumed.isEmpty()) {
                break;
            }
            runs.addAll(resumed);
            last = resumed.get(resumed.size() - 1);
        }
        List<String> monthProblems = new MonthlyRuns(options, world, refresh, progress)
                .runLaterMonths(cloud, stateMachine, runs);
        monthProblems.forEach(p -> progress.say("!! " + p));
        ShadowRefresh.Outcome shadow = options.shadow() && runs.get(runs.size() - 1).succeeded()
                ? ShadowRefresh.run(refresh, stateMachine, input, () -> world.answerTheMonitorAgain(cloud), progress)
                : null;
        int code = new RunSummary(options, world, progress, cloud).doctor(doctor).shadow(shadow)
                .print(runs, monthProblems);
        if (!options.failSteps().isEmpty() && !failedFirst) {
            progress.say("!! --fail-step " + String.join(",", options.failSteps())
                    + " did not make the run fail: nothing was resumed");
            code = 1;
        } else if (options.resume() && !failure.neverFailed().isEmpty()) {
            progress.say("!! --fail-step " + String.join(",", failure.neverFailed())
                    + " never made a run fail: the resumes did not go through it");
            code = 1;
        }
        return code;
    }
}
