package com.omc.flywheel.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Follows one execution to its end, printing each step as it starts ({@code > Step}) and ends
 * ({@code < Step 12.3s (4 polls)}), each Glue job restart and each failure: what {@code bin/flywheel
 * local-run} shows, and {@code bin/flywheel refresh follow} against a deployed stack. Each poll
 * reads the whole history again, every page of 1,000 events with their data (a refresh's history
 * is a few thousand events: a few calls per poll, well inside GetExecutionHistory's quota at one
 * poll every 10 s), and prints the events it had not seen. Reading only the newest pages would need
 * {@code reverseOrder}, which moto ignores.
 */
public final class ExecutionFollower {
    /** What the execution did: its last description, its whole history and each step's time. */
    public record Followed(DescribeExecutionResponse execution, List<HistoryEvent> history, Map<String,
            Duration> stepTimes) {
    }

    private ExecutionFollower() {
    }

    /**
     * Polls every {@code poll} until the execution is no longer RUNNING, or {@code max} has passed
     * (then the execution is returned RUNNING).
     */
    public static Followed follow(SfnClient sfn, String executionArn, Consumer<String> say, Duration poll,
            Duration max) {
        Instant until = Instant.now().plus(max);
        Map<String, Instant> entered = new HashMap<>();
        Map<String, Duration> times = new LinkedHashMap<>();
        Map<String, Integer> polls = new HashMap<>();
        java.util.Set<String> loops = new java.util.HashSet<>();
        java.util.Set<String> waiting = new java.util.HashSet<>();
        List<HistoryEvent> history = new ArrayList<>();
        DescribeExecutionResponse d;
        boolean first = true;
        do {
            if (!first) {
                sleep(poll.toMillis());
            }
            first = false;
            d = sfn.describeExecution(b -> b.executionArn(executionArn));
            int seen = history.size();
            history.clear();
            sfn.getExecutionHistoryPaginator(b -> b.executionArn(executionArn).maxResults(1000)).events()
                    .forEach(history::add);
            for (int i = seen; i < history.size(); i++) {
                show(history.get(i), entered, times, polls, loops, waiting, say);
            }
        } while (d.status() == ExecutionStatus.RUNNING && Instant.now().isBefore(until));
        return new Followed(d, List.copyOf(history), times);
    }

    private static void show(HistoryEvent e, Map<String, Instant> entered, Map<String, Duration> times,
                             Map<String, Integer> polls, java.util.Set<String> loops, java.util.Set<String> waiting,
                             Consumer<String> say) {
        String type = e.typeAsString();
        if (type.endsWith("StateEntered")) {
            String name = e.stateEnteredEventDetails().name();
            entered.put(name, e.timestamp());
            if (name.startsWith("Start")) {
                loops.add(name.substring("Start".length()));
            }
            if (name.startsWith("WaitForSlot")) {
                // The job is at its MaxConcurrentRuns: said once; the loop asks again every few minutes.
                String step = name.substring("WaitForSlot".length());
                if (waiting.add(step)) {
                    say.accept("  " + step + " waits for a slot: its Glue job is at its MaxConcurrentRuns");
                }
            } else if (name.startsWith("Start") && waiting.contains(name.substring("Start".length()))
                    && !polls.containsKey(name.substring("Start".length()))) {
                return;
            } else if (name.startsWith("Check") && loops.contains(name.substring("Check".length()))) {
                polls.merge(name.substring("Check".length()), 1, Integer::sum);
            } else if (name.startsWith("Start") && polls.containsKey(name.substring("Start".length()))) {
                say.accept("  retry: " + name.substring("Start".length()) + " starts its job again");
            } else if (shown(name, loops)) {
                say.accept("> " + name);
            }
        } else if (type.endsWith("StateExited")) {
            String name = e.stateExitedEventDetails().name();
            Instant from = entered.get(name);
            if (from != null && shown(name, loops) && !name.startsWith("Start")) {
                Duration took = Duration.between(from, e.timestamp());
                times.put(name, took);
                Integer p = polls.get(name);
                say.accept("< " + name + " " + seconds(took) + (p == null ? "" : " (" + p + " polls)"));
            }
        } else if (e.taskFailedEventDetails() != null) {
            say.accept("! " + type + ": " + e.taskFailedEventDetails().error());
        } else if (e.executionFailedEventDetails() != null) {
            say.accept("! " + type + ": " + e.executionFailedEventDetails().error() + ": "
                    + abbreviate(e.executionFailedEventDetails().cause(), 300));
        } else if (type.equals("ExecutionTimedOut") || type.equals("ExecutionAborted")
                || type.equals("ExecutionRedriven")) {
            say.accept("! " + type);
        }
    }

    private static boolean shown(String name, java.util.Set<String> loops) {
        return !name.endsWith("?") && !(name.startsWith("Check") && loops.contains(name.substring("Check".length())))
                && !name.startsWith("WaitFor") && !name.startsWith("Record")
                && !name.startsWith("Count") && !name.startsWith("Prepare");
    }

    /** At most {@code max} characters of {@code text} ("" for none), for a line a person reads. */
    public static String abbreviate(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() > max ? text.substring(0, max) + "…" : text;
    }

    public static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
