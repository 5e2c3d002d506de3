package com.omc.flywheel.shared.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.shared.iam.PolicyEvaluator.Decision;
import com.omc.flywheel.shared.iam.PolicyEvaluator.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyEvaluatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Statement> policy(String... statements) throws Exception {
        List<Statement> out = new ArrayList<>();
        for (String s : statements) {
            out.add(Statement.of(JSON.readTree(s)));
        }
        return out;
    }

    @Test
    void actionsMatchIgnoringCaseAndResourcesWithWildcardsCaseSensitively() throws Exception {
        var p = policy("{\"Effect\":\"Allow\",\"Action\":[\"glue:Get*\"],\"Resource\":[\"arn:aws:glue:us-east-1:1:"
                + "table/db/part_*\"]}");
        assertEquals(Decision.ALLOW, PolicyEvaluator.evaluate(p, "glue:gettable",
                "arn:aws:glue:us-east-1:1:table/db/part_a", Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.evaluate(p, "glue:GetTable",
                "arn:aws:glue:us-east-1:1:table/db/PART_a", Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.evaluate(p, "glue:UpdateTable",
                "arn:aws:glue:us-east-1:1:table/db/part_a", Map.of()));
        // GetTables authorizes table/db/*: a policy on part_* does not cover it, as on AWS.
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.evaluate(p, "glue:GetTables",
                "arn:aws:glue:us-east-1:1:table/db/*", Map.of()));
    }

    @Test
    void anExplicitDenyWinsAndNotActionInverts() throws Exception {
        var p = policy("{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}",
                "{\"Effect\":\"Deny\",\"NotAction\":[\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::b/*\"}");
        assertEquals(Decision.ALLOW, PolicyEvaluator.evaluate(p, "s3:GetObject", "arn:aws:s3:::b/k", Map.of()));
        assertEquals(Decision.EXPLICIT_DENY, PolicyEvaluator.evaluate(p, "s3:PutObject", "arn:aws:s3:::b/k", Map.of()));
    }

    @Test
    void conditionsNeedTheirKeyUnlessIfExists() throws Exception {
        var p = policy("{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\","
                + "\"Condition\":{\"StringLike\":{\"s3:prefix\":\"opus/*\"}}}");
        assertEquals(Decision.ALLOW, PolicyEvaluator.evaluate(p, "s3:ListBucket", "arn:aws:s3:::b",
                Map.of("s3:prefix", "opus/x/")));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.evaluate(p, "s3:ListBucket", "arn:aws:s3:::b",
                Map.of("s3:prefix", "other/")));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.evaluate(p, "s3:ListBucket", "arn:aws:s3:::b", Map.of()));
        var q = policy("{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringEqualsIfExists\":{\"iam:PassedToService\":\"cleanrooms.amazonaws.com\"}}}");
        assertEquals(Decision.ALLOW, PolicyEvaluator.evaluate(q, "iam:PassRole", "arn:aws:iam::1:role/r", Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.evaluate(q, "iam:PassRole", "arn:aws:iam::1:role/r",
                Map.of("iam:PassedToService", "glue.amazonaws.com")));
    }

    @Test
    void nullTestsWhetherTheKeyIsAbsent() throws Exception {
        var deny = policy("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}",
                "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\","
                        + "\"Condition\":{\"Null\":{\"aws:SourceVpce\":\"true\"}}}");
        assertEquals(Decision.EXPLICIT_DENY, PolicyEvaluator.evaluate(deny, "s3:GetObject", "arn:aws:s3:::b/k",
                Map.of()));
        assertEquals(Decision.ALLOW, PolicyEvaluator.evaluate(deny, "s3:GetObject", "arn:aws:s3:::b/k",
                Map.of("aws:SourceVpce", "vpce-1")));
    }

    @Test
    void capturesAreWhatEachWildcardMatched() {
        assertEquals(List.of("db", "part_ibe_01"), PolicyEvaluator.captures("arn:aws:glue:r:1:table/*/*",
                "arn:aws:glue:r:1:table/db/part_ibe_01"));
        assertEquals(List.of("7"), PolicyEvaluator.captures("job-?", "job-7"));
        assertEquals(List.of(), PolicyEvaluator.captures("job-*", "other"));
    }

    @Test
    void anUnsupportedOperatorFailsLoudly() throws Exception {
        var p = policy("{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\","
                + "\"Condition\":{\"NumericLessThan\":{\"s3:max-keys\":\"10\"}}}");
        assertThrows(IllegalStateException.class,
                () -> PolicyEvaluator.evaluate(p, "s3:ListBucket", "arn:aws:s3:::b", Map.of("s3:max-keys", "5")));
    }

    @Test
    void itSaysWhichStatementsAndPatternsAllowedWithoutChangingTheVerdict() throws Exception {
        var p = policy("{\"Sid\":\"ReadTheCatalog\",\"Effect\":\"Allow\",\"Action\":\"glue:Get*\","
                        + "\"Resource\":[\"arn:aws:glue:r:1:database/db\",\"arn:aws:glue:r:1:table/db/*\"]}",
                "{\"Effect\":\"Allow\",\"Action\":\"glue:GetTable\",\"Resource\":\"arn:aws:glue:r:1:table/db/part_*\"}",
                "{\"Sid\":\"NoDrops\",\"Effect\":\"Deny\",\"Action\":\"glue:DeleteTable\",\"Resource\":\"*\"}");
        var both = PolicyEvaluator.authorize(p, "glue:GetTable", "arn:aws:glue:r:1:table/db/part_a", Map.of());
        assertEquals(Decision.ALLOW, both.decision());
        assertEquals(List.of(new PolicyEvaluator.Grant(0, "ReadTheCatalog", "arn:aws:glue:r:1:table/db/*"),
                new PolicyEvaluator.Grant(1, "", "arn:aws:glue:r:1:table/db/part_*")), both.allowedBy());
        assertEquals("#1", both.allowedBy().get(1).name());
        var one = PolicyEvaluator.authorize(p, "glue:GetDatabase", "arn:aws:glue:r:1:database/db", Map.of());
        assertEquals(List.of(new PolicyEvaluator.Grant(0, "ReadTheCatalog", "arn:aws:glue:r:1:database/db")),
                one.allowedBy());
        var denied = PolicyEvaluator.authorize(p, "glue:DeleteTable", "arn:aws:glue:r:1:table/db/x", Map.of());
        assertEquals(Decision.EXPLICIT_DENY, denied.decision());
        assertEquals(List.of(), denied.allowedBy());
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.authorize(p, "glue:UpdateTable",
                "arn:aws:glue:r:1:table/db/x", Map.of()).decision());
        for (String[] call : new String[][]{{"glue:GetTable", "arn:aws:glue:r:1:table/db/part_a"},
                {"glue:DeleteTable", "arn:aws:glue:r:1:table/db/x"},
                {"glue:UpdateTable", "arn:aws:glue:r:1:table/x"}}) {
            assertEquals(PolicyEvaluator.evaluate(p, call[0], call[1], Map.of()),
                    PolicyEvaluator.authorize(p, call[0], call[1], Map.of()).decision());
        }
    }
}
