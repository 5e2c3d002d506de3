package com.omc.flywheel.buildreport;

import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
import software.amazon.awssdk.services.cleanrooms.model.MemberSummary;
import software.amazon.awssdk.services.cleanrooms.model.Membership;
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
 * The Clean Rooms report (docs/today.md) for one membership: today's JSON fields and CSV files, every
 * list paginated, with today's bugs fixed (docs/today.md): ready_for_analysis also requires the
 * collaboration analysis rule, and the accounts that receive results are written
 * ({@code membership_results_delivery.result_receiver_accounts}).
 *
 * <p>Today's values kept: every member is written, absent ones with today's placeholder (a table with
 * no configured table has {@code id}/{@code name} null, {@code allowed_columns_count} 0,
 * {@code allowed_columns} [] and {@code analysis_method} "N/A"; absent rules and associations have
 * {@code type}/{@code name} null and empty lists; absent Entity Resolution texts are ""); the summary
 * counts every prefixed Glue table, every configured table and every association of the membership;
 * {@code generated_at} is {@code datetime.utcnow().isoformat() + "Z"} (microseconds); Entity
 * Resolution times are {@code isoformat()} with {@code +00:00}; {@code id_mapping_config} is the
 * namespace's first ID mapping workflow property as the API gives it ({@code {"idMappingType": ...}}).
 */
final class CleanRoomsReport {
    static final List<String> TABLES_CSV = List.of("collaboration_name", "table_name", "glue_exists",
            "glue_column_count",
            "glue_partition_keys", "configured_table_exists", "configured_table_id", "configured_table_name",
            "allowed_columns_count", "analysis_method", "analysis_rule_exists", "Allowed Analyses for Query",
            "association_exists", "association_name", "collaboration_rule_exists", "in_collaboration",
                    "ready_for_analysis");
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
        for (IdNamespaceAssociationSummary s : cr.listIdNamespaceAssociationsPaginator(b ->
                b.membershipIdentifier(membershipId))
                .idNamespaceAssociationSummaries()) {
            var a = cr.getIdNamespaceAssociation(b -> b.membershipIdentifier(membershipId)
                    .idNamespaceAssociationIdentifier(s.id())).idNamespaceAssociation();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", a.id());
            row.put("name", a.name());
            row.put("arn", a.arn());
            row.put("description", text(a.description()));
            row.put("entity_resolution_namespace_arn", a.inputReferenceConfig() == null ? ""
                    : text(a.inputReferenceConfig().inputReferenceArn()));
            row.put("manage_resource_policies", a.inputReferenceConfig() != null
                    && Boolean.TRUE.equals(a.inputReferenceConfig().manageResourcePolicies()));
            row.put("allow_use_as_dimension_column", a.idMappingConfig() != null
                    && Boolean.TRUE.equals(a.idMappingConfig().allowUseAsDimensionColumn()));
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
            row.put("description", text(t.description()));
            row.put("input_reference_arn", t.inputReferenceConfig() == null ? ""
                    : text(t.inputReferenceConfig().inputReferenceArn()));
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
        // Today's summary counts every prefixed table; the rows leave out the two addressable-ids tables.
        int prefixedGlueTables = 0;
        List<Table> glueTables = new ArrayList<>();
        for (GetTablesResponse page : glue.getTablesPaginator(b -> b.databaseName(r.database()))) {
            for (Table t : page.tableList()) {
                if (t.name().startsWith(r.tablePrefix())) {
                    prefixedGlueTables++;
                    if (!t.name().equals("part_addressable_ids") && !t.name().equals("part_addressable_ids_er")) {
                        glueTables.add(t);
                    }
                }
            }
        }
        Map<String, ConfiguredTableSummary> configured = new LinkedHashMap<>();
        List<ConfiguredTableSummary> allConfigured = new ArrayList<>();
        cr.listConfiguredTablesPaginator(b -> b.maxResults(100)).configuredTableSummaries().forEach(allConfigured::add);
        allConfigured.forEach(s -> configured.put(s.name(), s));
        Map<String, ConfiguredTableAssociationSummary> associations = new LinkedHashMap<>();
        List<ConfiguredTableAssociationSummary> allAssociations = new ArrayList<>();
        cr.listConfiguredTableAssociationsPaginator(b -> b.membershipIdentifier(membershipId).maxResults(100))
                .configuredTableAssociationSummaries().forEach(allAssociations::add);
        allAssociations.forEach(s -> associations.put(s.name(), s));
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
        json.put("generated_at", PythonFormats.isoformatZ(now));
        json.put("membership_id", membershipId);
        json.put("collaboration_id", collabId);
        json.put("collaboration_name", collabName);
        json.put("database", r.database());
        json.put("table_prefix", r.tablePrefix());
        Map<String, Object> summary = new LinkedHashMap<>();
        long ready = tables.stream().filter(t -> flag(t, "status", "ready_for_analysis")).count();
        summary.put("glue_tables_count", prefixedGlueTables);
        summary.put("configured_tables_count", allConfigured.size());
        summary.put("associations_count", allAssociations.size());
        summary.put("id_namespace_associations_count", nsAssociations.size());
        summary.put("id_mapping_tables_count", mappingTables.size());
        summary.put("entity_resolution_namespaces_count", namespaces.size());
        if (r.readyForAnalysisCount()) {
            summary.put("ready_for_analysis_count", ready);
        }
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
        delivery.put("result_bucket", s3 == null || s3.bucket() == null ? "" : s3.bucket());
        delivery.put("result_prefix", s3 == null || s3.keyPrefix() == null ? "" : s3.keyPrefix());
        delivery.put("result_role_arn", m.defaultResultConfiguration() == null
                || m.defaultResultConfiguration().roleArn() == null ? "" : m.defaultResultConfiguration().roleArn());
        delivery.put("result_receiver_accounts", members.stream()
                .filter(x -> x.abilitiesAsStrings().contains("CAN_RECEIVE_RESULTS"))
                .map(x -> {
                    Map<String, Object> account = new LinkedHashMap<>();
                    account.put("account_id", x.accountId());
                    account.put("display_name", text(x.displayName()));
                    account.put("description", describe(x.accountId()));
                    return account;
                }).toList());
        json.put("membership_results_delivery", delivery);
        json.put("tables", tables);

        List<List<String>> tableRows = tables.stream().map(t -> tableCsv(collabName, t)).toList();
        List<List<String>> identityRows = namespaces.stream().map(n -> identityCsv(collabName, n, schemaMappings))
                .toList();
        LOG.info("Clean Rooms report built", "membership", membershipId, "collaboration", collabName,
                "tables", tables.size(), "ready", ready, "outcome", "BUILT");
        return new Content(safe(collabName), json, tableRows, identityRows);
    }

    private Map<String, Object> table(Table t, ConfiguredTableSummary ctSummary,
            ConfiguredTableAssociationSummary assoc,
                                      String membershipId, String collabId) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("table_name", t.name());
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("exists", true);
        g.put("location", t.storageDescriptor() == null || t.storageDescriptor().location() == null ? "N/A"
                : t.storageDescriptor().location());
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
            ct.put("analysis_method", c.analysisMethodAsString() == null ? "N/A" : c.analysisMethodAsString());
            Optional<List<String>> p = optional(() -> cr.getConfiguredTableAnalysisRule(b -> b
                    .configuredTableIdentifier(c.id()).analysisRuleType("CUSTOM")).analysisRule().policy().v1().custom()
                    .allowedAnalysisProviders());
            rule.put("exists", p.isPresent());
            rule.put("type", p.isPresent() ? "CUSTOM" : null);
            providers = p.orElse(List.of());
            rule.put("allowed_analysis_providers", providers);
        } else {
            ct.put("exists", false);
            ct.put("id", null);
            ct.put("name", null);
            ct.put("allowed_columns_count", 0);
            ct.put("allowed_columns", List.of());
            ct.put("analysis_method", "N/A");
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
        @SuppressWarnings("unchecked") Map<String, Object> cRule =
                (Map<String, Object>) t.get("collaboration_analysis_rule");
        @SuppressWarnings("unchecked") Map<String, Object> status = (Map<String, Object>) t.get("status");
        @SuppressWarnings("unchecked") List<String> providers = (List<String>) rule.get("allowed_analysis_providers");
        @SuppressWarnings("unchecked") List<String> keys = (List<String>) g.get("partition_keys");
        // Today's cells: keys joined (empty when unpartitioned), the count as it is (0 without a configured table).
        return List.of(collab, (String) t.get("table_name"), yes(g.get("exists")), na(g.get("column_count")),
                String.join(", ", keys), yes(ct.get("exists")), na(ct.get("id")), na(ct.get("name")),
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

    /** Today's IdentityResolution row of one namespace (the values of its JSON entry, as today's script reads them). */
    private static List<String> identityCsv(String collab, GetIdNamespaceResponse n,
            List<GetSchemaMappingResponse> mappings) {
        Map<String, Object> ns = namespace(n);
        String name = (String) ns.get("name");
        String arn = (String) ns.get("input_source_arn");
        String schema = (String) ns.get("schema_name");
        String db = "N/A";
        String region = "N/A";
        String table = "N/A";
        if (!arn.isEmpty() && arn.contains("table")) {
            String[] parts = arn.split(":", -1);
            if (parts.length >= 4) {
                region = parts[3];
            }
            String[] path = arn.split("/", -1);
            if (path.length >= 2) {
                db = path[path.length - 2];
                table = path[path.length - 1];
            }
        }
        String method = "N/A";
        Object type = ((Map<?, ?>) ns.get("id_mapping_config")).get("idMappingType");
        if (type instanceof String t && !t.isEmpty()) {
            method = t.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        if (method.equals("N/A") && !name.equals("N/A")) {
            method = "rule-based";
        }
        String unique = "N/A";
        String input = "N/A";
        String matchKey = "N/A";
        Optional<GetSchemaMappingResponse> mapping = mappings.stream().filter(m -> text(m.schemaName()).equals(schema)
                || text(m.schemaName()).toUpperCase(java.util.Locale.ROOT)
                        .equals(schema.toUpperCase(java.util.Locale.ROOT)))
                .findFirst();
        if (mapping.isPresent()) {
            for (SchemaInputAttribute f : mapping.get().mappedInputFields()) {
                String fieldType = text(f.typeAsString());
                if (fieldType.equals("UNIQUE_ID")) {
                    unique = text(f.fieldName());
                }
                if (f.matchKey() != null && !f.matchKey().isEmpty()
                        && (fieldType.equals("ID") || fieldType.equals("STRING"))) {
                    input = text(f.fieldName());
                    matchKey = f.matchKey();
                }
            }
        }
        return List.of(collab, name, method, db, region, table,
                schema.equals("N/A") ? "N/A" : schema.toLowerCase(java.util.Locale.ROOT), unique, input, matchKey);
    }

    /** Today's namespace entry: absent texts "", {@code id_mapping_config} the first workflow property as the API gives
    * it. */
    private static Map<String, Object> namespace(GetIdNamespaceResponse n) {
        boolean source = n.inputSourceConfig() != null && !n.inputSourceConfig().isEmpty();
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("name", text(n.idNamespaceName()));
        x.put("arn", text(n.idNamespaceArn()));
        x.put("type", text(n.typeAsString()));
        x.put("description", text(n.description()));
        x.put("role_arn", text(n.roleArn()));
        x.put("input_source_arn", source ? text(n.inputSourceConfig().get(0).inputSourceARN()) : "");
        x.put("schema_name", source ? text(n.inputSourceConfig().get(0).schemaName()) : "");
        x.put("id_mapping_config", n.idMappingWorkflowProperties() == null || n.idMappingWorkflowProperties().isEmpty()
                ? Map.of() : PythonFormats.raw(n.idMappingWorkflowProperties().get(0)));
        return x;
    }

    /** Today's schema mapping entry: times as Python's isoformat, the mapped fields as the API gives them. */
    private static Map<String, Object> schemaMapping(GetSchemaMappingResponse s) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("name", text(s.schemaName()));
        x.put("arn", text(s.schemaArn()));
        x.put("created_at", s.createdAt() == null ? "" : PythonFormats.isoformatUtc(s.createdAt()));
        x.put("updated_at", s.updatedAt() == null ? "" : PythonFormats.isoformatUtc(s.updatedAt()));
        x.put("has_workflows", Boolean.TRUE.equals(s.hasWorkflows()));
        x.put("mappedInputFields", s.mappedInputFields().stream().map(f -> (Object) PythonFormats.raw(f)).toList());
        return x;
    }

    private static String text(String value) {
        return value == null ? "" : value;
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
