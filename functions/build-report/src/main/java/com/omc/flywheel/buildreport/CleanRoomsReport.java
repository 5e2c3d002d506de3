package com.omc.flywheel.buildreport;

import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRule;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationSummary;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableSummary;
import software.amazon.awssdk.services.cleanrooms.model.IdMappingTableSummary;
import software.amazon.awssdk.services.cleanrooms.model.IdNamespaceAssociationSummary;
import software.amazon.awssdk.services.cleanrooms.model.Membership;
import software.amazon.awssdk.services.cleanrooms.model.MemberSummary;
import software.amazon.awssdk.services.entityresolution.EntityResolutionClient;
import software.amazon.awssdk.services.entityresolution.model.GetIdNamespaceResponse;
import software.amazon.awssdk.services.entityresolution.model.GetSchemaMappingResponse;
import software.amazon.awssdk.services.entityresolution.model.IdNamespaceSummary;
import software.amazon.awssdk.services.entityresolution.model.SchemaInputAttribute;
import software.amazon.awssdk.services.entityresolution.model.SchemaMappingSummary;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.GetTablesResponse;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * The Clean Rooms report (SPEC.md §9) for one membership: today's JSON fields and CSV files, every
 * list paginated, with today's bugs fixed (SPEC.md §10.8): ready_for_analysis also requires the
 * collaboration analysis rule, and the accounts that receive results are written.
 */
final class CleanRoomsReport {
    static final List<String> TABLES_CSV = List.of("collaboration_name", "table_name", "glue_exists", "glue_column_count",
            "glue_partition_keys", "configured_table_exists", "configured_table_id", "configured_table_name",
            "allowed_columns_count", "analysis_method", "analysis_rule_exists", "Allowed Analyses for Query",
            "association_exists", "association_name", "collaboration_rule_exists", "in_collaboration", "ready_for_analysis");
    static final List<String> IDENTITY_CSV = List.of("collaboration_name", "id namespace", "Id namespace method",
            "source db", "region", "table", "schema mapping", "unique id", "input field", "matchkey");
    private static final JsonLog LOG = JsonLog.forFunction("build-report");
    private final GlueClient glue;
    private final CleanRoomsClient cr;
    private final EntityResolutionClient er;
    private final ExecutorService pool;
    private final Map<String, String> accountDescriptions;

    /** One membership's report: its JSON, its two CSVs' rows, and the file name part. */
    record Content(String safeName, Map<String, Object> json, List<List<String>> tables, List<List<String>> identity) {
    }

    CleanRoomsReport(GlueClient glue, CleanRoomsClient cr, EntityResolutionClient er, ExecutorService pool,
                     Map<String, String> accountDescriptions) {
        this.glue = glue;
        this.cr = cr;
        this.er = er;
        this.pool = pool;
        this.accountDescriptions = accountDescriptions;
    }

    /** SnapStart priming: one read of Clean Rooms and of Entity Resolution, whatever the answer. */
    void prime() {
        Priming.call(() -> cr.getMembership(b -> b.membershipIdentifier(Priming.ZERO_ID)));
        Priming.call(() -> er.getIdNamespace(b -> b.idNamespaceName(Priming.NAME)));
    }

    Content build(BuildReportRequest r, String membershipId, Instant now) {
        Membership m;
        try {
            m = cr.getMembership(b -> b.membershipIdentifier(membershipId)).membership();
        } catch (software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException e) {
            throw new ResourceNotFoundException("Clean Rooms membership " + membershipId + " does not exist or is not "
                    + "visible to this account", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Clean Rooms GetMembership " + membershipId);
        }
        String collabId = m.collaborationId();
        String collabName = m.collaborationName() != null ? m.collaborationName()
                : cr.getCollaboration(b -> b.collaborationIdentifier(collabId)).collaboration().name();
        List<MemberSummary> members = new ArrayList<>();
        cr.listMembersPaginator(b -> b.collaborationIdentifier(collabId)).memberSummaries().forEach(members::add);

        // Identity resolution
        List<Map<String, Object>> nsAssociations = new ArrayList<>();
        for (IdNamespaceAssociationSummary s : cr.listIdNamespaceAssociationsPaginator(b -> b.membershipIdentifier(membershipId))
                .idNamespaceAssociationSummaries()) {
            var a = cr.getIdNamespaceAssociation(b -> b.membershipIdentifier(membershipId)
                    .idNamespaceAssociationIdentifier(s.id())).idNamespaceAssociation();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", a.id());
            row.put("name", a.name());
            row.put("arn", a.arn());
            row.put("description", a.description());
            row.put("entity_resolution_namespace_arn", a.inputReferenceConfig().inputReferenceArn());
            row.put("manage_resource_policies", a.inputReferenceConfig().manageResourcePolicies());
            row.put("allow_use_as_dimension_column", a.idMappingConfig() == null ? null
                    : a.idMappingConfig().allowUseAsDimensionColumn());
            nsAssociations.add(row);
        }
        List<Map<String, Object>> mappingTables = new ArrayList<>();
        for (IdMappingTableSummary s : cr.listIdMappingTablesPaginator(b -> b.membershipIdentifier(membershipId))
                .idMappingTableSummaries()) {
            var t = cr.getIdMappingTable(b -> b.membershipIdentifier(membershipId).idMappingTableIdentifier(s.id()))
                    .idMappingTable();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", t.id());
            row.put("name", t.name());
            row.put("arn", t.arn());
            row.put("description", t.description());
            row.put("input_reference_arn", t.inputReferenceConfig().inputReferenceArn());
            row.put("input_sources", t.inputReferenceProperties().idMappingTableInputSource().stream().map(src -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("id_namespace_association_id", src.idNamespaceAssociationId());
                x.put("type", src.typeAsString());
                return x;
            }).toList());
            mappingTables.add(row);
        }
        List<GetIdNamespaceResponse> namespaces = new ArrayList<>();
        for (IdNamespaceSummary s : er.listIdNamespacesPaginator(b -> b.maxResults(25)).idNamespaceSummaries()) {
            namespaces.add(er.getIdNamespace(b -> b.idNamespaceName(s.idNamespaceName())));
        }
        List<GetSchemaMappingResponse> schemaMappings = new ArrayList<>();
        for (SchemaMappingSummary s : er.listSchemaMappingsPaginator(b -> b.maxResults(25)).schemaList()) {
            schemaMappings.add(er.getSchemaMapping(b -> b.schemaName(s.schemaName())));
        }

        // Tables
        List<Table> glueTables = new ArrayList<>();
        for (GetTablesResponse page : glue.getTablesPaginator(b -> b.databaseName(r.database()))) {
            for (Table t : page.tableList()) {
                if (t.name().startsWith(r.tablePrefix()) && !t.name().equals("part_addressable_ids")
                        && !t.name().equals("part_addressable_ids_er")) {
                    glueTables.add(t);
                }
            }
        }
        Map<String, ConfiguredTableSummary> configured = new LinkedHashMap<>();
        cr.listConfiguredTablesPaginator(b -> b.maxResults(100)).configuredTableSummaries().forEach(s -> configured.put(s.name(), s));
        Map<String, ConfiguredTableAssociationSummary> associations = new LinkedHashMap<>();
        cr.listConfiguredTableAssociationsPaginator(b -> b.membershipIdentifier(membershipId).maxResults(100))
                .configuredTableAssociationSummaries().forEach(s -> associations.put(s.name(), s));
        List<Future<Map<String, Object>>> futures = new ArrayList<>();
        for (Table t : glueTables) {
            futures.add(pool.submit(() -> table(t, configured.get(t.name()), associations.get("acx_" + t.name()),
                    membershipId, collabId)));
        }
        List<Map<String, Object>> tables = new ArrayList<>();
        for (Future<Map<String, Object>> f : futures) {
            tables.add(join(f));
        }
        tables.sort(Comparator.comparing((Map<String, Object> t) -> !(Boolean) flag(t, "association", "exists"))
                .thenComparing(t -> (String) t.get("table_name")));

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("generated_at", now.truncatedTo(ChronoUnit.SECONDS).toString());
        json.put("membership_id", membershipId);
        json.put("collaboration_id", collabId);
        json.put("collaboration_name", collabName);
        json.put("database", r.database());
        json.put("table_prefix", r.tablePrefix());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("glue_tables_count", glueTables.size());
        summary.put("configured_tables_count", tables.stream().filter(t -> flag(t, "configured_table", "exists")).count());
        summary.put("associations_count", tables.stream().filter(t -> flag(t, "association", "exists")).count());
        summary.put("id_namespace_associations_count", nsAssociations.size());
        summary.put("id_mapping_tables_count", mappingTables.size());
        summary.put("entity_resolution_namespaces_count", namespaces.size());
        summary.put("ready_for_analysis_count", tables.stream().filter(t -> flag(t, "status", "ready_for_analysis")).count());
        json.put("summary", summary);
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("id_namespace_associations", nsAssociations);
        identity.put("id_mapping_tables", mappingTables);
        identity.put("entity_resolution_namespaces", namespaces.stream().map(CleanRoomsReport::namespace).toList());
        identity.put("schema_mappings", schemaMappings.stream().map(CleanRoomsReport::schemaMapping).toList());
        json.put("identity_resolution", identity);
        Map<String, Object> delivery = new LinkedHashMap<>();
        var s3 = m.defaultResultConfiguration() == null || m.defaultResultConfiguration().outputConfiguration() == null
                ? null : m.defaultResultConfiguration().outputConfiguration().s3();
        delivery.put("can_receive_results", m.memberAbilitiesAsStrings().contains("CAN_RECEIVE_RESULTS"));
        delivery.put("result_bucket", s3 == null ? null : s3.bucket());
        delivery.put("result_prefix", s3 == null ? null : s3.keyPrefix());
        delivery.put("result_role_arn", m.defaultResultConfiguration() == null ? null : m.defaultResultConfiguration().roleArn());
        delivery.put("result_receiver_accounts", members.stream()
                .filter(x -> x.abilitiesAsStrings().contains("CAN_RECEIVE_RESULTS"))
                .map(x -> Map.of("account_id", x.accountId(), "display_name", x.displayName(),
                        "description", describe(x.accountId()))).toList());
        json.put("membership_results_delivery", delivery);
        json.put("tables", tables);

        List<List<String>> tableRows = tables.stream().map(t -> tableCsv(collabName, t)).toList();
        List<List<String>> identityRows = namespaces.stream().map(n -> identityCsv(collabName, n, schemaMappings)).toList();
        LOG.info("Clean Rooms report built", "membership", membershipId, "collaboration", collabName,
                "tables", tables.size(), "ready", summary.get("ready_for_analysis_count"), "outcome", "BUILT");
        return new Content(safe(collabName), json, tableRows, identityRows);
    }

    private Map<String, Object> table(Table t, ConfiguredTableSummary ctSummary, ConfiguredTableAssociationSummary assoc,
                                      String membershipId, String collabId) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("table_name", t.name());
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("exists", true);
        g.put("location", t.storageDescriptor() == null ? null : t.storageDescriptor().location());
        List<String> columns = t.storageDescriptor() == null ? List.of()
                : t.storageDescriptor().columns().stream().map(Column::name).toList();
        g.put("column_count", columns.size());
        g.put("partition_keys", t.partitionKeys().stream().map(Column::name).toList());
        g.put("columns", columns);
        row.put("glue_table", g);
        Map<String, Object> ct = new LinkedHashMap<>();
        Map<String, Object> rule = new LinkedHashMap<>();
        List<String> providers = List.of();
        if (ctSummary != null) {
            var c = cr.getConfiguredTable(b -> b.configuredTableIdentifier(ctSummary.id())).configuredTable();
            ct.put("exists", true);
            ct.put("id", c.id());
            ct.put("name", c.name());
            ct.put("allowed_columns_count", c.allowedColumns().size());
            ct.put("allowed_columns", c.allowedColumns());
            ct.put("analysis_method", c.analysisMethodAsString());
            Optional<List<String>> p = optional(() -> cr.getConfiguredTableAnalysisRule(b -> b
                    .configuredTableIdentifier(c.id()).analysisRuleType("CUSTOM")).analysisRule().policy().v1().custom()
                    .allowedAnalysisProviders());
            rule.put("exists", p.isPresent());
            rule.put("type", p.isPresent() ? "CUSTOM" : null);
            providers = p.orElse(List.of());
            rule.put("allowed_analysis_providers", providers);
        } else {
            ct.put("exists", false);
            rule.put("exists", false);
            rule.put("type", null);
            rule.put("allowed_analysis_providers", List.of());
        }
        row.put("configured_table", ct);
        row.put("analysis_rule", rule);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("exists", assoc != null);
        a.put("name", assoc == null ? null : assoc.name());
        row.put("association", a);
        Map<String, Object> collabRule = new LinkedHashMap<>();
        boolean collabRuleExists = false;
        List<String> receivers = List.of();
        if (assoc != null) {
            collabRuleExists = optional(() -> cr.getConfiguredTableAssociationAnalysisRule(b -> b
                    .membershipIdentifier(membershipId).configuredTableAssociationIdentifier(assoc.id())
                    .analysisRuleType("CUSTOM")).analysisRule()).isPresent();
            Optional<AnalysisRule> schemaRule = optional(() -> cr.getSchemaAnalysisRule(b -> b
                    .collaborationIdentifier(collabId).name(t.name()).type("CUSTOM")).analysisRule())
                    .or(() -> optional(() -> cr.getSchemaAnalysisRule(b -> b.collaborationIdentifier(collabId)
                            .name(assoc.name()).type("CUSTOM")).analysisRule()));
            receivers = schemaRule.map(CleanRoomsReport::receivers).orElse(List.of());
        }
        collabRule.put("exists", collabRuleExists);
        collabRule.put("type", collabRuleExists ? "CUSTOM" : null);
        collabRule.put("allowed_result_receivers", receivers);
        row.put("collaboration_analysis_rule", collabRule);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("in_collaboration", assoc != null);
        status.put("ready_for_analysis", ctSummary != null && (Boolean) rule.get("exists") && assoc != null
                && !providers.isEmpty() && collabRuleExists);
        row.put("status", status);
        return row;
    }

    /** Receivers from the consolidated policy, else the collaboration policy; ARNs reduced to accounts. */
    private static List<String> receivers(AnalysisRule rule) {
        List<String> raw = List.of();
        if (rule.consolidatedPolicy() != null && rule.consolidatedPolicy().v1() != null
                && rule.consolidatedPolicy().v1().custom() != null) {
            raw = rule.consolidatedPolicy().v1().custom().allowedResultReceivers();
        } else if (rule.collaborationPolicy() != null && rule.collaborationPolicy().v1() != null
                && rule.collaborationPolicy().v1().custom() != null) {
            raw = rule.collaborationPolicy().v1().custom().allowedResultReceivers();
        }
        return raw.stream().map(x -> x.startsWith("arn:") ? x.split(":")[4] : x).toList();
    }

    private List<String> tableCsv(String collab, Map<String, Object> t) {
        @SuppressWarnings("unchecked") Map<String, Object> g = (Map<String, Object>) t.get("glue_table");
        @SuppressWarnings("unchecked") Map<String, Object> ct = (Map<String, Object>) t.get("configured_table");
        @SuppressWarnings("unchecked") Map<String, Object> rule = (Map<String, Object>) t.get("analysis_rule");
        @SuppressWarnings("unchecked") Map<String, Object> a = (Map<String, Object>) t.get("association");
        @SuppressWarnings("unchecked") Map<String, Object> cRule = (Map<String, Object>) t.get("collaboration_analysis_rule");
        @SuppressWarnings("unchecked") Map<String, Object> status = (Map<String, Object>) t.get("status");
        @SuppressWarnings("unchecked") List<String> providers = (List<String>) rule.get("allowed_analysis_providers");
        @SuppressWarnings("unchecked") List<String> keys = (List<String>) g.get("partition_keys");
        return List.of(collab, (String) t.get("table_name"), yes(g.get("exists")), na(g.get("column_count")),
                keys.isEmpty() ? "N/A" : String.join(", ", keys), yes(ct.get("exists")), na(ct.get("id")), na(ct.get("name")),
                na(ct.get("allowed_columns_count")), na(ct.get("analysis_method")), yes(rule.get("exists")),
                providers.isEmpty() ? "N/A" : String.join(", ", providers.stream().map(this::provider).toList()),
                yes(a.get("exists")), na(a.get("name")), yes(cRule.get("exists")), yes(status.get("in_collaboration")),
                yes(status.get("ready_for_analysis")));
    }

    /** {@code XXXX-XXXX-XXXX (Desc)} for a described account; an unknown account as it is. */
    private String provider(String account) {
        String desc = accountDescriptions.get(account);
        if (desc == null || account.length() != 12) {
            return account;
        }
        return account.substring(0, 4) + "-" + account.substring(4, 8) + "-" + account.substring(8) + " (" + desc + ")";
    }

    private String describe(String account) {
        return accountDescriptions.getOrDefault(account, "");
    }

    private static List<String> identityCsv(String collab, GetIdNamespaceResponse n, List<GetSchemaMappingResponse> mappings) {
        String method = n.idMappingWorkflowProperties() == null || n.idMappingWorkflowProperties().isEmpty() ? "rule-based"
                : n.idMappingWorkflowProperties().get(0).idMappingTypeAsString().toLowerCase().replace('_', '-');
        String db = "N/A";
        String region = "N/A";
        String table = "N/A";
        String schema = "N/A";
        if (n.inputSourceConfig() != null && !n.inputSourceConfig().isEmpty()) {
            String arn = n.inputSourceConfig().get(0).inputSourceARN();
            String[] parts = arn.split(":");
            if (parts.length >= 6 && parts[2].equals("glue")) {
                region = parts[3];
                String[] path = parts[5].split("/");
                if (path.length >= 3) {
                    db = path[1];
                    table = path[2];
                }
            }
            if (n.inputSourceConfig().get(0).schemaName() != null) {
                schema = n.inputSourceConfig().get(0).schemaName().toLowerCase();
            }
        }
        String schemaName = schema;
        Optional<GetSchemaMappingResponse> mapping = mappings.stream()
                .filter(m -> m.schemaName().equalsIgnoreCase(schemaName)).findFirst();
        String unique = mapping.flatMap(m -> m.mappedInputFields().stream().filter(f -> f.typeAsString().equals("UNIQUE_ID"))
                .map(SchemaInputAttribute::fieldName).findFirst()).orElse("N/A");
        Optional<SchemaInputAttribute> keyField = mapping.flatMap(m -> m.mappedInputFields().stream()
                .filter(f -> f.matchKey() != null && (f.typeAsString().equals("STRING") || f.typeAsString().contains("ID")))
                .reduce((a, b) -> b));
        return List.of(collab, n.idNamespaceName(), method, db, region, table, schema, unique,
                keyField.map(SchemaInputAttribute::fieldName).orElse("N/A"),
                keyField.map(SchemaInputAttribute::matchKey).orElse("N/A"));
    }

    private static Map<String, Object> namespace(GetIdNamespaceResponse n) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("name", n.idNamespaceName());
        x.put("arn", n.idNamespaceArn());
        x.put("type", n.typeAsString());
        x.put("description", n.description());
        x.put("role_arn", n.roleArn());
        x.put("input_source_arn", n.inputSourceConfig() == null || n.inputSourceConfig().isEmpty() ? null
                : n.inputSourceConfig().get(0).inputSourceARN());
        x.put("schema_name", n.inputSourceConfig() == null || n.inputSourceConfig().isEmpty() ? null
                : n.inputSourceConfig().get(0).schemaName());
        x.put("id_mapping_config", n.idMappingWorkflowProperties() == null ? List.of() : n.idMappingWorkflowProperties().stream()
                .map(p -> Map.of("id_mapping_type", p.idMappingTypeAsString())).toList());
        return x;
    }

    private static Map<String, Object> schemaMapping(GetSchemaMappingResponse s) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("name", s.schemaName());
        x.put("arn", s.schemaArn());
        x.put("created_at", s.createdAt() == null ? null : s.createdAt().toString());
        x.put("updated_at", s.updatedAt() == null ? null : s.updatedAt().toString());
        x.put("has_workflows", s.hasWorkflows());
        x.put("mappedInputFields", s.mappedInputFields().stream().map(f -> {
            Map<String, Object> y = new LinkedHashMap<>();
            y.put("fieldName", f.fieldName());
            y.put("type", f.typeAsString());
            y.put("matchKey", f.matchKey());
            y.put("hashed", f.hashed());
            return y;
        }).toList());
        return x;
    }

    static String fileName(BuildReportRequest r, String safe, Instant at, String suffix) {
        return r.reportPrefix() + "ACX_Cleanroom_Report_" + safe + "_" + DateTimeFormatter.ofPattern(r.dateFormat())
                .format(at.atZone(ZoneOffset.UTC)) + suffix;
    }

    /** The collaboration name with anything but letters, digits, '-' and '_' as '_'; "na" if none. */
    static String safe(String name) {
        if (name == null || name.isBlank()) {
            return "na";
        }
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** A Get that answers ResourceNotFound (or any client error) means absent. */
    private static <T> Optional<T> optional(Supplier<T> call) {
        try {
            return Optional.ofNullable(call.get());
        } catch (software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean flag(Map<String, Object> t, String group, String key) {
        return Boolean.TRUE.equals(((Map<String, Object>) t.get(group)).get(key));
    }

    private static String yes(Object b) {
        return Boolean.TRUE.equals(b) ? "Yes" : "No";
    }

    private static String na(Object v) {
        return v == null ? "N/A" : String.valueOf(v);
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the collaboration", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }
}
