package com.omc.flywheel.ops.doctor;

import com.omc.flywheel.ops.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;

/**
 * Every check of {@code bin/flywheel doctor}, in a fixed order: the stack, then what the code
 * assumes about each resource the stack uses and does not create. Read-only: every call is a
 * Describe, Get or List.
 */
public final class Doctor {
    private static final int THREADS = 4;
    private static final AtomicInteger COUNT = new AtomicInteger();

    private Doctor() {
    }

    /** The findings for the stack at this connection. */
    public static List<Finding> examine(Connection connection, String stackName) {
        Findings findings = new Findings();
        try (Account account = new Account(connection, stackName)) {
            if (!stack(account, findings)) {
                return findings.all();
            }
            if (account.refreshInput().isMissingNode()) {
                findings.fail("stack.schedule-input", String.valueOf(account.output("MonthlyScheduleArn")),
                        "the monthly schedule does not exist or sends no JSON input: the checks that read the "
                                + "refresh's input (jobs, raw input, Clean Rooms) cannot run", "redeploy the stack");
            }
            // The groups read different things and run at once, each into findings of its own; they are
            // listed in this fixed order, the registry's after Clean Rooms'. Glue's job checks need to know
            // whether any topic is active.
            Findings registry = new Findings();
            List<Findings> groups = inParallel(List.of(
                    group(f -> GlueChecks.run(account, f, RegistryChecks.run(account, registry) > 0)),
                    group(f -> AthenaChecks.run(account, f)),
                    group(f -> S3Checks.run(account, f)),
                    group(f -> CatalogChecks.run(account, f)),
                    group(f -> CleanRoomsChecks.run(account, f)),
                    group(f -> IamChecks.run(account, f)),
                    group(f -> NotificationChecks.run(account, f)),
                    group(f -> TriggerChecks.run(account, f))));
            groups.subList(0, 5).forEach(g -> g.all().forEach(findings::add));
            registry.all().forEach(findings::add);
            groups.subList(5, groups.size()).forEach(g -> g.all().forEach(findings::add));
        }
        return findings.all();
    }

    /** A group of checks, run into findings of its own. */
    private static Callable<Findings> group(Consumer<Findings> checks) {
        return () -> {
            Findings f = new Findings();
            checks.accept(f);
            return f;
        };
    }

    /**
     * Runs the groups at once (four threads): each is a chain of reads, one after the other, so doctor
     * waits on four at a time instead of one (DoctorTest's 24 doctor runs: 28.6 s before, 23.4 s).
     */
    private static List<Findings> inParallel(List<Callable<Findings>> groups) {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "doctor-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Findings>> futures = new ArrayList<>();
            groups.forEach(g -> futures.add(pool.submit(g)));
            List<Findings> out = new ArrayList<>();
            for (Future<Findings> f : futures) {
                out.add(result(f, "a group of checks"));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * What {@code future} answers once it is done: a check's own failure is thrown as it was thrown
     * (the caller sees no ExecutionException), an interruption as an IllegalStateException naming {@code what}.
     */
    static <T> T result(Future<T> future, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("doctor was interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static boolean stack(Account account, Findings findings) {
        boolean[] loaded = {false};
        findings.guard("stack", account.stackName(), () -> {
            try {
                account.load();
            } catch (CloudFormationException e) {
                if (e.awsErrorDetails() != null && "ValidationError".equals(e.awsErrorDetails().errorCode())) {
                    findings.fail("stack", account.stackName(), "does not exist in " + account.region(),
                            "sam deploy --config-env <env> first, or give --stack and --region of the deployed stack");
                    return;
                }
                throw e;
            }
            loaded[0] = true;
            String status = account.stackStatus();
            if (status.endsWith("_COMPLETE") && !status.contains("ROLLBACK")) {
                findings.ok("stack", account.stackName(), status);
            } else if (status.endsWith("_IN_PROGRESS")) {
                findings.warn("stack", account.stackName(), status + ": a deploy is under way; what doctor reads may "
                        + "change", "run doctor again when it ends");
            } else {
                findings.fail("stack", account.stackName(), status, "look at the stack's events (aws cloudformation "
                        + "describe-stack-events --stack-name " + account.stackName() + ") and deploy again");
            }
        });
        if (!loaded[0] && findings.all().stream().noneMatch(f -> f.status() == Finding.Status.FAIL)) {
            findings.fail("stack", account.stackName(), "could not be read, so nothing else was checked",
                    "make the stack readable (cloudformation:DescribeStacks, the endpoint, the region) and run doctor "
                            + "again");
        }
        return loaded[0];
    }

    /** 1 when anything FAILs, else 0. */
    public static int exitCode(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.status() == Finding.Status.FAIL) ? 1 : 0;
    }

    /** The counts line: {@code doctor: 31 OK, 2 WARN, 0 FAIL}. */
    public static String summary(List<Finding> findings) {
        List<Long> n = new ArrayList<>();
        for (Finding.Status s : Finding.Status.values()) {
            n.add(findings.stream().filter(f -> f.status() == s).count());
        }
        return "doctor: " + n.get(0) + " OK, " + n.get(1) + " WARN, " + n.get(2) + " FAIL";
    }
}
