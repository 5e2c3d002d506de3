package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Operation name to handler, per service (moto's {@code urls.py}; the service model has already
 * turned method and path into the operation). Every call runs under the stand-in's one lock; a
 * fault injected for the call fires before its handler; an operation without a handler is 501
 * NotImplementedException; every change that succeeds is logged ({@code "CreateConfiguredTable part_x"}).
 */
public final class OperationRouter {
    private static final Set<String> READ_ONLY_PREFIXES = Set.of("Get", "List", "BatchGet");
    private static final List<String> DESCRIBED_BY = List.of("name", "configuredTableAssociationIdentifier",
            "configuredTableIdentifier", "privacyBudgetTemplateIdentifier");

    private final Object lock;
    private final Map<String, Map<String, UnaryOperator<ObjectNode>>> handlers = new LinkedHashMap<>();
    private final List<String> mutations = new ArrayList<>();
    private InjectedFault fault;

    /** @param lock the monitor that guards all of the stand-in's state */
    OperationRouter(Object lock) {
        this.lock = lock;
    }

    /** Routes {@code service}'s {@code operation} to {@code handler} (its input, as one object, to its output). */
    public void add(String service, String operation, UnaryOperator<ObjectNode> handler) {
        handlers.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(operation, handler);
    }

    /** The operations of {@code service} that have a handler, sorted. */
    public Set<String> operations(String service) {
        return Collections.unmodifiableSet(new TreeSet<>(handlers.getOrDefault(service, Map.of()).keySet()));
    }

    /** Answers one call; a null answer is an empty one (HTTP 204 or the model's success code). */
    ObjectNode dispatch(String service, String op, ObjectNode in) {
        synchronized (lock) {
            boolean mutating = READ_ONLY_PREFIXES.stream().noneMatch(op::startsWith);
            if (fault != null && fault.fires(op, mutating)) {
                ApiError error = fault.error(op);
                fault = null;
                throw error;
            }
            UnaryOperator<ObjectNode> handler = handlers.getOrDefault(service, Map.of()).get(op);
            if (handler == null) {
                throw new ApiError(501, "NotImplementedException", "the stand-in does not implement " + op);
            }
            ObjectNode out = handler.apply(in);
            if (mutating) {
                mutations.add(op + " " + describe(in));
            }
            return out;
        }
    }

    /** The {@code nth} next call of {@code operation} ("*" for any change) fails. Under the lock. */
    void failCall(String operation, int nth, int status, String errorType) {
        this.fault = new InjectedFault(operation, nth, status, errorType);
    }

    /** Every change applied so far, in order. Under the lock. */
    List<String> mutations() {
        return List.copyOf(mutations);
    }

    /** Forgets the changes logged and the fault waiting. Under the lock. */
    void reset() {
        mutations.clear();
        fault = null;
    }

    private static String describe(ObjectNode in) {
        for (String k : DESCRIBED_BY) {
            if (in.has(k)) {
                return in.get(k).asText();
            }
        }
        return "";
    }
}
