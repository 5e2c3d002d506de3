package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads a request's members and builds answers from stored resources: a copy, never the stored node. */
public final class JsonMembers {
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonMembers() {
    }

    /** A copy of the named members of {@code from} that it has (a summary shape of a resource). */
    public static ObjectNode pick(ObjectNode from, String... names) {
        ObjectNode out = NODES.objectNode();
        for (String n : names) {
            if (from.has(n)) {
                out.set(n, from.get(n).deepCopy());
            }
        }
        return out;
    }

    /** {@code {"<name>": <copy of value>}}: a Get/Create/Update answer. */
    public static ObjectNode wrap(String name, ObjectNode value) {
        ObjectNode out = NODES.objectNode();
        out.set(name, value.deepCopy());
        return out;
    }

    /** A member of the request as text, or null when absent. */
    public static String text(ObjectNode in, String name) {
        JsonNode v = in.get(name);
        return v == null ? null : v.asText();
    }
}
