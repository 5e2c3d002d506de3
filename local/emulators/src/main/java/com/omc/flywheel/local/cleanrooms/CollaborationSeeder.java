package com.omc.flywheel.local.cleanrooms;

import static com.omc.flywheel.local.cleanrooms.CleanRoomsBackend.ACCOUNT;
import static com.omc.flywheel.local.cleanrooms.CleanRoomsBackend.arn;
import static com.omc.flywheel.local.cleanrooms.JsonMembers.NODES;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Seeds what another account creates in the real service and the stand-in has no operation for
 * (CreateCollaboration): a collaboration made by its first other member (or by this account when
 * there are none), this account's ACTIVE membership in it as the data provider (no abilities,
 * results to {@code resultBucket} if given), and the members with their abilities.
 */
final class CollaborationSeeder {
    private final CleanRoomsBackend backend;
    private final ChangeClock clock;

    CollaborationSeeder(CleanRoomsBackend backend, ChangeClock clock) {
        this.backend = backend;
        this.clock = clock;
    }

    /** Seeds the collaboration and this account's membership {@code membershipId} in it. */
    void collaboration(String name, List<CleanRoomsStandIn.Member> others, String resultBucket, String membershipId) {
        String collabId = UUID.randomUUID().toString();
        String creator = others.isEmpty() ? ACCOUNT : others.get(0).accountId();
        long t = clock.tick();
        ObjectNode c = NODES.objectNode();
        c.put("id", collabId).put("arn", arn("collaboration/" + collabId, creator)).put("name", name)
                .put("description", "stand-in collaboration").put("creatorAccountId", creator)
                .put("creatorDisplayName", others.isEmpty() ? "Data Provider" : others.get(0).displayName())
                .put("createTime", t).put("updateTime", t).put("memberStatus", "ACTIVE")
                .put("membershipId", membershipId).put("membershipArn", arn("membership/" + membershipId, ACCOUNT))
                .put("queryLogStatus", "ENABLED").put("analyticsEngine", "CLEAN_ROOMS_SQL");
        ObjectNode m = NODES.objectNode();
        m.put("id", membershipId).put("arn", arn("membership/" + membershipId, ACCOUNT))
                .put("collaborationArn", c.get("arn").asText())
                .put("collaborationId", collabId).put("collaborationCreatorAccountId", creator)
                .put("collaborationCreatorDisplayName", c.get("creatorDisplayName").asText())
                .put("collaborationName", name)
                .put("createTime", t).put("updateTime", t).put("status", "ACTIVE").put("queryLogStatus", "ENABLED");
        m.putArray("memberAbilities");
        m.putObject("paymentConfiguration").putObject("queryCompute").put("isResponsible", false);
        if (resultBucket != null) {
            ObjectNode s3 = m.putObject("defaultResultConfiguration").putObject("outputConfiguration").putObject("s3");
            s3.put("resultFormat", "CSV").put("bucket", resultBucket).put("keyPrefix", "cleanrooms-results/");
            ((ObjectNode) m.get("defaultResultConfiguration")).put("roleArn",
                    "arn:aws:iam::" + ACCOUNT + ":role/cleanrooms-results-writer");
        }
        List<ObjectNode> list = new ArrayList<>();
        list.add(member(ACCOUNT, "Data Provider", List.of(), membershipId, t));
        for (CleanRoomsStandIn.Member o : others) {
            list.add(member(o.accountId(), o.displayName(), o.abilities(), null, t));
        }
        backend.addCollaboration(c, m, list);
    }

    private static ObjectNode member(String account, String name, List<String> abilities, String membershipId,
                                     long t) {
        ObjectNode n = NODES.objectNode();
        n.put("accountId", account).put("status", "ACTIVE").put("displayName", name).put("createTime", t)
                .put("updateTime", t);
        ArrayNode a = n.putArray("abilities");
        abilities.forEach(a::add);
        if (membershipId != null) {
            n.put("membershipId", membershipId).put("membershipArn", arn("membership/" + membershipId, account));
        }
        n.putObject("paymentConfiguration").putObject("queryCompute")
                .put("isResponsible", abilities.contains("CAN_QUERY"));
        return n;
    }
}
