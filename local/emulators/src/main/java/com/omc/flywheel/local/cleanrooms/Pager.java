package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Pages List answers: at most the page size (small, so callers' paging is exercised) or the
 * request's {@code maxResults}, whichever is smaller, with an opaque {@code nextToken} (an offset).
 * A token this stand-in did not issue is a ValidationException. Guarded by the stand-in's lock.
 */
public final class Pager {
    public static final int DEFAULT_PAGE_SIZE = 3;
    private int pageSize = DEFAULT_PAGE_SIZE;

    public void pageSize(int size) {
        this.pageSize = size;
    }

    /** One page of {@code items} under {@code listName}, from the request's {@code nextToken}. */
    public ObjectNode page(ObjectNode in, String listName, List<ObjectNode> items) {
        int offset = 0;
        if (in.hasNonNull("nextToken") && !in.get("nextToken").asText().isEmpty()) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(in.get("nextToken").asText()),
                        StandardCharsets.UTF_8).substring("offset:".length()));
            } catch (RuntimeException e) {
                throw ApiError.validation("nextToken is not a token this service issued");
            }
        }
        int size = Math.min(pageSize, in.path("maxResults").asInt(Integer.MAX_VALUE));
        ObjectNode out = JsonMembers.NODES.objectNode();
        ArrayNode list = out.putArray(listName);
        for (int i = offset; i < Math.min(items.size(), offset + size); i++) {
            list.add(items.get(i).deepCopy());
        }
        if (offset + size < items.size()) {
            out.put("nextToken", Base64.getUrlEncoder().withoutPadding().encodeToString(("offset:" + (offset + size))
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }
}
