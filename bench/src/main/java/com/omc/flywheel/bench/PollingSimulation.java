package com.omc.flywheel.bench;

import com.omc.flywheel.checkstatus.PollingPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongUnaryOperator;

/**
 * check-status's polling policy (the template's defaults: 30 s to 900 s, 120 s near the end)
 * simulated over Glue runs of 5 minutes to 24 hours, next to fixed 30-second polling (today's
 * orchestrator) and to the cadence Step Functions documents for {@code .sync} (every minute for ten
 * minutes, then every five). Then a db-refresh whose five job runs take an hour each: state
 * transitions and Lambda invocations.
 *
 * <p>Usage: {@code bench/run polling}
 */
public final class PollingSimulation {
    /** Polls and detection delay (seconds) of one run. */
    record Outcome(long polls, long delay) {
    }

    static Outcome simulate(LongUnaryOperator waitAfter, long duration) {
        long t = 0;
        long polls = 0;
        while (true) {
            t += waitAfter.applyAsLong(t);
            polls++;
            if (t >= duration) {
                return new Outcome(polls, t - duration);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        PollingPolicy policy = new PollingPolicy(30, 900, 120, 2, 30);
        long[] durations = {300, 1800, 3600, 4 * 3600, 24 * 3600};
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf("%-8s | %-22s | %-22s | %-22s | %-22s%n", "run", "policy, history = run",
                "policy, no history",
                "fixed 30 s", ".sync cadence");
        System.out.printf("%-8s | %10s %11s | %10s %11s | %10s %11s | %10s %11s%n", "", "polls", "delay s", "polls",
                "delay s", "polls", "delay s", "polls", "delay s");
        for (long d : durations) {
            Outcome history = simulate(t -> policy.glueWait(t, OptionalLong.of(d)), d);
            Outcome none = simulate(t -> policy.glueWait(t, OptionalLong.empty()), d);
            Outcome fixed = simulate(t -> 30, d);
            Outcome sync = simulate(t -> t < 600 ? 60 : 300, d);
            System.out.printf("%-8s | %10d %11d | %10d %11d | %10d %11d | %10d %11d%n", label(d), history.polls(),
                    history.delay(), none.polls(), none.delay(), fixed.polls(), fixed.delay(), sync.polls(),
                            sync.delay());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("runSeconds", d);
            row.put("policyWithHistory", Map.of("polls", history.polls(), "delaySeconds", history.delay()));
            row.put("policyNoHistory", Map.of("polls", none.polls(), "delaySeconds", none.delay()));
            row.put("fixed30s", Map.of("polls", fixed.polls(), "delaySeconds", fixed.delay()));
            row.put("syncCadence", Map.of("polls", sync.polls(), "delaySeconds", sync.delay()));
            rows.add(row);
        }
        // A db-refresh with five job runs of an hour each (2 splits, 2 registrations, the ER table).
        // Per job: Start task (1 transition, 1 invocation); per poll: Check task, Choice, Wait
        // (3 transitions, 1 invocation); the last poll skips the Wait; the job's Parallel and its end.
        Map<String, Object> refresh = new LinkedHashMap<>();
        for (Map.Entry<String, LongUnaryOperator> p : Map.of(
                "policy, history", (LongUnaryOperator) t -> policy.glueWait(t, OptionalLong.of(3600)),
                "policy, no history", t -> policy.glueWait(t, OptionalLong.empty()),
                "fixed 30 s", t -> 30L).entrySet()) {
            long polls = simulate(p.getValue(), 3600).polls();
            long jobTransitions = 1 + polls * 3 - 1 + 3;
            int fixedStates = 30; // snapshot, skips, repair (1 call), associate, reports, notify, bookkeeping
            long transitions = 5 * jobTransitions + fixedStates;
            long invocations = 5 * (1 + polls) + 1 + 1 + 1 + 2;
            refresh.put(p.getKey(), Map.of("pollsPerJob", polls, "stateTransitions", transitions, "lambdaInvocations",
                    invocations));
        }
        System.out.println();
        System.out.println("db-refresh, five job runs of one hour each: " + refresh);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "polling");
        out.put("command", "bench/run polling");
        out.put("runs", rows);
        out.put("dbRefreshOneHourJobs", refresh);
        BenchResults.write("polling", out);
    }

    private static String label(long seconds) {
        return seconds < 3600 ? seconds / 60 + " min" : seconds / 3600 + " h";
    }
}
