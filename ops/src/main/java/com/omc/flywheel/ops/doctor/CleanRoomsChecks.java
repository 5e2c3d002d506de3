package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.shared.CleanRoomsTables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationSummary;
import software.amazon.awssdk.services.cleanrooms.model.MemberSummary;
import software.amazon.awssdk.services.cleanrooms.model.Membership;
import software.amazon.awssdk.services.entityresolution.EntityResolutionClient;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.servicequotas.ServiceQuotasClient;
import software.amazon.awssdk.services.servicequotas.model.ServiceQuota;

/**
 * The Clean Rooms collaboration the stack associates tables in and does not create: the
 * membership, the members' abilities the rules and reports assume, the association quota and its
 * headroom, the role today's associations use against the one the refresh passes, and the Entity
 * Resolution ID namespace.
 */
final class CleanRoomsChecks {
    private CleanRoomsChecks() {
    }

    static void run(Account account, Findings findings) {
        JsonNode associate = account.refreshInput().path("associate");
        String membershipId = associate.path("membershipId").asText(account.parameter("CleanRoomsMembershipId"));
        findings.guard("cleanrooms.membership", membershipId, () -> {
            Membership m = membership(account, findings, membershipId);
            if (m == null) {
                return;
            }
            findings.guard("cleanrooms.members", m.collaborationName(), () -> members(account, findings, m));
            findings.guard("cleanrooms.quota", membershipId, () -> quota(account, findings, associate, membershipId));
            String role = associate.path("roleArn").asText("");
            findings.guard("cleanrooms.role", role, () -> role(account, findings, associate, membershipId, role));
        });
        String namespace = associate.path("idNamespaceArn").asText("");
        if (namespace.isEmpty()) {
            findings.ok("entityresolution.namespace", "(none)", "the refresh associates no ID namespace "
                    + "(IdNamespaceArn is empty)");
        } else {
            findings.guard("entityresolution.namespace", namespace, () -> idNamespace(account, findings, namespace));
        }
    }

    private static Membership membership(Account account, Findings findings, String id) {
        Membership m;
        try {
            m = account.client(CleanRoomsClient.class, CleanRoomsClient::builder)
                    .getMembership(b -> b.membershipIdentifier(id)).membership();
        } catch (software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException e) {
            findings.fail("cleanrooms.membership", id, "does not exist in this account and region",
                    "deploy with CleanRoomsMembershipId set to the collaboration's membership "
                            + "(aws cleanrooms list-memberships)");
            return null;
        }
        if (!"ACTIVE".equals(m.statusAsString())) {
            findings.fail("cleanrooms.membership", id, "is " + m.statusAsString() + " (collaboration "
                    + m.collaborationName() + "): associations are refused", "accept the invitation or rejoin "
                    + "the collaboration in the Clean Rooms console, or deploy with the active membership's id");
            return null;
        }
        findings.ok("cleanrooms.membership", id, "ACTIVE in " + m.collaborationName());
        return m;
    }

    private static void members(Account account, Findings findings, Membership m) {
        List<MemberSummary> members = new ArrayList<>();
        account.client(CleanRoomsClient.class, CleanRoomsClient::builder)
                .listMembersPaginator(b -> b.collaborationIdentifier(m.collaborationId())).memberSummaries()
                .forEach(members::add);
        Set<String> accounts = new HashSet<>();
        Set<String> canQuery = new HashSet<>();
        boolean canReceive = false;
        for (MemberSummary s : members) {
            accounts.add(s.accountId());
            if (s.abilitiesAsStrings().contains("CAN_QUERY")) {
                canQuery.add(s.accountId());
            }
            canReceive |= s.abilitiesAsStrings().contains("CAN_RECEIVE_RESULTS");
        }
        String subject = m.collaborationName();
        if (canQuery.isEmpty() || !canReceive) {
            findings.fail("cleanrooms.members", subject, "no member " + (canQuery.isEmpty() ? "can query" : "can "
                    + "receive results") + ": the analysis rules the refresh writes let no one analyse the tables",
                    "the collaboration's creator gives a member CAN_QUERY and CAN_RECEIVE_RESULTS");
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String provider : account.parameter("AllowedAnalysisProviders").split(",")) {
            if (!provider.isBlank() && !canQuery.contains(provider.trim())) {
                problems.add("AllowedAnalysisProviders names " + provider.trim() + ", which "
                        + (accounts.contains(provider.trim()) ? "cannot query" : "is not a member"));
            }
        }
        for (String pair : account.parameter("AccountDescriptions").split(",")) {
            String acct = pair.contains("=") ? pair.substring(0, pair.indexOf('=')).trim() : "";
            if (!acct.isEmpty() && !accounts.contains(acct)) {
                problems.add("AccountDescriptions describes " + acct + ", which is not a member");
            }
        }
        if (problems.isEmpty()) {
            findings.ok("cleanrooms.members", subject, members.size() + " members; " + canQuery.size()
                    + " can query, results can be received");
        } else {
            findings.warn("cleanrooms.members", subject, String.join("; ", problems),
                    "deploy with AllowedAnalysisProviders and AccountDescriptions naming the collaboration's members "
                            + "(aws cleanrooms list-members --collaboration-identifier " + m.collaborationId() + ")");
        }
    }

    private static String database(Account account, JsonNode associate) {
        return associate.path("database").asText(account.parameter("GlueDatabase"));
    }

    /** The tables the refresh associates: the database's prefixed tables but the excluded. */
    private static List<Table> tablesToAssociate(Account account, JsonNode associate) {
        String db = database(account, associate);
        String prefix = associate.path("tablePrefix").asText("part_");
        Set<String> exclude = new HashSet<>();
        associate.path("exclude").forEach(e -> exclude.add(e.asText()));
        List<Table> out = new ArrayList<>();
        for (Table t : account.tables(db)) {
            // The refresh's own rule: the addressable ids and the ER tables are never associated.
            if (CleanRoomsTables.isAssociated(t.name(), prefix, exclude)) {
                out.add(t);
            }
        }
        return out;
    }

    private static List<ConfiguredTableAssociationSummary> associations(Account account, String membershipId) {
        return account.once("associations " + membershipId, () -> {
            List<ConfiguredTableAssociationSummary> out = new ArrayList<>();
            account.client(CleanRoomsClient.class, CleanRoomsClient::builder)
                    .listConfiguredTableAssociationsPaginator(b -> b.membershipIdentifier(membershipId))
                    .configuredTableAssociationSummaries().forEach(out::add);
            return List.copyOf(out);
        });
    }

    private static void quota(Account account, Findings findings, JsonNode associate, String membershipId) {
        int parameter = Integer.parseInt(account.parameter("AssociationQuota").isEmpty() ? "25"
                : account.parameter("AssociationQuota"));
        Integer real = null;
        String quotaNote;
        try {
            ServiceQuota q = account.client(ServiceQuotasClient.class, ServiceQuotasClient::builder)
                    .listServiceQuotasPaginator(b -> b.serviceCode("cleanrooms")).quotas().stream()
                    .filter(x -> x.quotaName() != null && x.quotaName().toLowerCase()
                            .contains("configured table association")).findFirst().orElse(null);
            real = q == null || q.value() == null ? null : q.value().intValue();
            quotaNote = q == null ? "Service Quotas lists no Clean Rooms quota on configured table associations"
                    : "the account's quota is " + real;
        } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
            quotaNote = "could not read the account's quota (" + (e.awsErrorDetails() == null
                    || e.awsErrorDetails().errorCode() == null ? e.statusCode() + " " + e.getMessage()
                    : e.awsErrorDetails().errorCode()) + ")";
        }
        List<String> tables = tablesToAssociate(account, associate).stream().map(Table::name).toList();
        Set<String> associated = new HashSet<>();
        List<ConfiguredTableAssociationSummary> existing = associations(account, membershipId);
        existing.forEach(a -> associated.add(a.name()));
        long missing = tables.stream().filter(t -> !associated.contains("acx_" + t)).count();
        long after = existing.size() + missing;
        String counts = existing.size() + " associations now, " + missing + " of " + tables.size()
                + " tables to associate still without one: " + after + " after the refresh";
        if (real != null && real != parameter) {
            findings.warn("cleanrooms.quota", membershipId, "AssociationQuota is " + parameter + " but " + quotaNote
                    + "; " + counts, "deploy with AssociationQuota=" + real);
        } else if (after > parameter) {
            findings.warn("cleanrooms.quota", membershipId, counts + ", over the quota of " + parameter + ": "
                    + (after - parameter) + " tables will not be associated (the report lists them)",
                    "raise the quota in Service Quotas and AssociationQuota, or exclude tables");
        } else if (real == null) {
            findings.warn("cleanrooms.quota", membershipId, counts + ", within AssociationQuota " + parameter
                    + "; " + quotaNote, "compare AssociationQuota with the quota in the Service Quotas console "
                    + "(Clean Rooms)");
        } else {
            findings.ok("cleanrooms.quota", membershipId, counts + ", within the quota of " + parameter);
        }
    }

    private static void role(Account account, Findings findings, JsonNode associate, String membershipId,
                             String role) {
        if (role.isEmpty()) {
            findings.fail("cleanrooms.role", "(none)", "the refresh's input names no associate.roleArn",
                    "redeploy the stack (sam deploy)");
            return;
        }
        Role found = RolePolicies.role(account, role.substring(role.lastIndexOf('/') + 1));
        if (found == null) {
            findings.fail("cleanrooms.role", role, "does not exist: Clean Rooms cannot read the tables",
                    "deploy with CleanRoomsRoleArn set to today's role (cleanrooms-glue-s3-access), or empty for the "
                            + "stack's own");
            return;
        }
        List<Table> tables = tablesToAssociate(account, associate);
        DataAccess access = DataAccess.of(account, found, database(account, associate), tables);
        CleanRoomsClient cr = account.client(CleanRoomsClient.class, CleanRoomsClient::builder);
        Map<String, String> others = new LinkedHashMap<>();
        for (ConfiguredTableAssociationSummary a : associations(account, membershipId)) {
            String theirs = cr.getConfiguredTableAssociation(b -> b.membershipIdentifier(membershipId)
                    .configuredTableAssociationIdentifier(a.id())).configuredTableAssociation().roleArn();
            if (!role.equals(theirs)) {
                others.put(a.name(), theirs);
            }
        }
        String moving = others.isEmpty() ? "" : "; " + others.size() + " associations use another role (e.g. "
                + others.entrySet().iterator().next() + "): the refresh plans one role update per association";
        if (!access.refused().isEmpty()) {
            findings.fail("cleanrooms.role", role, "may not read the " + tables.size() + " tables the refresh "
                    + "associates: it lacks " + access.refusedSummary() + "; Clean Rooms' queries on them fail"
                    + moving, "give " + found.roleName() + " what it lacks, as the stack's CleanRoomsDataAccessRole "
                    + "has it (glue:GetDatabase, GetTable, GetPartitions, GetPartition, BatchGetPartition on the "
                    + "catalog, the database and its part_ tables; s3:GetObject under their locations; s3:ListBucket "
                    + "and s3:GetBucketLocation on their buckets; kms:Decrypt on a bucket's customer managed key), "
                    + "or deploy with CleanRoomsRoleArn empty for the "
                    + "stack's own role" + (others.isEmpty() ? "" : ", or CleanRoomsRoleArn="
                    + others.values().iterator().next()));
        } else if (access.unreadable() != null) {
            findings.warn("cleanrooms.role", role, "exists, but " + access.unreadable() + ": whether it may read the "
                    + tables.size() + " tables the refresh associates is unknown" + moving, "run doctor with "
                    + "iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy and "
                    + "iam:GetPolicyVersion on the role (docs/operating.md), or check it by hand with aws iam "
                    + "simulate-principal-policy --policy-source-arn " + role);
        } else if (!others.isEmpty()) {
            findings.warn("cleanrooms.role", role, others.size() + " associations use another role (e.g. "
                    + others.entrySet().iterator().next() + "): the refresh plans one role update per association; "
                    + "this role may read the " + tables.size() + " tables (" + access.checked() + ")",
                    "if intended, run a dry run first (bin/flywheel refresh start --dry-run); otherwise deploy with "
                            + "CleanRoomsRoleArn=" + others.values().iterator().next());
        } else {
            findings.ok("cleanrooms.role", role, "exists; every association uses it; may read the " + tables.size()
                    + " tables the refresh associates (" + access.checked() + ")");
        }
    }

    private static void idNamespace(Account account, Findings findings, String arn) {
        String name = arn.substring(arn.lastIndexOf('/') + 1);
        EntityResolutionClient er = account.client(EntityResolutionClient.class, EntityResolutionClient::builder);
        try {
            er.getIdNamespace(b -> b.idNamespaceName(name));
        } catch (software.amazon.awssdk.services.entityresolution.model.ResourceNotFoundException e) {
            findings.fail("entityresolution.namespace", arn, "does not exist", "deploy with IdNamespaceArn set to an "
                    + "existing namespace (aws entityresolution list-id-namespaces), or empty");
            return;
        }
        findings.ok("entityresolution.namespace", arn, "exists");
        findings.guard("entityresolution.policy", arn, () -> namespacePolicy(account, findings, er, arn));
    }

    /**
     * Clean Rooms adds its own statement to the namespace's resource policy when it associates it;
     * a policy that exists without one (written by hand) keeps Clean Rooms out.
     */
    private static void namespacePolicy(Account account, Findings findings, EntityResolutionClient er, String arn) {
        String policy;
        try {
            policy = er.getPolicy(b -> b.arn(arn)).policy();
        } catch (software.amazon.awssdk.services.entityresolution.model.ResourceNotFoundException e) {
            policy = null;
        }
        if (policy == null || policy.isEmpty()) {
            findings.ok("entityresolution.policy", arn, "no resource policy yet: Clean Rooms writes its statement "
                    + "when the refresh associates the namespace");
        } else if (policy.contains("cleanrooms.amazonaws.com") || policy.contains(":role/aws-service-role/")) {
            findings.ok("entityresolution.policy", arn, "its resource policy lets Clean Rooms read it");
        } else {
            findings.warn("entityresolution.policy", arn, "has a resource policy without a statement for Clean Rooms",
                    "remove the hand-written policy (aws entityresolution put-policy) or add Clean Rooms' statement; "
                            + "the association then adds its own");
        }
    }
}
