"""Writes the compare-reports fixtures with Python's own json and csv modules, the way today's scripts
(data_monitor.py, generate-cleanrooms-report.py) write their reports (docs/today.md, "How they are
written"): json.dumps(report, indent=2), csv.writer on the excel dialect (CRLF, minimal quoting).

today/ is today's pipeline (Terraform's compare_source_type=part, raw_input_snapshot_dt holding the
processed date, MSCK repair, ready_for_analysis without the collaboration rule, no results-delivery
accounts); new/ is what build-report writes from the same lake, with every documented difference.
Run from this folder: python3 write_fixtures.py (the tests read the files; they never run this).
"""
import copy
import csv
import io
import json
import os

DB = "omc_flywheel_prod"
DATA = "omc-flywheel-data-us-east-1-prod"
MONITOR_CSV = ["input_source", "raw_input_snapshot_dt", "table", "location", "s3_partitions", "glue_partitions",
               "missing_glue_count", "table_type_ok", "contract_ok", "count_src", "count_part", "count_diff_pct",
               "pk_nulls", "pk_dupes", "file_issues_sample", "checked_at"]
TABLES_CSV = ["collaboration_name", "table_name", "glue_exists", "glue_column_count", "glue_partition_keys",
              "configured_table_exists", "configured_table_id", "configured_table_name", "allowed_columns_count",
              "analysis_method", "analysis_rule_exists", "Allowed Analyses for Query", "association_exists",
              "association_name", "collaboration_rule_exists", "in_collaboration", "ready_for_analysis"]
IDENTITY_CSV = ["collaboration_name", "id namespace", "Id namespace method", "source db", "region", "table",
                "schema mapping", "unique id", "input field", "matchkey"]
DESCRIPTIONS = {"111111111111": "AMC Service", "222222222222": "Query Submitter/AMC Results Receiver"}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def csv_text(header, rows):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def pct(part, src):
    if part == 0 and src == 0:
        return 0.0
    if part == 0 or src == 0:
        return 100.0
    return abs(part - src) * 100.0 / src


def monitor(new):
    at = "2025-11-01T09:12:40Z" if new else "2025-11-01T02:47:13Z"
    processed = "2025-10-22"
    raw = "2025-10-29" if new else processed  # today's column holds the processed date
    tables = [("part_addressable_ids", "addressable_ids", "addressable_ids/addressable_ids/", 256, 51234567, 51234567, 0),
              ("part_ibe_01", "infobase_attributes", "infobase_attributes/IBE_01/", 256, 51234567, 51234567, 24),
              ("part_ibe_02", "infobase_attributes", "infobase_attributes/IBE_02/", 254, 51230000, 51234567, 0)]
    rows = []
    alerts = []
    for name, source, folder, glue, part, ext, dupes in tables:
        src = ext if new else part  # today compares the table with itself
        row = {"table": name,
               "location": f"s3://{DATA}/omc_cleanroom_data/split_part/{folder}",
               "input_source": f"s3://{DATA}/opus/{source}/raw_input/snapshot_dt={raw}/",
               "s3_partitions": 256, "glue_partitions": glue, "missing_glue_count": 256 - glue,
               "table_type_ok": True, "contract_ok": True, "raw_input_snapshot_dt": raw,
               "count_src": src, "count_part": part, "count_diff_pct": f"{pct(part, src):.6f}",
               "pk_nulls": 0, "pk_dupes": dupes, "file_issues_sample": "", "checked_at": at}
        if new:
            row["processed_snapshot_dt"] = processed
        rows.append(row)
        if glue != 256:
            alerts.append(f"{name}: Glue missing {256 - glue} partitions (e.g., [17, 203])")
            if not new:
                alerts.append(f"{name}: MSCK failed (FAILED: HIVE_METASTORE_ERROR)")
        if pct(part, src) > 0:
            alerts.append(f"[COUNT_MISMATCH] {name}: {DB}.{name}={part} vs {DB}.ext_{name[5:]}={src} "
                          f"(\u0394={pct(part, src):.3f}%)")
        if dupes:
            alerts.append(f"[PK_DUPES] {name}: customer_user_id duplicate rows={dupes}")
    report = {"database": DB, "prefix": "part_", "bucket_count": 256, "generated_at": at,
              "freshness_window_days": 45,
              "compare": {"enabled": True, "type": "ext" if new else "part", "db": DB, "tolerance_pct": 0.0},
              "pk_column": "customer_user_id", "file_size_check": False, "alerts": alerts, "tables": rows}
    header = MONITOR_CSV + (["processed_snapshot_dt"] if new else [])
    cells = [[("True" if r[c] else "False") if isinstance(r[c], bool) else str(r[c]) for c in header] for r in rows]
    return json.dumps(report, indent=2), csv_text(header, cells)


def table(name, columns, configured, rule, association, collab_rule):
    receivers = ["222222222222"] if collab_rule else []
    return {"table_name": name,
            "glue_table": {"exists": True, "location": f"s3://{DATA}/omc_cleanroom_data/split_part/infobase_attributes/"
                                                      f"{name[5:].upper()}/",
                           "column_count": len(columns), "partition_keys": ["id_bucket"], "columns": columns},
            "configured_table": {"exists": True, "id": configured, "name": name,
                                 "allowed_columns_count": len(columns), "allowed_columns": columns,
                                 "analysis_method": "DIRECT_QUERY"} if configured else
            {"exists": False, "id": None, "name": None, "allowed_columns_count": 0, "allowed_columns": [],
             "analysis_method": "N/A"},
            "analysis_rule": {"exists": rule, "type": "CUSTOM" if rule else None,
                              "allowed_analysis_providers": ["111111111111", "222222222222"] if rule else []},
            "association": {"exists": association, "name": f"acx_{name}" if association else None},
            "collaboration_analysis_rule": {"exists": collab_rule, "type": "CUSTOM" if collab_rule else None,
                                            "allowed_result_receivers": receivers},
            "status": {"in_collaboration": association,
                       "ready_for_analysis": bool(configured and rule and association)}}


def cleanrooms(new, collaboration="AMC Flywheel", membership="5d0c7a4e-2b1f-4c8e-9a3d-6e7f8a9b0c1d"):
    tables = [table("part_ibe_01", ["customer_user_id", "ibe1802", "ibe7964b_01", "ibe8250"],
                    "0f3c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a091", True, True, True),
              table("part_ibe_02", ["customer_user_id", "ibe2101", "ibe2102"],
                    "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d", True, True, False),
              table("part_n_a", ["customer_user_id", "n_a_001"], "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", True, False,
                    False),
              table("part_n_a_a", ["customer_user_id", "n_a_a_001"], None, False, False, False)]
    if new:
        for t in tables:  # build-report also requires the collaboration analysis rule
            t["status"]["ready_for_analysis"] = (t["status"]["ready_for_analysis"]
                                                 and t["collaboration_analysis_rule"]["exists"])
    delivery = {"can_receive_results": False, "result_bucket": "omc-flywheel-prod-analysis-data",
                "result_prefix": "cleanrooms-results/",
                "result_role_arn": "arn:aws:iam::999999999999:role/cleanrooms-results-writer"}
    if new:
        delivery["result_receiver_accounts"] = [{"account_id": "222222222222", "display_name": "AMC",
                                                 "description": DESCRIPTIONS["222222222222"]}]
    summary = {"glue_tables_count": 6, "configured_tables_count": 3, "associations_count": 2,
               "id_namespace_associations_count": 1, "id_mapping_tables_count": 0,
               "entity_resolution_namespaces_count": 1}
    if new:
        summary["ready_for_analysis_count"] = sum(1 for t in tables if t["status"]["ready_for_analysis"])
    er_table = f"arn:aws:glue:us-east-1:999999999999:table/{DB}/part_addressable_ids_er"
    report = {
        "generated_at": "2025-11-01T09:10:02.004118Z" if new else "2025-11-01T02:44:51.530412Z",
        "membership_id": membership,
        "collaboration_id": "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7",
        "collaboration_name": collaboration, "database": DB, "table_prefix": "part_", "summary": summary,
        "identity_resolution": {
            "id_namespace_associations": [{
                "id": "9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", "name": "ACXIdNamespace",
                "arn": f"arn:aws:cleanrooms:us-east-1:999999999999:membership/{membership}/idnamespaceassociation/"
                       "9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
                "description": "ACX unique customer identifiers for Clean Rooms joins",
                "entity_resolution_namespace_arn": "arn:aws:entityresolution:us-east-1:999999999999:idnamespace/"
                                                   "ACXIdNamespace",
                "manage_resource_policies": True, "allow_use_as_dimension_column": False}],
            "id_mapping_tables": [],
            "entity_resolution_namespaces": [{
                "name": "ACXIdNamespace", "arn": "arn:aws:entityresolution:us-east-1:999999999999:idnamespace/"
                                                 "ACXIdNamespace",
                "type": "SOURCE", "description": "ACX unique customer identifiers \u2014 production",
                "role_arn": "arn:aws:iam::999999999999:role/omc-flywheel-prod-ER-SourceIdNamespaceRole",
                "input_source_arn": er_table, "schema_name": "ACX_SCHEMA",
                "id_mapping_config": {"idMappingType": "RULE_BASED", "ruleBasedProperties": {
                    "ruleDefinitionTypes": ["TARGET"], "attributeMatchingModel": "ONE_TO_ONE",
                    "recordMatchingModels": ["ONE_SOURCE_TO_ONE_TARGET"]}}}],
            "schema_mappings": [{
                "name": "ACX_SCHEMA", "arn": "arn:aws:entityresolution:us-east-1:999999999999:schemamapping/ACX_SCHEMA",
                "created_at": "2025-03-14T17:02:11.402000+00:00", "updated_at": "2025-06-02T08:45:30+00:00",
                "has_workflows": True,
                "mappedInputFields": [{"fieldName": "row_id", "type": "UNIQUE_ID"},
                                      {"fieldName": "customer_user_id", "type": "STRING", "matchKey": "AXM",
                                       "hashed": False}]}]},
        "membership_results_delivery": delivery,
        "tables": tables}

    def yes(b):
        return "Yes" if b else "No"

    def provider(a):
        return f"{a[:4]}-{a[4:8]}-{a[8:]} ({DESCRIPTIONS[a]})" if a in DESCRIPTIONS else a

    rows = []
    for t in tables:
        g, ct, r, a, c, s = (t["glue_table"], t["configured_table"], t["analysis_rule"], t["association"],
                             t["collaboration_analysis_rule"], t["status"])
        providers = r["allowed_analysis_providers"]
        rows.append([collaboration, t["table_name"], yes(g["exists"]), str(g["column_count"]),
                     ", ".join(g["partition_keys"]), yes(ct["exists"]), ct["id"] or "N/A", ct["name"] or "N/A",
                     str(ct["allowed_columns_count"]), ct["analysis_method"], yes(r["exists"]),
                     ", ".join(provider(p) for p in providers) if providers else "N/A", yes(a["exists"]),
                     a["name"] or "N/A", yes(c["exists"]), yes(s["in_collaboration"]), yes(s["ready_for_analysis"])])
    identity = [[collaboration, "ACXIdNamespace", "rule-based", DB, "us-east-1", "part_addressable_ids_er",
                 "acx_schema", "row_id", "customer_user_id", "AXM"]]
    return json.dumps(report, indent=2), csv_text(TABLES_CSV, rows), csv_text(IDENTITY_CSV, identity)


for side in ("today", "new"):
    new = side == "new"
    dm_json, dm_csv = monitor(new)
    write(f"{side}/data-monitor/ACX_Data_Monitor_Report_2025-11-01.json", dm_json)
    write(f"{side}/data-monitor/ACX_Data_Monitor_Report_2025-11-01.csv", dm_csv)
    cr_json, cr_tables, cr_identity = cleanrooms(new)
    base = f"{side}/cleanrooms-reports/ACX_Cleanroom_Report_AMC_Flywheel_20251101"
    write(base + ".json", cr_json)
    write(base + "_Tables.csv", cr_tables)
    write(base + "_IdentityResolution.csv", cr_identity)
# build-report with membershipIds naming a second membership: its files on the new side only
cr_json, cr_tables, cr_identity = cleanrooms(True, "OMC Test Collab", "8f7e6d5c-4b3a-4291-8e7d-6c5b4a392817")
base = "new/cleanrooms-reports/ACX_Cleanroom_Report_OMC_Test_Collab_20251101"
write(base + ".json", cr_json)
write(base + "_Tables.csv", cr_tables)
write(base + "_IdentityResolution.csv", cr_identity)
