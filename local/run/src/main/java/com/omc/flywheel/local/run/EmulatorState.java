package com.omc.flywheel.local.run;

import com.omc.flywheel.shared.AwsClients;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationSummary;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableSummary;
import software.amazon.awssdk.services.cleanrooms.model.MembershipSummary;
import software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the emulators hold that a refresh could change, as one sorted map of a thing's name to its
 * content: every S3 object (its bytes' SHA-256), every Glue table (its definition) and partition
 * (its values, location and parameters), every Clean Rooms configured table, analysis rule,
 * association (with its rules), ID namespace association and ID mapping table, and every DynamoDB
 * item (the topic registry). Read through the local endpoint with the SDK, as an operator would. A
 * shadow run's own things ({@link #isShadow}) are left out, so two states taken around a shadow run
 * are equal exactly when it changed nothing else.
 */
final class EmulatorState {
    private final Map<String, String> things;

    private EmulatorState(Map<String, String> things) {
        this.things = things;
    }

    /**
     * A shadow run's own: an S3 key with a folder named {@code shadow} (the reports bucket's
     * {@code shadow/}, the ER table's {@code <location>shadow/}, msck-repair's {@code msck-repair/shadow/},
     * Athena's {@code <results>shadow/}), or a Glue table named {@code shadow_*} or {@code tmp_shadow_*}.
     */
    static boolean isShadow(String thing) {
        if (thing.startsWith("s3 ")) {
            String key = thing.substring(thing.indexOf('/') + 1);
            return key.startsWith("shadow/") || key.contains("/shadow/");
        }
        if (thing.startsWith("glue ")) {
            String table = thing.substring(thing.indexOf('.') + 1);
            return table.startsWith("shadow_") || table.startsWith("tmp_shadow_");
        }
        return false;
    }

    /** A state of these things (tests). */
    static EmulatorState of(Map<String, String> things) {
        return new EmulatorState(new TreeMap<>(things));
    }

    static EmulatorState capture() {
        Map<String, String> things = new TreeMap<>();
        s3(things);
        glue(things);
        cleanRooms(things);
        dynamoDb(things);
        things.keySet().removeIf(EmulatorState::isShadow);
        return new EmulatorState(things);
    }

    int size() {
        return things.size();
    }

    /** What differs from {@code before}, one line a thing: added, removed or changed, sorted. */
    List<String> changesSince(EmulatorState before) {
        Set<String> names = new TreeSet<>(before.things.keySet());
        names.addAll(things.keySet());
        List<String> changes = new ArrayList<>();
        for (String name : names) {
            String was = before.things.get(name);
            String now = things.get(name);
            if (was == null) {
                changes.add("added " + name);
            } else if (now == null) {
                changes.add("removed " + name);
            } else if (!was.equals(now)) {
                changes.add("changed " + name);
            }
        }
        return changes;
    }

    private static void s3(Map<String, String> things) {
        S3Client s3 = AwsClients.build(S3Client.builder());
        for (Bucket b : s3.listBuckets().buckets()) {
            for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(b.name())).contents()) {
                String name = "s3 " + b.name() + "/" + o.key();
                if (isShadow(name)) {
                    continue;
                }
                things.put(name, sha256(s3.getObjectAsBytes(r -> r.bucket(b.name()).key(o.key())).asByteArray()));
            }
        }
    }

    private static void glue(Map<String, String> things) {
        GlueClient glue = AwsClients.build(GlueClient.builder());
        glue.getDatabasesPaginator(r -> { }).forEach(page -> page.databaseList().forEach(db -> {
            glue.getTablesPaginator(r -> r.databaseName(db.name())).forEach(tables -> tables.tableList().forEach(t -> {
                String name = "glue " + db.name() + "." + t.name();
                if (isShadow(name)) {
                    return;
                }
                things.put(name, t.toBuilder().updateTime(null).lastAccessTime(null).lastAnalyzedTime(null).build()
                        .toString());
                glue.getPartitionsPaginator(r -> r.databaseName(db.name()).tableName(t.name())).forEach(parts ->
                        parts.partitions().forEach(p -> things.put(name + " partition " + p.values(),
                                p.storageDescriptor().location() + " " + p.parameters())));
            }));
        }));
    }

    private static void cleanRooms(Map<String, String> things) {
        CleanRoomsClient cr = AwsClients.build(CleanRoomsClient.builder());
        for (ConfiguredTableSummary t : cr.listConfiguredTablesPaginator(r -> { }).configuredTableSummaries()) {
            things.put("cleanrooms configured-table " + t.name(),
                    cr.getConfiguredTable(r -> r.configuredTableIdentifier(t.id())).configuredTable().toString());
            for (ConfiguredTableAnalysisRuleType type : ConfiguredTableAnalysisRuleType.knownValues()) {
                try {
                    things.put("cleanrooms configured-table " + t.name() + " rule " + type,
                            cr.getConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(t.id())
                                    .analysisRuleType(type)).analysisRule().toString());
                } catch (ResourceNotFoundException none) {
                    // no rule of this type
                }
            }
        }
        for (MembershipSummary m : cr.listMembershipsPaginator(r -> { }).membershipSummaries()) {
            for (ConfiguredTableAssociationSummary a : cr.listConfiguredTableAssociationsPaginator(
                    r -> r.membershipIdentifier(m.id())).configuredTableAssociationSummaries()) {
                String name = "cleanrooms association " + m.id() + "/" + a.name();
                things.put(name, cr.getConfiguredTableAssociation(r -> r.membershipIdentifier(m.id())
                        .configuredTableAssociationIdentifier(a.id())).configuredTableAssociation().toString());
                try {
                    things.put(name + " rule CUSTOM", cr.getConfiguredTableAssociationAnalysisRule(r -> r
                            .membershipIdentifier(m.id()).configuredTableAssociationIdentifier(a.id())
                            .analysisRuleType("CUSTOM")).analysisRule().toString());
                } catch (ResourceNotFoundException none) {
                    // no collaboration rule
                }
            }
            cr.listIdNamespaceAssociationsPaginator(r -> r.membershipIdentifier(m.id()))
                    .idNamespaceAssociationSummaries().forEach(n -> things.put("cleanrooms id-namespace-association "
                            + m.id() + "/" + n.name(), n.toString()));
            cr.listIdMappingTablesPaginator(r -> r.membershipIdentifier(m.id())).idMappingTableSummaries()
                    .forEach(t -> things.put("cleanrooms id-mapping-table " + m.id() + "/" + t.name(), t.toString()));
        }
    }

    private static void dynamoDb(Map<String, String> things) {
        DynamoDbClient ddb = AwsClients.build(DynamoDbClient.builder());
        for (String table : ddb.listTablesPaginator(r -> { }).tableNames()) {
            // An item is named by its whole content: a changed item reads as one removed and one added.
            ddb.scanPaginator(r -> r.tableName(table)).items().forEach(item -> things.put("dynamodb " + table + " "
                    + new TreeMap<>(item), "item"));
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
