package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.entityresolution.EntityResolutionBackend;
import com.omc.flywheel.local.entityresolution.EntityResolutionResponses;
import com.omc.flywheel.local.proxy.LoopbackHttpServer;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * A stand-in for AWS Clean Rooms and AWS Entity Resolution, which moto does not emulate: an HTTP
 * service on a free loopback port that the real SDK clients reach through
 * {@code AWS_ENDPOINT_URL_CLEANROOMS} / {@code AWS_ENDPOINT_URL_ENTITYRESOLUTION} (or
 * {@code endpointOverride}). Requests are routed and validated from the official API models
 * ({@link ServiceModel}, {@link RestJsonFrontDoor}); answers are checked against the output shapes'
 * required members. State is in memory and resettable; lists page in small pages so paging is
 * exercised ({@link Pager}); the real service's errors are given where the real service gives them
 * ({@link CleanRoomsBackend}, {@link PrivacyBudgetTemplates}); and a chosen call can be made to fail
 * ({@link #failCall}), to test what a step does when AWS fails part-way.
 *
 * <p>This class is the stand-in's lifecycle and its API for tests and {@code local-run}: seeding
 * what other accounts create (collaborations, ID namespaces, schema mappings, ID mapping tables),
 * configuration (page size, association quota, faults) and what was changed. All state is guarded
 * by this object's monitor.
 */
public final class CleanRoomsStandIn implements AutoCloseable {
    public static final String ACCOUNT = CleanRoomsBackend.ACCOUNT;

    private final ChangeClock clock = new ChangeClock();
    private final Pager pager = new Pager();
    private final CleanRoomsBackend backend;
    private final CollaborationSeeder seeder;
    private final IdMappingBackend idMapping;
    private final EntityResolutionBackend entityResolution;
    private final OperationRouter router = new OperationRouter(this);
    private final RestJsonFrontDoor frontDoor;
    private LoopbackHttpServer server;

    /** The stand-in's state, operations and models, without its server (see {@link #start}). */
    CleanRoomsStandIn(GlueClient glue) {
        Map<String, ServiceModel> models = new LinkedHashMap<>();
        for (String service : List.of(CleanRoomsResponses.SERVICE, EntityResolutionResponses.SERVICE)) {
            models.put(service, ServiceModel.load(service));
        }
        backend = new CleanRoomsBackend(clock, new GlueCatalogCheck(glue));
        seeder = new CollaborationSeeder(backend, clock);
        entityResolution = new EntityResolutionBackend(clock, ACCOUNT, CleanRoomsBackend.REGION);
        idMapping = new IdMappingBackend(backend, clock, entityResolution::namespaceType);
        new CleanRoomsResponses(backend, idMapping, pager).addTo(router);
        new EntityResolutionResponses(entityResolution, pager).addTo(router);
        frontDoor = new RestJsonFrontDoor(models, router, this::reset);
    }

    /**
     * Starts the stand-in. {@code glue} (may be null) is the catalog configured tables are checked
     * against, as the real service reads the Glue table: it must exist and hold every allowed column.
     */
    public static CleanRoomsStandIn start(GlueClient glue) {
        CleanRoomsStandIn standIn = new CleanRoomsStandIn(glue);
        standIn.server = LoopbackHttpServer.start("cleanrooms-standin", 8, standIn.frontDoor::handle);
        return standIn;
    }

    public String endpoint() {
        return server.endpoint();
    }

    public URI endpointUri() {
        return server.endpointUri();
    }

    @Override
    public void close() {
        server.close();
    }

    /** The operations routed to a handler, by service signing name: what the stand-in implements. */
    OperationRouter router() {
        return router;
    }

    // ---------------------------------------------------------------- configuration

    /** Forgets everything: collaborations, tables, rules, associations, faults. */
    public synchronized void reset() {
        backend.reset();
        idMapping.reset();
        entityResolution.reset();
        router.reset();
        pager.pageSize(Pager.DEFAULT_PAGE_SIZE);
    }

    /** The ARN of a collaboration (its creator's account), for the local IAM check of calls naming it. */
    public synchronized Optional<String> collaborationArn(String collaborationId) {
        return backend.findCollaboration(collaborationId).map(c -> c.get("arn").asText());
    }

    /** The ARN of the association a collaboration's schema comes from (its name is the association's). */
    public synchronized Optional<String> schemaAssociationArn(String collaborationId, String schemaName) {
        return backend.associationNamed(schemaName).map(a -> a.get("arn").asText());
    }

    public synchronized void pageSize(int size) {
        pager.pageSize(size);
    }

    public synchronized void associationQuota(int quota) {
        backend.associationQuota(quota);
    }

    /** The {@code nth} next call of {@code operation} (e.g. "CreateConfiguredTableAssociation", or "*" for any
     * change) fails. */
    public synchronized void failCall(String operation, int nth, int status, String errorType) {
        router.failCall(operation, nth, status, errorType);
    }

    /** Every change applied so far, in order: {@code "CreateConfiguredTable part_ibe_01"}. */
    public synchronized List<String> mutations() {
        return router.mutations();
    }

    // ---------------------------------------------------------------- seeding

    /** A collaboration member: account, name, abilities ({@code CAN_QUERY}, {@code CAN_RECEIVE_RESULTS}). */
    public record Member(String accountId, String displayName, List<String> abilities) {
    }

    /**
     * Creates a collaboration with these members and this account's ACTIVE membership in it; returns
     * the membership id. This account is the data provider (no abilities unless listed as a member).
     */
    public synchronized String collaboration(String name, List<Member> others, String resultBucket) {
        return collaboration(name, others, resultBucket, UUID.randomUUID().toString());
    }

    /** As {@link #collaboration(String, List, String)}, with a chosen membership id (sample events name one). */
    public synchronized String collaboration(String name, List<Member> others, String resultBucket,
            String membershipId) {
        seeder.collaboration(name, others, resultBucket, membershipId);
        return membershipId;
    }

    /** An Entity Resolution ID namespace (GetIdNamespace's answer, as JSON with the model's member names). */
    public synchronized void idNamespace(String name, ObjectNode definition) {
        entityResolution.seedIdNamespace(name, definition);
    }

    /** An ID namespace's resource policy, as PutPolicy (by hand, or Clean Rooms' own statement) leaves it. */
    public synchronized void idNamespacePolicy(String name, String policy) {
        entityResolution.seedPolicy(name, policy);
    }

    /** An Entity Resolution schema mapping (GetSchemaMapping's answer members). */
    public synchronized void schemaMapping(String name, ArrayNode mappedInputFields) {
        entityResolution.seedSchemaMapping(name, mappedInputFields);
    }

    /** An ID mapping table in a membership, sourced from two ID namespace associations. */
    public synchronized String idMappingTable(String membershipId, String name, String inputReferenceArn,
                                              String sourceAssociationId, String targetAssociationId) {
        return idMapping.seedIdMappingTable(membershipId, name, inputReferenceArn, sourceAssociationId,
                targetAssociationId);
    }
}
