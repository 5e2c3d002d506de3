package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * {@code bin/flywheel refresh start --shadow}: the monthly schedule's own input (template.yaml, as
 * {@link RefreshCommandTest} deploys it) with {@code "shadow": {}}, started and followed to its end
 * on the local endpoint: a shadow run that succeeds without a Glue job or a Clean Rooms change.
 */
class RefreshShadowCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RefreshCommandTest deployed = new RefreshCommandTest();

    @BeforeAll
    static void readTheTemplate() {
        RefreshCommandTest.readTheTemplate();
    }

    @BeforeEach
    void deploy() {
        deployed.deploy();
    }

    @Test
    void dryRunPrintsTheSchedulesInputWithTheShadowMember() throws Exception {
        RefreshCommandTest.Outcome plain = deployed.refresh("start", "--dry-run");
        RefreshCommandTest.Outcome o = deployed.refresh("start", "--shadow", "repair", "--dry-run");

        assertEquals(0, o.code(), o.err());
        JsonNode expected = JSON.readTree(plain.out());
        ((com.fasterxml.jackson.databind.node.ObjectNode) expected).putObject("shadow").put("repair", true);
        assertEquals(expected, JSON.readTree(o.out()));
        assertTrue(o.err().contains("with --snapshot-dt / --skip / --shadow applied; nothing was started"), o.err());
    }

    @Test
    void startShadowRunsTheSchedulesInputAsAShadowRun() throws Exception {
        RefreshCommandTest.Outcome o = deployed.refresh("start", "--shadow", "--follow");

        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("a shadow run: no Glue job, the repair a dry run, "), o.out());
        List<ExecutionListItem> runs = deployed.sfn.listExecutions(b -> b.stateMachineArn(deployed.stateMachineArn))
                .executions();
        assertEquals(1, runs.size());
        assertTrue(runs.get(0).name().startsWith("shadow-"), runs.get(0).name());
        DescribeExecutionResponse d = deployed.sfn.describeExecution(b -> b.executionArn(runs.get(0).executionArn()));
        assertEquals(ExecutionStatus.SUCCEEDED, d.status());
        assertEquals("{}", JSON.readTree(d.input()).get("shadow").toString());
        assertEquals(List.of(), deployed.cloud.cleanRooms().mutations());
        assertTrue(JSON.readTree(d.output()).at("/results/shadow/wouldChange").size() > 4, d.output());
    }
}
