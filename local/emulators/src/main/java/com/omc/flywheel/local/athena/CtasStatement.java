package com.omc.flywheel.local.athena;

import java.util.List;
import java.util.Map;

/**
 * The syntax tree of the one CTAS form the stand-in runs: the target, its WITH properties, the
 * selected columns and the source table, each with the engine's position ({@code line L:C}) for
 * messages. Names are lower case (as the engine folds them); a null database is the context's.
 *
 * @param target     the table created
 * @param properties the WITH (...) properties, keys in lower case
 * @param items      the select list, in order
 * @param source     the FROM table
 * @param createPos  where the statement starts (the engine's position for errors about the target)
 */
record CtasStatement(Name target, Map<String, String> properties, List<Item> items, Name source, String createPos) {
    /** Athena's catalog name as its engine spells it in messages (the only catalog names may name). */
    static final String CATALOG = "awsdatacatalog";

    /** A table: its database (null for the context's), its name, and where it is written. */
    record Name(String db, String table, String pos) {
    }

    /** A selected column, with its alias (null for none). */
    record Item(String column, String as, String pos) {
        /** The output column's name. */
        String alias() {
            return as == null ? column : as;
        }
    }

    String property(String key) {
        return properties.get(key);
    }
}
