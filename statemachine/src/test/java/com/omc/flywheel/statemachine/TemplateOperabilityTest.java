package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.moto.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator gets from the deployed stack (template.yaml through the SAM transform, read by
 * local/scripts/transformed_template.py): e-mail subscriptions, alarms publishing to the
 * notification topic, the dashboard, tracing, and the module contract's parameters and outputs.
 */
class TemplateOperabilityTest {
    private static final List<String> FUNCTIONS = List.of("start-glue-job", "check-status", "msck-repair",
            "associate-tables",
            "build-report", "resolve-snapshot", "fetch-active-topics", "notify-failure", "refresh-er-table");
    private static final List<String> MACHINES = List.of("db-refresh", "topic-orchestrator", "historical-rebuilder");
    private static JsonNode stack;

    @BeforeAll
    static void transform() {
        stack = transformed(Map.of("NotificationEmails", "oncall@example.com,data-team@example.com"));
    }

    /** The transformed template for the local parameters plus these. */
    static JsonNode transformed(Map<String, String> extra) {
        Path repo = SampleEvents.repoRoot();
        List<String> command = new ArrayList<>(List.of(MotoServer.findOnPath("python3",
                "python3 (with aws-sam-translator, which cfn-lint brings) is needed to read template.yaml"),
                repo.resolve("local/scripts/transformed_template.py").toString(),
                        repo.resolve("template.yaml").toString(),
                "--region", MotoServer.REGION, "--account", MotoServer.ACCOUNT_ID));
        // In name order, so the same parameters are the same command: DeployedStack keeps the answer.
        Map<String, String> params = new java.util.TreeMap<>(DeployedStack.LOCAL_PARAMETERS);
        params.putAll(extra);
        params.forEach((k, v) -> command.addAll(List.of("--param", k + "=" + v)));
        return DeployedStack.scriptOutput(command, repo.resolve("template.yaml"));
    }

    /** The deployed resources of a type, logical id to resource. */
    static Map<String, JsonNode> resources(JsonNode template, String type) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = template.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().path("Type").asText().equals(type) && e.getValue().path("Deployed").asBoolean()) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    static JsonNode resolved(JsonNode resource, String where) {
        JsonNode r = resource.get("Resolved");
        assertTrue(r != null, where + ": its properties do not resolve locally");
        return r;
    }

    /**
     * Alarms by every metric they read, "namespace metric dimension=value" (a metric-math alarm is
     * listed under each of its metrics), each checked to publish to the notification topic and to say
     * what to do.
     */
    static Map<String, List<JsonNode>> alarms(JsonNode template) {
        String topic = "arn:aws:sns:us-east-1:123456789012:omc-flywheel-dev-db-refresh-notifications";
        Map<String, List<JsonNode>> out = new HashMap<>();
        resources(template, "AWS::CloudWatch::Alarm").forEach((id, alarm) -> {
            JsonNode p = resolved(alarm, id);
            assertEquals(List.of(topic), texts(p.path("AlarmActions")), id + " publishes to the notification topic");
            assertFalse(p.path("AlarmDescription").asText().isBlank(), id + " says what to do");
            List<JsonNode> metrics = new ArrayList<>();
            if (p.has("MetricName")) {
                metrics.add(p);
            }
            p.path("Metrics").forEach(m -> {
                if (m.has("MetricStat")) {
                    metrics.add(m.path("MetricStat").path("Metric"));
                }
            });
            assertFalse(metrics.isEmpty(), id + " has a metric");
            for (JsonNode metric : metrics) {
                out.computeIfAbsent(key(metric), k -> new ArrayList<>()).add(p);
            }
        });
        return out;
    }

    /** "namespace metric dimension=value ..." of one metric. */
    static String key(JsonNode metric) {
        StringBuilder key = new StringBuilder(metric.path("Namespace").asText() + " " + metric.path("MetricName")
                .asText());
        for (JsonNode d : metric.path("Dimensions")) {
            key.append(' ').append(d.path("Name").asText()).append('=').append(d.path("Value").asText());
        }
        return key.toString();
    }

    /** The one alarm reading this metric. */
    static JsonNode alarm(Map<String, List<JsonNode>> alarms, String metric) {
        List<JsonNode> found = alarms.getOrDefault(metric, List.of());
        assertEquals(1, found.size(), "alarms reading " + metric + ": " + found);
        return found.get(0);
    }

    /** A metric-math alarm's expression, with each metric's Id replaced by its MetricName. */
    static String expression(JsonNode alarm) {
        String expression = null;
        Map<String, String> names = new HashMap<>();
        for (JsonNode m : alarm.path("Metrics")) {
            if (m.has("MetricStat")) {
                names.put(m.path("Id").asText(), m.path("MetricStat").path("Metric").path("MetricName").asText());
            } else if (m.path("ReturnData").asBoolean(true)) {
                expression = m.path("Expression").asText();
            }
        }
        assertTrue(expression != null, "a metric-math alarm: " + alarm);
        for (Map.Entry<String, String> n : names.entrySet()) {
            expression = expression.replaceAll("\\b" + n.getKey() + "\\b", n.getValue());
        }
        return expression;
    }

    static String machine(String name) {
        return "StateMachineArn=arn:aws:states:us-east-1:123456789012:stateMachine:omc-flywheel-dev-" + name;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    @Test
    void everyAddressIsSubscribedToBothTopicsAndNoneWhenTheListIsEmpty() {
        Set<String> subscriptions = new TreeSet<>();
        resources(stack, "AWS::SNS::Subscription").forEach((id, s) -> {
            JsonNode p = resolved(s, id);
            assertEquals("email", p.path("Protocol").asText(), id);
            subscriptions.add(p.path("TopicArn").asText().replaceAll(".*:", "") + " " + p.path("Endpoint").asText());
        });
        assertEquals(new TreeSet<>(List.of(
                "omc-flywheel-dev-data-monitor-alerts data-team@example.com",
                        "omc-flywheel-dev-data-monitor-alerts oncall@example.com",
                "omc-flywheel-dev-db-refresh-notifications data-team@example.com",
                "omc-flywheel-dev-db-refresh-notifications oncall@example.com")), subscriptions);
        assertEquals(Map.of(), resources(transformed(Map.of()), "AWS::SNS::Subscription"),
                "the default adds no subscription");
        Map<String, String> five = Map.of("NotificationEmails", "a@x.io,b@x.io,c@x.io,d@x.io,e@x.io");
        assertEquals(10, resources(transformed(five), "AWS::SNS::Subscription").size(), "5 addresses, 2 topics");
    }

    @Test
    void alarmsCoverEveryStateMachinesOutcomeTheTopicsAndEveryFunctionsThrottles() {
        Map<String, List<JsonNode>> alarms = alarms(stack);
        List<String> expected = new ArrayList<>(List.of("AWS/States ExecutionsSucceeded " + machine("db-refresh"),
                "OMC/Flywheel TopicsFailed Environment=dev"));
        for (String m : MACHINES) {
            for (String outcome : List.of("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted")) {
                expected.add("AWS/States " + outcome + " " + machine(m));
            }
        }
        for (String f : FUNCTIONS) {
            expected.add("AWS/Lambda Throttles FunctionName=omc-flywheel-dev-" + f);
        }
        assertEquals(List.of(), expected.stream().filter(k -> !alarms.containsKey(k)).toList(),
                "alarms found: " + alarms.keySet());
        assertEquals(FUNCTIONS.size(), resources(stack, "AWS::Lambda::Function").size(),
                "every function has its alarms");

        JsonNode overdue = alarm(alarms, "AWS/States ExecutionsSucceeded " + machine("db-refresh"));
        assertEquals("breaching", overdue.path("TreatMissingData").asText(), "no data is no refresh");
        long window = 0;
        for (JsonNode m : overdue.path("Metrics")) {
            window = Math.max(window, m.path("MetricStat").path("Period").asLong());
        }
        assertTrue(window * overdue.path("EvaluationPeriods").asLong() <= 604_800,
                "CloudWatch evaluates at most 7 days");
        // Metric math: DAY() is the day of the WEEK (1 = Monday ... 7 = Sunday), DATE() the day of the
        // month. Gated on DAY(), "after the 7th" is never true and the alarm fires a week after every
        // refresh; moto computes no metric math, so the expression itself is what can be checked here.
        String due = "";
        for (JsonNode m : overdue.path("Metrics")) {
            due += m.path("Expression").asText();
        }
        assertTrue(due.contains("DATE(") && !due.contains("DAY("), "gated on the day of the month: " + due);
        String topicsFailed = alarms.get("OMC/Flywheel TopicsFailed Environment=dev").stream()
                .filter(a -> a.path("AlarmName").asText().equals("omc-flywheel-dev-topics-failed")).findFirst()
                .orElseThrow().path("AlarmDescription").asText();
        assertTrue(topicsFailed.contains("fetch-active-topics") && !topicsFailed.contains("later change"),
                topicsFailed);
    }

    /**
     * Issue 21: a Lambda Errors alarm fires on what a person must act on. The functions the state
     * machines invoke throw on purpose what the design handles (a refused refresh or rebuild, a
     * failed ER query caught into its Fail state) and transient errors the state machines retry; what
     * is not absorbed fails the execution, which its state machine's alarm and notify-failure's mail
     * report. So an Errors alarm only for a function no state machine invokes (notify-failure:
     * EventBridge invokes it, and its failure is a missing notice).
     */
    @Test
    void lambdaErrorsAlarmsOnlyForFunctionsNoStateMachineInvokes() throws Exception {
        Set<String> invoked = new TreeSet<>();
        for (Path f : AslDefinitionsTest.definitions()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{([A-Za-z]+Function)Arn}")
                    .matcher(Files.readString(f));
            while (m.find()) {
                invoked.add(StateMachineHarness.FUNCTIONS.get(m.group(1)));
            }
        }
        assertTrue(invoked.containsAll(List.of("start-glue-job", "resolve-snapshot", "fetch-active-topics")),
                invoked.toString());
        Set<String> expected = new TreeSet<>(FUNCTIONS);
        expected.removeAll(invoked);
        assertEquals(Set.of("notify-failure"), expected, "the functions no definition invokes");

        Set<String> withErrorsAlarm = new TreeSet<>();
        alarms(stack).keySet().stream().filter(k -> k.startsWith("AWS/Lambda Errors "))
                .forEach(k -> withErrorsAlarm.add(k.substring(k.indexOf("omc-flywheel-dev-") + 17)));
        assertEquals(expected, withErrorsAlarm, "Lambda Errors alarms");
    }

    /**
     * The outcomes that are someone else's signal are left out, so one event pages once: a refused
     * refresh start (it did nothing; resolve-snapshot counts it as RefreshesRefused) from
     * db-refresh-failed, and an orchestrator run that failed at TopicsFailed (the topics-failed
     * alarm's) from topic-orchestrator-failed, which reads whichever orchestrator TopicMapMode
     * deploys. moto computes no metric math: the expressions are what can be checked.
     */
    @Test
    void eachUnsuccessfulOutcomeAlarmsOnceAndTheOrchestratorsAlarmFollowsTopicMapMode() {
        Map<String, List<JsonNode>> alarms = alarms(stack);
        JsonNode refresh = alarm(alarms, "AWS/States ExecutionsFailed " + machine("db-refresh"));
        assertEquals(refresh, alarm(alarms, "OMC/Flywheel RefreshesRefused Environment=dev"));
        assertEquals("FILL(ExecutionsFailed, 0) - FILL(RefreshesRefused, 0)", expression(refresh));

        JsonNode orchestrator = alarm(alarms, "AWS/States ExecutionsFailed " + machine("topic-orchestrator"));
        assertEquals(orchestrator, alarm(alarms, "AWS/States ExecutionsTimedOut " + machine("topic-orchestrator")));
        assertEquals("IF(FILL(TopicsFailed, 0) > 0, 0, FILL(ExecutionsFailed, 0)) + FILL(ExecutionsTimedOut, 0) + "
                + "FILL(ExecutionsAborted, 0)", expression(orchestrator));
        assertEquals(2, alarms.get("OMC/Flywheel TopicsFailed Environment=dev").size(),
                "topics-failed, and the orchestrator's alarm that leaves those runs to it");
        JsonNode rebuilder = alarm(alarms, "AWS/States ExecutionsFailed " + machine("historical-rebuilder"));
        assertEquals("FILL(ExecutionsFailed, 0) + FILL(ExecutionsTimedOut, 0) + FILL(ExecutionsAborted, 0)",
                expression(rebuilder));

        Map<String, List<JsonNode>> distributed = alarms(transformed(Map.of("TopicMapMode", "DISTRIBUTED")));
        assertEquals(1, distributed.get("AWS/States ExecutionsFailed " + machine("distributed-topic-orchestrator"))
                .size(), "the deployed orchestrator's: " + distributed.keySet());
        assertFalse(distributed.containsKey("AWS/States ExecutionsFailed " + machine("topic-orchestrator")));
    }

    @Test
    void theDashboardShowsExecutionsFunctionsGlueRunsAndTheProductMetrics() throws Exception {
        Map<String, JsonNode> dashboards = resources(stack, "AWS::CloudWatch::Dashboard");
        assertEquals(1, dashboards.size());
        JsonNode p = resolved(dashboards.values().iterator().next(), "the dashboard");
        assertEquals("omc-flywheel-dev", p.path("DashboardName").asText());
        String body = p.path("DashboardBody").asText();
        new ObjectMapper().readTree(body); // valid JSON
        List<String> expected = new ArrayList<>(List.of("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed",
                "ExecutionTime",
                "\"Errors\"", "\"Duration\"", "ispresent(@initDuration)", "job run polled", "elapsedSeconds",
                "SOURCE '/aws/lambda/omc-flywheel-dev-check-status'"));
        for (String m : MACHINES) {
            expected.add("stateMachine:omc-flywheel-dev-" + m + "\"");
        }
        for (String f : FUNCTIONS) {
            expected.add("\"omc-flywheel-dev-" + f + "\"");
            expected.add("SOURCE '/aws/lambda/omc-flywheel-dev-" + f + "'");
        }
        for (String m : List.of("PartitionsAdded", "TablesFailed", "DataMonitorAlerts", "CleanRoomsActions",
                "PollsPerJob", "TopicsFailed")) {
            expected.add("\"OMC/Flywheel\", \"" + m + "\", \"Environment\", \"dev\"");
        }
        String compact = body.replaceAll("\\s+", " ").replace("[ ", "[").replace(" ]", "]");
        assertEquals(List.of(), expected.stream().filter(x -> !compact.contains(x)).toList(),
                "the dashboard lacks these");
    }

    @Test
    void everyFunctionAndStateMachineIsTraced() {
        Map<String, JsonNode> functions = resources(stack, "AWS::Lambda::Function");
        functions.forEach((id, f) -> assertEquals("Active", f.path("Properties").path("TracingConfig").path("Mode")
                .asText(), id));
        Map<String, JsonNode> machines = resources(stack, "AWS::StepFunctions::StateMachine");
        assertEquals(MACHINES.size(), machines.size());
        machines.forEach((id, m) -> assertTrue(m.path("Properties").path("TracingConfiguration").path("Enabled")
                .asBoolean(), id));
    }

    @Test
    void theModuleContractsParametersReachTheResources() {
        JsonNode declared = stack.path("Parameters");
        List<String> missing = new ArrayList<>();
        for (String name : List.of("NotificationEmails", "ScheduleExpression", "TopicKmsKeyId", "LogsKmsKeyArn",
                "SplitAddressableIdsJobName", "SplitInfobaseJobName", "RegisterPartTablesJobName",
                        "PreparePartTablesJobName",
                "ErTablePrefix", "DataMonitorReportJobName", "CleanRoomsReportJobName", "TopicStandardizedJobName",
                "TopicCuratedJobName", "TopicHistoryRebuilderJobName", "TopicRegistryTableName", "TopicMaxConcurrency",
                "TopicMapMode")) {
            if (!declared.has(name)) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "parameters");
        assertEquals("cron(0 2 1 * ? *)", declared.path("ScheduleExpression").path("Default").asText());
        assertEquals("", declared.path("TopicKmsKeyId").path("Default").asText(),
                "by default the stack creates the topic key");

        JsonNode custom = transformed(Map.of("ScheduleExpression", "cron(0 3 2 * ? *)", "TopicKmsKeyId",
                "arn:aws:kms:us-east-1:123456789012:key/0000aaaa-12ab-34cd-56ef-1234567890ab",
                "LogsKmsKeyArn", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "SplitAddressableIdsJobName", "custom-split", "TopicCuratedJobName", "custom-curated"));
        JsonNode monthly = resolved(custom.path("Resources").path("DbRefreshStateMachineMonthly"),
                "the monthly schedule");
        assertEquals("cron(0 3 2 * ? *)", monthly.path("ScheduleExpression").asText());
        assertTrue(monthly.path("Target").path("Input").asText().contains("\"jobName\": \"custom-split\""));
        JsonNode topics = resolved(custom.path("Resources").path("TopicOrchestratorStateMachineEvery15Minutes"),
                "the topic schedule");
        assertTrue(topics.path("Target").path("Input").asText().contains("\"jobName\": \"custom-curated\""));
        String startPolicy = resolved(custom.path("Resources").path("StartGlueJobFunctionRole"),
                "start-glue-job's role").toString();
        assertTrue(startPolicy.contains("job/custom-split\""), "start-glue-job may start the job the schedule names");
        assertFalse(startPolicy.contains("addressable-split-and-part"));
        assertTrue(resolved(custom.path("Resources").path("CheckStatusFunctionRole"), "check-status's role").toString()
                .contains("job/custom-curated\""));
        resources(custom, "AWS::SNS::Topic").forEach((id, t) ->
                assertEquals("arn:aws:kms:us-east-1:123456789012:key/0000aaaa-12ab-34cd-56ef-1234567890ab",
                        resolved(t, id).path("KmsMasterKeyId").asText(), id));
        Map<String, JsonNode> logGroups = resources(custom, "AWS::Logs::LogGroup");
        assertEquals(FUNCTIONS.size() + MACHINES.size(), logGroups.size());
        logGroups.forEach((id, g) -> assertEquals("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-"
                + "1234567890ab",
                resolved(g, id).path("KmsKeyId").asText(), id));
        resources(stack, "AWS::Logs::LogGroup").forEach((id, g) ->
                assertFalse(resolved(g, id).has("KmsKeyId"), id + ": no key by default"));
        String defaults = resolved(stack.path("Resources").path("DbRefreshStateMachineMonthly"), "the monthly schedule")
                .toString();
        assertTrue(defaults.contains("etl-omc-flywheel-dev-addressable-split-and-part"),
                "empty job names mean today's names");
        // By default the stack's own customer managed key, which CloudWatch may use: the alarms reach the topic.
        JsonNode key = stack.path("Resources").path("TopicKey");
        assertTrue(key.path("Deployed").asBoolean(), "the stack creates the topic key by default");
        assertTrue(key.path("Properties").path("KeyPolicy").toString().contains("cloudwatch.amazonaws.com"));
        resources(stack, "AWS::SNS::Topic").forEach((id, t) -> assertTrue(
                resolved(t, id).path("KmsMasterKeyId").asText().endsWith(":key/TopicKey"), id
                        + " uses the stack's key"));
    }

    /**
     * Seed 003's registry protocol, as deployed: an existing registry (TopicRegistryTableName) replaces
     * the one the stack creates in every consumer and grant; the orchestrator's MaxConcurrency and Map
     * mode are parameters; every ${...} of each definition is one of its state machine's substitutions.
     */
    @Test
    void theTopicRegistryMayBeAnExistingTableAndTheOrchestratorsMapIsAParameter() throws Exception {
        JsonNode resources = stack.path("Resources");
        assertTrue(resources.path("TopicRegistryTable").path("Deployed").asBoolean(),
                "by default the stack creates the registry");
        assertEquals("omc-flywheel-dev-topic-registry", resolved(resources.path("FetchActiveTopicsFunction"),
                "fetch-active-topics")
                .path("Environment").path("Variables").path("REGISTRY_TABLE").asText());
        JsonNode inline = resolved(resources.path("TopicOrchestratorStateMachine"), "the orchestrator")
                .path("DefinitionSubstitutions");
        assertEquals("omc-flywheel-dev-topic-registry", inline.path("RegistryTableName").asText());
        assertEquals("5", inline.path("TopicMaxConcurrency").asText());
        assertTrue(resources.path("TopicOrchestratorStateMachine").path("Deployed").asBoolean());
        assertFalse(resources.path("TopicOrchestratorDistributedStateMachine").path("Deployed").asBoolean(),
                "INLINE by default");

        JsonNode custom = transformed(Map.of("TopicRegistryTableName", "PipelineRegistry", "TopicMapMode",
                "DISTRIBUTED",
                "TopicMaxConcurrency", "200", "TopicStandardizedJobName", "custom-standardized"));
        JsonNode r = custom.path("Resources");
        assertFalse(r.path("TopicRegistryTable").path("Deployed").asBoolean(),
                "an existing registry: the stack creates none");
        assertEquals(List.of(), resources(custom, "AWS::DynamoDB::Table").keySet().stream().toList());
        assertEquals("PipelineRegistry", resolved(r.path("FetchActiveTopicsFunction"), "fetch-active-topics")
                .path("Environment").path("Variables").path("REGISTRY_TABLE").asText());
        String table = "arn:aws:dynamodb:us-east-1:123456789012:table/PipelineRegistry";
        for (String role : List.of("FetchActiveTopicsFunctionRole", "HistoricalRebuilderStateMachineRole")) {
            String policy = resolved(r.path(role), role).toString();
            assertTrue(policy.contains(table) && !policy.contains("topic-registry"), role
                    + " is granted the registry in use: " + policy);
        }
        assertFalse(r.path("TopicOrchestratorStateMachine").path("Deployed").asBoolean());
        JsonNode distributed = resolved(r.path("TopicOrchestratorDistributedStateMachine"),
                "the DISTRIBUTED orchestrator");
        assertEquals("omc-flywheel-dev-distributed-topic-orchestrator", distributed.path("StateMachineName").asText(),
                "a name of its own: a switch creates it before CloudFormation deletes the inline one");
        assertEquals("PipelineRegistry", distributed.path("DefinitionSubstitutions").path("RegistryTableName")
                .asText());
        assertEquals("200", distributed.path("DefinitionSubstitutions").path("TopicMaxConcurrency").asText());
        assertEquals("PipelineRegistry", resolved(r.path("HistoricalRebuilderStateMachine"), "the rebuilder")
                .path("DefinitionSubstitutions").path("RegistryTableName").asText());
        String role = resolved(r.path("TopicOrchestratorDistributedStateMachineRole"), "its role").toString();
        assertTrue(role.contains("\"states:StartExecution\"")
                && role.contains("stateMachine:omc-flywheel-dev-distributed-topic-orchestrator\""),
                "a Distributed Map starts child executions of its own state machine: " + role);
        JsonNode schedule = resolved(r.path("TopicOrchestratorDistributedStateMachineEvery15Minutes"), "its schedule");
        assertTrue(schedule.path("Target").path("Input").asText().contains("\"jobName\": \"custom-standardized\""));
        assertTrue(resolved(r.path("StartGlueJobFunctionRole"), "start-glue-job's role").toString()
                .contains("job/custom-standardized\""));

        // Which file each machine deploys, and that its definition's ${...} are all substituted.
        JsonNode yaml = TemplateSecurityTest.template().path("Resources");
        Map<String, String> files = Map.of("TopicOrchestratorStateMachine", "topic-orchestrator.asl.json",
                "TopicOrchestratorDistributedStateMachine", "topic-orchestrator-distributed.asl.json",
                "HistoricalRebuilderStateMachine", "historical-rebuilder.asl.json", "DbRefreshStateMachine",
                        "db-refresh.asl.json");
        for (Map.Entry<String, String> f : files.entrySet()) {
            assertEquals("statemachine/" + f.getValue(), yaml.path(f.getKey()).path("Properties").path("DefinitionUri")
                    .asText());
            String asl = Files.readString(SampleEvents.repoRoot().resolve("statemachine").resolve(f.getValue()));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{([A-Za-z]+)}").matcher(asl);
            while (m.find()) {
                assertTrue(yaml.path(f.getKey()).path("Properties").path("DefinitionSubstitutions").has(m.group(1)),
                        f.getKey() + " does not substitute ${" + m.group(1) + "} of " + f.getValue());
            }
        }
    }

    /**
     * ReportKmsKeyArn: the functions that write to the analysis bucket (build-report's reports and
     * state, msck-repair's state) get the key as REPORT_KMS_KEY_ARN (SSE-KMS) and may use it; by
     * default neither the variable nor a KMS grant exists (SSE-S3).
     */
    @Test
    void aReportKeyReachesTheWritersAndOnlyThem() {
        String key = "arn:aws:kms:us-east-1:123456789012:key/2222bbbb-12ab-34cd-56ef-1234567890ab";
        JsonNode custom = transformed(Map.of("ReportKmsKeyArn", key));
        for (String function : List.of("BuildReportFunction", "MsckRepairFunction")) {
            assertEquals(key, resolved(custom.path("Resources").path(function), function).path("Environment")
                    .path("Variables")
                    .path("REPORT_KMS_KEY_ARN").asText(), function);
            String role = resolved(custom.path("Resources").path(function + "Role"), function + "'s role").toString();
            assertTrue(role.contains("kms:GenerateDataKey") && role.contains(key), function + ": " + role);
            assertFalse(resolved(stack.path("Resources").path(function), function).path("Environment").path("Variables")
                    .has("REPORT_KMS_KEY_ARN"), function + ": SSE-S3 by default");
            assertFalse(resolved(stack.path("Resources").path(function + "Role"), function).toString()
                    .contains("EncryptWritesWithTheReportKey"), function + ": no KMS grant by default");
        }
        assertFalse(resolved(custom.path("Resources").path("AssociateTablesFunctionRole"), "associate-tables' role")
                .toString()
                .contains(key), "only the writers get the key");
    }

    /**
     * Seed 004: each db-refresh job's Glue arguments can be overridden (a JSON object); empty keeps
     * today's. Both triggers (the monthly schedule, the snapshot-arrival rule) send the same input.
     */
    @Test
    void eachJobsArgumentsCanBeOverriddenInBothTriggersInputs() throws Exception {
        String override = "{\"--DATABASE\": \"omc_flywheel_dev\", \"--TABLE_PREFIX\": \"part_\", \"--MAX_COLS\": "
                + "\"250\", "
                + "\"--S3_ROOT\": "
                        + "\"s3://omc-flywheel-data-us-east-1-dev/omc_cleanroom_data/split_part/"
                        + "infobase_attributes/\"}";
        JsonNode overridden = transformed(Map.of("RegisterInfobaseJobArguments", override));
        ObjectMapper json = new ObjectMapper();
        for (JsonNode template : List.of(stack, overridden)) {
            JsonNode schedule = json.readTree(template.path("Resources").path("DbRefreshStateMachineMonthly")
                    .path("Resolved")
                    .path("Target").path("Input").asText());
            JsonNode rule = json.readTree(template.path("Resources").path("DbRefreshStateMachineSnapshotLanded")
                    .path("Resolved")
                    .path("Targets").get(0).path("Input").asText());
            assertEquals(schedule, rule, "both triggers send the same input");
            JsonNode jobs = schedule.path("jobs");
            assertEquals("{\"--SNAPSHOT_DT\":\"_NONE_\"}", jobs.path("splitAddressableIds").path("arguments")
                    .toString());
            // No Glue job for the ER table any more: today's job with --force loses the table from month 2.
            assertFalse(jobs.has("buildErTable") || schedule.toString().contains("--force"), schedule.toString());
            assertEquals("{\"database\":\"omc_flywheel_dev\",\"location\":\"s3://omc-flywheel-data-us-east-1-dev/"
                    + "omc_cleanroom_data/identity/acx_ids_er/\",\"workgroup\":\"primary\",\"outputLocation\":"
                    + "\"s3://omc-flywheel-dev-analysis-data/query-results/er/\"}",
                            schedule.path("erTable").toString());
            assertEquals(template == stack ? "100" : "250", jobs.path("registerInfobase").path("arguments")
                    .path("--MAX_COLS")
                    .asText(), "the override replaces only its own job's arguments");
            assertEquals("100", jobs.path("registerAddressableIds").path("arguments").path("--MAX_COLS").asText());
        }
    }

    @Test
    void theOutputsNameWhatOperatorsAndOtherModulesNeed() {
        JsonNode outputs = stack.path("Outputs");
        List<String> expected = new ArrayList<>(List.of("DbRefreshNotificationsTopicName",
                "DbRefreshNotificationsTopicArn",
                "DataMonitorAlertsTopicArn", "MonthlyScheduleArn"));
        for (String m : List.of("DbRefresh", "TopicOrchestrator", "HistoricalRebuilder")) {
            expected.addAll(List.of(m + "StateMachineName", m + "StateMachineArn", m + "LogGroupArn"));
        }
        for (String f : List.of("StartGlueJob", "CheckStatus", "MsckRepair", "AssociateTables", "BuildReport",
                "ResolveSnapshot",
                "FetchActiveTopics", "NotifyFailure", "RefreshErTable")) {
            expected.add(f + "LogGroupArn");
        }
        // Those that were there before.
        expected.addAll(List.of("StartGlueJobFunctionAlias", "CheckStatusFunctionAlias", "CleanRoomsDataAccessRoleArn",
                "AssociateTablesFunctionAlias", "BuildReportFunctionAlias", "MsckRepairFunctionAlias",
                "RefreshErTableFunctionAlias"));
        assertEquals(List.of(), expected.stream().filter(o -> !outputs.has(o)).toList(), "outputs missing");
        assertEquals("DbRefreshStateMachineMonthly", outputs.path("MonthlyScheduleArn").path("Value").path("Fn::GetAtt")
                .path(0).asText());
        assertEquals("AWS::Scheduler::Schedule", stack.path("Resources").path("DbRefreshStateMachineMonthly")
                .path("Type").asText());
    }
}
