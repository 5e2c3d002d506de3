package com.omc.flywheel.ops.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * doctor checks a deployed role against the calls its code makes, as recorded on this machine
 * ({@code role-calls.json} in ops, written by {@code bench/run iam}). A call whose statement the
 * template no longer has is taken for a path the stack's parameters turn off, and skipped: so every
 * recorded call must still be placed, as doctor places it ({@link RoleCalls#resourceIn}), into the
 * statement it names in template.yaml as it is now (for the local parameters), and be allowed by it.
 * When this fails, run {@code bench/run iam}, which writes the map again. (In ops' package: the map's
 * reader is doctor's own; here because the template's statements are read with the emulators' tools.)
 */
class RoleCallsMapTest {
    @Test
    void everyRecordedCallIsStillAllowedByTheStatementItNames() {
        DeployedStack stack = DeployedStack.local(SampleEvents.repoRoot().resolve("template.yaml"));
        RoleCalls map = RoleCalls.load();
        List<String> stale = new ArrayList<>();
        int calls = 0;
        for (String role : stack.roles()) {
            List<PolicyEvaluator.Statement> statements = stack.statementsOf(role);
            for (RoleCalls.Call call : map.of(role)) {
                calls++;
                PolicyEvaluator.Statement s = null;
                for (int i = 0; i < statements.size(); i++) {
                    PolicyEvaluator.Statement candidate = statements.get(i);
                    if (PolicyEvaluator.name(candidate.sid(), i).equals(call.statement())) {
                        s = candidate;
                    }
                }
                String what = role + " " + call.action() + " (" + call.statement() + ")";
                if (s == null) {
                    stale.add(what + ": no such statement");
                    continue;
                }
                // The recorded context is not kept: the statement is asked without its condition.
                PolicyEvaluator.Statement unconditioned = new PolicyEvaluator.Statement(s.sid(), s.allow(),
                        s.actions(), s.notActions(), s.resources(), s.notResources(), null);
                for (String local : call.resources()) {
                    String resource = RoleCalls.resourceIn(s.resources(), call, local);
                    if (resource == null || PolicyEvaluator.evaluate(List.of(unconditioned), call.action(), resource,
                            Map.of()) != PolicyEvaluator.Decision.ALLOW) {
                        stale.add(what + ": refuses " + (resource == null ? local + " (no pattern of its shape)"
                                : resource));
                    }
                }
            }
        }
        assertTrue(calls > 100, "the map records the suite's calls: " + calls);
        assertEquals(List.of(), stale, RoleCalls.RESOURCE + " is older than template.yaml: run bench/run iam");
    }
}
