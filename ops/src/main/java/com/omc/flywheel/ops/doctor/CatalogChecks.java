package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.lakeformation.LakeFormationClient;
import software.amazon.awssdk.services.lakeformation.model.PrincipalResourcePermissions;
import software.amazon.awssdk.services.lakeformation.model.ResourceInfo;

/**
 * The Glue database and its {@code part_*} tables, and Lake Formation: whether the database is
 * governed (IAMAllowedPrincipals no longer granted on it) and, if so, whether the stack grants
 * what the functions need, including data-location access where the lake's location is registered.
 */
final class CatalogChecks {
    static final String IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS";

    private CatalogChecks() {
    }

    static void run(Account account, Findings findings) {
        JsonNode in = account.refreshInput();
        String db = in.path("repair").path("database").asText(account.parameter("GlueDatabase"));
        String prefix = in.path("repair").path("tablePrefix").asText("part_");
        findings.guard("catalog.database", db, () -> {
            if (database(account, findings, db, prefix)) {
                findings.guard("lakeformation", db, () -> lakeFormation(account, findings, db));
            }
        });
    }

    private static boolean database(Account account, Findings findings, String db, String prefix) {
        GlueClient glue = account.client(GlueClient.class, GlueClient::builder);
        try {
            glue.getDatabase(b -> b.name(db));
        } catch (EntityNotFoundException e) {
            findings.fail("catalog.database", db, "does not exist: every step after the Glue jobs fails",
                    "create it (today's Terraform does), or deploy with GlueDatabase set to the lake's database");
            return false;
        }
        int tables = 0;
        for (Table t : account.tables(db)) {
            if (t.name().startsWith(prefix)) {
                tables++;
            }
        }
        if (tables == 0) {
            findings.warn("catalog.database", db, "exists but has no " + prefix + "* table yet: the register job "
                    + "creates them, and a refresh that skips it finds nothing to repair or associate",
                    "none if the first refresh runs the register job; otherwise check GlueDatabase");
        } else {
            findings.ok("catalog.database", db, "exists with " + tables + " " + prefix + "* tables");
        }
        return true;
    }

    private static void lakeFormation(Account account, Findings findings, String db) {
        LakeFormationClient lf = account.client(LakeFormationClient.class, LakeFormationClient::builder);
        List<PrincipalResourcePermissions> onDb = lf.listPermissionsPaginator(b -> b.resource(r -> r.database(
                d -> d.name(db)))).stream().flatMap(r -> r.principalResourcePermissions().stream()).toList();
        boolean iamAllowed = onDb.stream().anyMatch(p -> p.principal() != null
                && IAM_ALLOWED_PRINCIPALS.equals(p.principal().dataLakePrincipalIdentifier()));
        boolean grants = "true".equals(account.parameter("LakeFormationGrants"));
        if (iamAllowed) {
            findings.ok("lakeformation", db, "not governed by Lake Formation (IAMAllowedPrincipals is granted on it): "
                    + "IAM alone decides" + (grants ? "; the stack's grants change nothing" : ""));
            return;
        }
        if (!grants) {
            findings.fail("lakeformation", db, "is governed by Lake Formation (IAMAllowedPrincipals is not granted on "
                    + "it) and the stack grants nothing: the repair, the reports and Clean Rooms are refused",
                    "deploy with LakeFormationGrants=true, by a data lake administrator");
            return;
        }
        Map<String, String> granted = account.resources("AWS::LakeFormation::PrincipalPermissions");
        if (granted.isEmpty()) {
            findings.fail("lakeformation", db, "is governed, LakeFormationGrants is true, but the stack has no "
                    + "AWS::LakeFormation::PrincipalPermissions", "redeploy the stack (sam deploy)");
            return;
        }
        findings.ok("lakeformation", db, "governed; the stack grants " + granted.size() + " permission sets ("
                + String.join(", ", granted.keySet()) + ")");
        String bucket = account.parameter("DataBucketName");
        findings.guard("lakeformation.location", bucket, () -> dataLocation(account, findings, lf, bucket));
    }

    /**
     * Where the lake's bucket is registered with Lake Formation, adding a partition to a table needs
     * DATA_LOCATION_ACCESS on it for msck-repair's role (its grants are on tables only).
     */
    private static void dataLocation(Account account, Findings findings, LakeFormationClient lf, String bucket) {
        String bucketArn = "arn:aws:s3:::" + bucket;
        Set<String> registered = new HashSet<>();
        for (ResourceInfo r : lf.listResourcesPaginator(b -> { }).stream()
                .flatMap(r -> r.resourceInfoList().stream()).toList()) {
            registered.add(r.resourceArn());
        }
        boolean covered = registered.stream().anyMatch(a -> bucketArn.equals(a) || a.startsWith(bucketArn + "/"));
        if (!covered) {
            findings.ok("lakeformation.location", bucket, "not registered with Lake Formation: no data-location "
                    + "permission is needed");
            return;
        }
        String role = account.resources("AWS::IAM::Role").get("MsckRepairFunctionRole");
        boolean has = role != null && lf.listPermissionsPaginator(b -> b.resource(r -> r.dataLocation(
                d -> d.resourceArn(bucketArn)))).stream().flatMap(r -> r.principalResourcePermissions().stream())
                .anyMatch(p -> p.principal() != null && p.principal().dataLakePrincipalIdentifier().endsWith(
                        "/" + role));
        if (has) {
            findings.ok("lakeformation.location", bucket, "registered; msck-repair's role has DATA_LOCATION_ACCESS");
        } else {
            findings.fail("lakeformation.location", bucket, "is registered with Lake Formation and msck-repair's role "
                    + "has no DATA_LOCATION_ACCESS on it: adding a partition is refused",
                    "aws lakeformation grant-permissions --principal "
                            + "DataLakePrincipalIdentifier=<msck-repair's role ARN>"
                            + " --permissions DATA_LOCATION_ACCESS --resource '{\"DataLocation\":{\"ResourceArn\":\""
                            + bucketArn + "\"}}'");
        }
    }
}
