package com.omc.flywheel.local.entityresolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.entityresolution.EntityResolutionClient;
import software.amazon.awssdk.services.entityresolution.model.EntityResolutionException;
import software.amazon.awssdk.services.entityresolution.model.ResourceNotFoundException;

/** The Entity Resolution side of the stand-in through the real SDK clients (no Glue: nothing is checked there). */
class EntityResolutionStandInTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final StaticCredentialsProvider LOCAL = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("local", "local"));
    static CleanRoomsStandIn standIn;
    static EntityResolutionClient er;

    @BeforeAll
    static void start() {
        standIn = CleanRoomsStandIn.start(null);
        er = EntityResolutionClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .endpointOverride(standIn.endpointUri()).build();
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    @BeforeEach
    void seed() throws Exception {
        standIn.reset();
        standIn.idNamespace("ACXIdNamespace", (ObjectNode) JSON.readTree(
                "{\"type\":\"SOURCE\",\"description\":\"ACX ids\",\"inputSourceConfig\":[{\"inputSourceARN\":"
                + "\"arn:aws:glue:us-east-1:123456789012:table/db/part_addressable_ids_er\","
                + "\"schemaName\":\"ACX_SCHEMA\"}],"
                + "\"idMappingWorkflowProperties\":[{\"idMappingType\":\"RULE_BASED\"}]}"));
        standIn.idNamespace("PartnerIds", (ObjectNode) JSON.readTree("{\"type\":\"TARGET\"}"));
        standIn.schemaMapping("ACX_SCHEMA", (ArrayNode) JSON.readTree(
                "[{\"fieldName\":\"row_id\",\"type\":\"UNIQUE_ID\"},"
                + "{\"fieldName\":\"customer_user_id\",\"type\":\"STRING\",\"matchKey\":\"AXM\",\"hashed\":false}]"));
    }

    @Test
    void namespacesAndSchemaMappingsAreReadListedAndMissing() {
        assertEquals("SOURCE", er.getIdNamespace(b -> b.idNamespaceName("ACXIdNamespace")).typeAsString());
        assertEquals("TARGET", er.getIdNamespace(b -> b.idNamespaceName(
                "arn:aws:entityresolution:us-east-1:123456789012:idnamespace/PartnerIds")).typeAsString(), "by ARN");
        assertEquals("AXM", er.getSchemaMapping(b -> b.schemaName("ACX_SCHEMA")).mappedInputFields().get(1).matchKey());
        assertEquals(List.of("ACXIdNamespace", "PartnerIds"), er.listIdNamespacesPaginator(b -> b.maxResults(25))
                .idNamespaceSummaries().stream().map(s -> s.idNamespaceName()).toList());
        assertEquals(1, er.listSchemaMappingsPaginator(b -> b.maxResults(25)).schemaList().stream().count());
        assertThrows(ResourceNotFoundException.class, () -> er.getSchemaMapping(b -> b.schemaName("NOPE")));
        assertThrows(ResourceNotFoundException.class, () -> er.getIdNamespace(b -> b.idNamespaceName("NOPE")));
    }

    @Test
    void anOperationTheStandInLacksIsNotImplemented() {
        EntityResolutionException e = assertThrows(EntityResolutionException.class,
                () -> er.listMatchingWorkflows(b -> b.maxResults(5)));
        assertEquals(501, e.statusCode());
    }

    @Test
    void aCleanRoomsIdNamespaceAssociationTakesTheNamespacesType() {
        String membership = standIn.collaboration("ER collaboration", List.of(), null);
        CleanRoomsClient cr = CleanRoomsClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .endpointOverride(standIn.endpointUri()).build();
        var association = cr.createIdNamespaceAssociation(b -> b.membershipIdentifier(membership).name("partner")
                .inputReferenceConfig(c -> c.manageResourcePolicies(true)
                        .inputReferenceArn("arn:aws:entityresolution:us-east-1:123456789012:idnamespace/PartnerIds")))
                .idNamespaceAssociation();
        assertEquals("TARGET", association.inputReferenceProperties().idNamespaceTypeAsString());
    }
}
