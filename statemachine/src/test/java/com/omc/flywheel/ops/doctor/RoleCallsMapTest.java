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
 * statement it names in template.yaml as it is now, and be allowed by it: for the local parameters,
 * or, for a statement only those turn on, for the production parameters of bench/iam.sh's
 * production-params run (LakeFormationGrants, ReportKmsKeyArn), which recorded it. When this fails,
 * run {@code bench/run iam}, which writes the map again. (In ops' package: the map's reader is
 * doctor's own; here because the template's statements are read with the emulators' tools.)
 */
class RoleCallsMapTest {
    /** bench/iam.sh's production-params run: the parameters that turn template.yaml's conditional grants on. */
    static final Map<String, String> PRODUCTION_PARAMETERS = Map.of("LakeFormationGrants", "true",
            "ReportKmsKeyArn", "arn:aws:kms:us-east-1:123456789012:key/5f0c1f9e-2d3b-4c6a-9e8f-7a1b2c3d4e5f");

    /** The statement named {@code name} (Sid, else #index) among {@code statements}, or null. */
    private static PolicyEvaluator.Statement named(List<PolicyEvaluator.Statement> statements, String name) {
        PolicyEvaluator.Statement s = null;
        for (int i = 0; i < statements.size(); i++) {
            if (PolicyEvaluator.name(statements.get(i).sid(), i).equals(name)) {
                s = statements.get(i);
            }
        }
        return s;
    }

    @Test
    void everyRecordedCallIsStillAllowedByTheStatementItNames() {
        java.nio.file.Path template = SampleEvents.repoRoot().resolve("template.yaml");
        DeployedStack stack = DeployedStack.local(template);
        Map<String, String> production = new java.util.HashMap<>(DeployedStack.LOCAL_PARAMETERS);
        production.putAll(PRODUCTION_PARAMETERS);
        DeployedStack productionStack = DeployedStack.read(template, production);
        RoleCalls map = RoleCalls.load();
        List<String> stale = new ArrayList<>();
        int calls = 0;
        for (String role : stack.roles()) {
            for (RoleCalls.Call call : map.of(role)) {
                calls++;
                PolicyEvaluator.Statement s = named(stack.statementsOf(role), call.statement());
                if (s == null) {
                    s = named(productionStack.statementsOf(role), call.statement());
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
