package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * A configured table's Glue table reference checked as Clean Rooms checks it, by reading the Glue
 * catalog: the table must exist and hold every allowed column (data columns and partition keys).
 * Without a Glue client (null) nothing is checked.
 */
final class GlueCatalogCheck {
    private final GlueClient glue;

    GlueCatalogCheck(GlueClient glue) {
        this.glue = glue;
    }

    /** ValidationException unless {@code glueReference}'s table exists with all of {@code allowedColumns}. */
    void requireColumns(JsonNode glueReference, JsonNode allowedColumns) {
        if (glue == null) {
            return;
        }
        String db = glueReference.get("databaseName").asText();
        String tn = glueReference.get("tableName").asText();
        Table table;
        try {
            table = glue.getTable(b -> b.databaseName(db).name(tn)).table();
        } catch (EntityNotFoundException e) {
            throw ApiError.validation("Glue table " + db + "." + tn + " does not exist");
        }
        Set<String> known = new HashSet<>();
        table.storageDescriptor().columns().stream().map(Column::name).forEach(known::add);
        table.partitionKeys().stream().map(Column::name).forEach(known::add);
        for (JsonNode c : allowedColumns) {
            if (!known.contains(c.asText())) {
                throw ApiError.validation("column " + c.asText() + " is not in Glue table " + db + "." + tn);
            }
        }
    }
}
