package com.omc.flywheel.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.shared.FailureReport;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * {@code bin/flywheel refresh}: the operator's console for the db-refresh state machine of a
 * deployed stack ({@code --stack}, with {@code --region} / {@code --profile} and the SDK's default
 * credential chain) or of the local endpoint ({@code --endpoint}).
 *
 * <ul>
 *   <li>{@code start}: the input the monthly schedule sends (read from the schedule itself), with
 *       {@code --snapshot-dt} and {@code --skip}; {@code --dry-run} prints it. Refused while another
 *       refresh runs. {@code --shadow} adds {@code "shadow": {}} ({@code --shadow repair}:
 *       {@code {"repair": true}}): a shadow run, which changes nothing production reads
 *       (docs/state-machines.md).</li>
 *   <li>{@code follow}: each step as it starts and ends, until the execution ends.</li>
 *   <li>{@code resume}: redrives when a redrive restarts the failed work (no Fail state was entered:
 *       a redrive would fail there again, and Step Functions says the execution is REDRIVABLE);
 *       otherwise starts a new execution with the same input and snapshot that skips every step that
 *       finished.</li>
 *   <li>{@code status}: the recent executions and, for those that did not succeed, the failed step.</li>
 * </ul>
 * A bad argument exits 2 with what is wrong; a refusal or an AWS error exits 1.
 */
public final class RefreshCommand {
    static final String USAGE = """
            usage: bin/flywheel refresh COMMAND [--stack NAME] [--region R] [--profile P]
                                                [--endpoint URL [--environment ENV]]

              start [--snapshot-dt YYYY-MM-DD] [--skip STEP,...] [--shadow [repair]] [--dry-run] [--follow]
              follow EXECUTION
              resume EXECUTION [--dry-run] [--follow]
              status [--max N]

            EXECUTION is an execution ARN or an execution name of the stack's db-refresh state machine.
            STEP is a step name (SplitAddressableIds, SplitInfobase, RegisterAddressableIds, RegisterInfobase,
            RepairPartitions, BuildErTable, AssociateTables, DataMonitorReport, CleanRoomsReport), a group
            (SplitInputs, RegisterTables, Reports) or today's script numbers 1-7.
            --shadow: a shadow run, beside today's pipeline: no Glue job, the repair a dry run (--shadow repair lets
            it add the missing partitions), the ER table under shadow_<name>, Clean Rooms planned only, the reports
            under shadow/ with shadow.json (what a refresh would have changed), notices subjected [SHADOW].""";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STACK = Pattern.compile("^[A-Za-z][A-Za-z0-9-]{0,127}$");
    private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$");
    private static final Pattern EXECUTION_ARN = Pattern.compile(
            "^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_.-]{1,80}$");
    private static final Pattern EXECUTION_NAME = Pattern.compile("^[A-Za-z0-9_.-]{1,80}$");
    private static final Pattern ENVIRONMENT = Pattern.compile("^[a-z0-9]{1,16}$");
    /** Today's scripts' step numbers (docs/today.md), each now naming only its own step. */
    static final Map<String, List<String>> SCRIPT_NUMBERS = Map.of(
            "1", List.of("SplitAddressableIds"), "2", List.of("SplitInfobase"),
            "3", List.of("RegisterAddressableIds", "RegisterInfobase"), "4", List.of("RepairPartitions"),
            "5", List.of("BuildErTable"), "6", List.of("DataMonitorReport"), "7", List.of("CleanRoomsReport"));

    /** A bad argument: exit 2. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The operation cannot be done (refused, nothing to resume, the stack lacks an output): exit 1. */
    static final class RefusedException extends RuntimeException {
        RefusedException(String message) {
            super(message);
        }
    }

    /** The command line, checked before any AWS call. */
    record Options(String command, String execution, String stack, String region, String profile, String endpoint,
                   String environment, String snapshotDt, List<String> skip, boolean dryRun, boolean follow, int max,
                   Shadow shadow) {
        /** {@code --shadow}: a shadow run; {@code repair} when {@code --shadow repair} lets it add partitions. */
        record Shadow(boolean repair) {
        }

        static Options parse(String[] args) {
            if (args.length == 0) {
                throw new UsageException("a command is needed: start, follow, resume or status");
            }
            String command = args[0];
            if (!List.of("start", "follow", "resume", "status").contains(command)) {
                throw new UsageException("unknown command '" + command + "': start, follow, resume or status");
            }
            String execution = null;
            String stack = null;
            String region = null;
            String profile = null;
            String endpoint = null;
            String environment = null;
            String snapshot = null;
            List<String> skip = List.of();
            boolean dryRun = false;
            boolean follow = false;
            int max = 10;
            Shadow shadow = null;
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--stack" -> stack = value(args, ++i, a);
                    case "--region" -> region = value(args, ++i, a);
                    case "--profile" -> profile = value(args, ++i, a);
                    case "--endpoint" -> endpoint = value(args, ++i, a);
                    case "--environment" -> environment = value(args, ++i, a);
                    case "--snapshot-dt" -> snapshot = only(command, "start", a, value(args, ++i, a));
                    case "--skip" -> skip = List.of(only(command, "start", a, value(args, ++i, a)).split(",", -1));
                    case "--dry-run" -> dryRun = only(command, List.of("start", "resume"), a);
                    case "--follow" -> follow = only(command, List.of("start", "resume"), a);
                    case "--max" -> max = count(only(command, "status", a, value(args, ++i, a)));
                    case "--shadow" -> {
                        only(command, List.of("start"), a);
                        boolean repair = i + 1 < args.length && args[i + 1].equals("repair");
                        i += repair ? 1 : 0;
                        shadow = new Shadow(repair);
                    }
                    default -> {
                        if (a.startsWith("-")) {
                            throw new UsageException("unknown option " + a);
                        }
                        if (execution != null || !(command.equals("follow") || command.equals("resume"))) {
                            throw new UsageException("unexpected argument '" + a + "'");
                        }
                        execution = a;
                    }
                }
            }
            if ((command.equals("follow") || command.equals("resume")) && execution == null) {
                throw new UsageException(command + " needs an EXECUTION (its ARN or name)");
            }
            if (execution != null && !EXECUTION_ARN.matcher(execution).matches()
                    && !EXECUTION_NAME.matcher(execution).matches()) {
                throw new UsageException("EXECUTION must be an execution ARN or an execution name (letters, digits, ., "
                        + "- and _, "
                        + "1 to 80), got '" + execution + "'");
            }
            if (stack == null && endpoint == null) {
                throw new UsageException("give --stack NAME (a deployed stack) or --endpoint URL (the local endpoint)");
            }
            if (stack != null && !STACK.matcher(stack).matches()) {
                throw new UsageException("--stack must be a CloudFormation stack name, got '" + stack + "'");
            }
            if (region != null && !REGION.matcher(region).matches()) {
                throw new UsageException("--region must be a region such as us-east-1, got '" + region + "'");
            }
            if (endpoint != null && !endpoint.matches("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$")) {
                throw new UsageException("--endpoint must be http(s)://host:port, got '" + endpoint + "'");
            }
            if (environment != null && (endpoint == null || stack != null)) {
                throw new UsageException("--environment goes with --endpoint alone (a stack names its own state "
                        + "machine)");
            }
            if (environment != null && !ENVIRONMENT.matcher(environment).matches()) {
                throw new UsageException("--environment must be lower-case letters and digits, got '" + environment
                        + "'");
            }
            if (snapshot != null) {
                try {
                    if (!snapshot.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
                        throw new DateTimeParseException("not YYYY-MM-DD", snapshot, 0);
                    }
                    LocalDate.parse(snapshot);
                } catch (DateTimeParseException e) {
                    throw new UsageException("--snapshot-dt must be a date YYYY-MM-DD, got '" + snapshot + "'");
                }
            }
            if (skip.stream().anyMatch(String::isBlank)) {
                throw new UsageException("--skip takes step names separated by commas, with none empty");
            }
            return new Options(command, execution, stack, region, profile, endpoint,
                    environment == null ? "dev" : environment,
                    snapshot, skip, dryRun, follow, max, shadow);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new UsageException(option + " needs a value");
            }
            return args[i];
        }

        private static String only(String command, String allowed, String option, String value) {
            only(command, List.of(allowed), option);
            return value;
        }

        private static boolean only(String command, List<String> allowed, String option) {
            if (!allowed.contains(command)) {
                throw new UsageException(option + " goes with " + String.join(" or ", allowed) + ", not " + command);
            }
            return true;
        }

        private static int count(String value) {
            try {
                int n = Integer.parseInt(value);
                if (n >= 1 && n <= 100) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException("--max takes a whole number from 1 to 100, got '" + value + "'");
        }

        /** The options that name the same stack again, for the commands this one prints. */
        String target() {
            StringBuilder s = new StringBuilder();
            if (stack != null) {
                s.append(" --stack ").append(stack);
            }
            if (endpoint != null) {
                s.append(" --endpoint ").append(endpoint);
                if (stack == null && !environment.equals("dev")) {
                    s.append(" --environment ").append(environment);
                }
            }
            if (region != null) {
                s.append(" --region ").append(region);
            }
            if (profile != null) {
                s.append(" --profile ").append(profile);
            }
            return s.toString();
        }
    }

    private final Options options;
    private final StackTarget target;
    private final PrintStream out;
    private final PrintStream err;

    RefreshCommand(Options options, StackTarget target, PrintStream out, PrintStream err) {
        this.options = options;
        this.target = target;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit code (0 done, 1 refused or failed, 2 bad argument). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            err.println("refresh: " + e.getMessage());
            err.println();
            err.println(USAGE);
            return 2;
        }
        try (StackTarget target = StackTarget.open(options)) {
            return new RefreshCommand(options, target, out, err).execute();
        } catch (UsageException e) {
            err.println("refresh: " + e.getMessage());
            return 2;
        } catch (RefusedException e) {
            err.println("refresh: " + e.getMessage());
            return 1;
        } catch (software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException
                 | software.amazon.awssdk.services.sfn.model.InvalidArnException e) {
            err.println("refresh: no such execution: " + e.awsErrorDetails().errorMessage());
            return 2;
        } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
            // Nothing reached AWS: most often no credentials.
            err.println("refresh: could not call AWS: " + e.getMessage() + (e.getMessage() != null
                    && e.getMessage().contains("credentials")
                            ? " (log in first: aws sso login, AWS_PROFILE or --profile)" : ""));
            return 1;
        } catch (SdkException e) {
            err.println("refresh: AWS answered: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("refresh: " + e);
            return 1;
        }
    }

    int execute() {
        return switch (options.command()) {
            case "start" -> start();
            case "follow" -> follow(target.executionArn(options.execution()));
            case "resume" -> resume();
            default -> status();
        };
    }

    private int start() {
        ObjectNode input = target.scheduleInput();
        if (options.snapshotDt() != null) {
            input.put("snapshotDt", options.snapshotDt());
        }
        if (!options.skip().isEmpty()) {
            input.set("skip", JSON.valueToTree(skipKeys(target.definition(), options.skip())));
        }
        if (options.shadow() != null) {
            ObjectNode shadow = input.putObject("shadow");
            if (options.shadow().repair()) {
                shadow.put("repair", true);
            }
        }
        if (options.dryRun()) {
            out.println(pretty(input));
            err.println("refresh: --dry-run: this input is what the monthly schedule sends"
                    + (options.snapshotDt() != null || !options.skip().isEmpty()
                    || options.shadow() != null ? ", with --snapshot-dt / --skip / --shadow applied" : "")
                            + "; nothing was started");
            return 0;
        }
        refuseWhileRunning();
        String name = (options.shadow() != null ? "shadow-" : "refresh-")
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + (options.snapshotDt() == null ? "" : "-" + options.snapshotDt());
        String arn = target.sfn().startExecution(b -> b.stateMachineArn(target.stateMachineArn()).name(name)
                .input(input.toString())).executionArn();
        out.println("started " + arn);
        if (options.shadow() != null) {
            out.println("a shadow run: no Glue job, "
                    + (options.shadow().repair() ? "the missing partitions added, " : "the repair a dry run, ")
                    + "the ER table as shadow_<name>, Clean Rooms planned only, the reports and shadow.json under "
                    + "shadow/ in the reports bucket");
        }
        return options.follow() ? follow(arn) : followHint(arn);
    }

    private int followHint(String arn) {
        out.println("follow it: bin/flywheel refresh follow " + arn + options.target());
        return 0;
    }

    private int follow(String arn) {
        Instant since = Instant.now();
        ExecutionFollower.Followed f = ExecutionFollower.follow(target.sfn(), arn,
                line -> out.printf("[%6s] %s%n", ExecutionFollower.seconds(Duration.between(since, Instant.now())),
                        line),
                target.pollInterval(), Duration.ofDays(7));
        DescribeExecutionResponse d = f.execution();
        out.println("== " + d.name() + " " + d.statusAsString());
        if (d.status() == ExecutionStatus.SUCCEEDED) {
            return 0;
        }
        FailureReport report = report(d, f.history());
        out.println("   failed step  " + report.failedStep());
        out.println("   error        " + report.error());
        out.println("   cause        " + ExecutionFollower.abbreviate(report.cause(), 500));
        if (refused(report)) {
            out.println("it did nothing: another refresh was running; nothing to resume");
        } else {
            out.println("resume it: bin/flywheel refresh resume " + arn + options.target());
        }
        return 1;
    }

    /** Refused by the guard: another refresh was running; it did nothing. */
    private static boolean refused(FailureReport report) {
        return report.error() != null && report.error().endsWith("ConcurrentRefreshException");
    }

    private int resume() {
        String arn = target.executionArn(options.execution());
        DescribeExecutionResponse d = target.sfn().describeExecution(b -> b.executionArn(arn));
        if (d.status() == ExecutionStatus.RUNNING || d.status() == ExecutionStatus.PENDING_REDRIVE) {
            throw new RefusedException(arn + " is " + d.statusAsString() + ": nothing to resume; follow it with "
                    + "bin/flywheel refresh follow " + arn + options.target());
        }
        if (d.status() == ExecutionStatus.SUCCEEDED) {
            throw new RefusedException(arn + " SUCCEEDED: nothing to resume");
        }
        List<HistoryEvent> history = history(arn);
        FailureReport report = report(d, history);
        out.println(d.name() + " " + d.statusAsString() + " at step " + report.failedStep() + ": " + report.error());
        String resumedBy = resumedAlready(d.name());
        if (resumedBy != null) {
            throw new RefusedException(arn + " was resumed already by " + resumedBy
                    + ", which SUCCEEDED: nothing to resume");
        }
        String why = redriveRefusal(d, report);
        if (why == null) {
            if (options.dryRun()) {
                out.println("--dry-run: would redrive " + arn + ": it restarts at " + report.failedStep()
                        + " and does not rerun what finished");
                return 0;
            }
            refuseWhileRunning();
            target.sfn().redriveExecution(b -> b.executionArn(arn));
            awaitRedrive(arn, d.redriveCount() == null ? 0 : d.redriveCount());
            out.println("redriven " + arn + ": it restarts at " + report.failedStep()
                    + " and does not rerun what finished");
            return options.follow() ? follow(arn) : followHint(arn);
        }
        JsonNode input = report.resumeInput();
        out.println("not redriven: " + why);
        out.println("a new execution" + (report.skip().isEmpty() ? " with the same input" : " that skips "
                + report.skip().keySet())
                + (report.snapshotDt() != null ? ", on snapshot " + report.snapshotDt() : ""));
        if (options.dryRun()) {
            out.println(pretty(input));
            return 0;
        }
        refuseWhileRunning();
        String name = resumePrefix(d.name())
                + DateTimeFormatter.ofPattern("MMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        String started = target.sfn().startExecution(b -> b.stateMachineArn(target.stateMachineArn()).name(name)
                .input(input.toString())).executionArn();
        out.println("started " + started);
        return options.follow() ? follow(started) : followHint(started);
    }

    /** A resume's name: the resumed execution's (up to 60 characters), "-r", then the time. */
    private static String resumePrefix(String name) {
        return (name.length() > 60 ? name.substring(0, 60) : name) + "-r";
    }

    /** The name of an execution that resumed this one and SUCCEEDED, or null. */
    private String resumedAlready(String name) {
        String prefix = resumePrefix(name);
        return target.sfn().listExecutionsPaginator(b -> b.stateMachineArn(target.stateMachineArn())
                        .statusFilter(ExecutionStatus.SUCCEEDED)).executions().stream()
                .filter(e -> e.name().startsWith(prefix)).map(ExecutionListItem::executionArn).findFirst().orElse(null);
    }

    /**
     * Until DescribeExecution shows the redrive (it is eventually consistent): RUNNING, or a higher
     * redriveCount; at most 30 s, so follow does not report the old failure as the redrive's.
     */
    private void awaitRedrive(String arn, int before) {
        for (int i = 0; i < 30; i++) {
            DescribeExecutionResponse now = target.sfn().describeExecution(b -> b.executionArn(arn));
            if (now.status() == ExecutionStatus.RUNNING || now.redriveCount() != null && now.redriveCount() > before) {
                return;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the redrive to show", e);
            }
        }
    }

    /**
     * Why a redrive would not resume the failed work, or null when it would. A Fail state anywhere
     * (a Glue job loop's {@code <Step>Failed}, a ceiling): a redrive restarts at that state, which
     * fails again at once. Otherwise Step Functions' own verdict, {@code redriveStatus}.
     */
    public static String redriveRefusal(DescribeExecutionResponse d, FailureReport report) {
        if (!report.redriveResumes()) {
            return "it failed in the Fail state " + String.join(", ", report.failStates())
                    + ", where a redrive would restart "
                    + "and fail again at once";
        }
        if (d.redriveStatusAsString() == null) {
            return "this endpoint reports no redriveStatus (the local emulator has no redrive)";
        }
        if (!"REDRIVABLE".equals(d.redriveStatusAsString())) {
            return "Step Functions says " + d.redriveStatusAsString() + (d.redriveStatusReason() == null ? ""
                    : ": " + d.redriveStatusReason());
        }
        return null;
    }

    private int status() {
        List<ExecutionListItem> recent = target.sfn().listExecutions(b -> b.stateMachineArn(target.stateMachineArn())
                .maxResults(options.max())).executions();
        out.println("db-refresh " + target.stateMachineArn());
        if (recent.isEmpty()) {
            out.println("   (no execution yet)");
            return 0;
        }
        out.printf("%-48s %-10s %-20s %-9s %s%n", "EXECUTION", "STATUS", "STARTED (UTC)", "MINUTES",
                "FAILED STEP: ERROR");
        for (ExecutionListItem e : recent) {
            String failed = "";
            if (e.status() == ExecutionStatus.FAILED || e.status() == ExecutionStatus.TIMED_OUT
                    || e.status() == ExecutionStatus.ABORTED) {
                DescribeExecutionResponse d = target.sfn().describeExecution(b -> b.executionArn(e.executionArn()));
                FailureReport r = report(d, history(e.executionArn()));
                failed = r.failedStep() + ": " + r.error();
            }
            Instant end = e.stopDate() != null ? e.stopDate() : Instant.now();
            out.printf("%-48s %-10s %-20s %-9s %s%n", e.name(), e.statusAsString(),
                    DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(e.startDate()),
                    String.format(java.util.Locale.ROOT, "%.1f",
                            Duration.between(e.startDate(), end).toSeconds() / 60.0), failed);
        }
        return 0;
    }

    private void refuseWhileRunning() {
        List<ExecutionListItem> running = new ArrayList<>();
        target.sfn().listExecutionsPaginator(b -> b.stateMachineArn(target.stateMachineArn())
                .statusFilter(ExecutionStatus.RUNNING))
                .executions().forEach(running::add);
        if (!running.isEmpty()) {
            ExecutionListItem r = running.get(0);
            throw new RefusedException("refused: a refresh is running on this lake: " + r.executionArn() + " (started "
                    + r.startDate() + "). Follow it: bin/flywheel refresh follow " + r.executionArn()
                            + options.target());
        }
    }

    private List<HistoryEvent> history(String arn) {
        List<HistoryEvent> events = new ArrayList<>();
        target.sfn().getExecutionHistoryPaginator(b -> b.executionArn(arn).maxResults(1000)).events()
                .forEach(events::add);
        return events;
    }

    /** What the execution did, read with the definition it ran (the skip keys come from the current one). */
    private FailureReport report(DescribeExecutionResponse d, List<HistoryEvent> history) {
        return FailureReport.of(target.definitionOf(d.executionArn()), history, d.input(), d.error(), d.cause());
    }

    /**
     * The {@code skip} map for the names given: step names as the definition's Choice states read them
     * ({@code $.skip.<Step>}), a top-level state holding some (SplitInputs: both split jobs), or
     * today's script numbers.
     */
    static Map<String, Boolean> skipKeys(JsonNode definition, List<String> names) {
        List<String> keys = FailureReport.skipKeys(definition);
        Map<String, List<String>> groups = new LinkedHashMap<>();
        definition.path("States").fields().forEachRemaining(s -> {
            String type = s.getValue().path("Type").asText();
            List<String> under = FailureReport.skipKeys(s.getValue());
            if ((type.equals("Parallel") || type.equals("Map")) && !under.isEmpty()) {
                groups.put(s.getKey(), under);
            }
        });
        Map<String, Boolean> skip = new TreeMap<>();
        for (String name : names) {
            List<String> meant = keys.contains(name) ? List.of(name) : groups.containsKey(name) ? groups.get(name)
                    : SCRIPT_NUMBERS.get(name);
            if (meant == null) {
                throw new UsageException("--skip: unknown step '" + name + "'; steps: " + keys + ", groups: "
                        + groups.keySet()
                        + ", or today's script numbers 1-7");
            }
            meant.forEach(k -> skip.put(k, true));
        }
        return skip;
    }

    private static String pretty(JsonNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
