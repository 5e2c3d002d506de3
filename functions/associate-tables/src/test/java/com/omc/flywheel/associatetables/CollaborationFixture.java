package com.omc.flywheel.associatetables;

import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.fixtures.TodaysCleanRooms;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * moto with the 28 part tables of docs/today.md (and the ER table), and the Clean Rooms stand-in with
 * the AMC collaboration: the service account can query, the results account can receive results.
 */
abstract class CollaborationFixture {
    static final String DB = "omc_flywheel_dev";
    static final String MEMBERSHIP = "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b";
    static final String AMC_SERVICE = "111111111111";
    static final String AMC_RESULTS = "222222222222";
    static final String ADVERTISER = "333333333333";
    /** The role today's associations use (docs/today.md), and the one the sample events configure. */
    static final String TODAYS_ROLE = "arn:aws:iam::123456789012:role/cleanrooms-glue-s3-access";
    /** The data column today's hand fix of part_miacs_02_a left out (docs/today.md: miacs_11_054 in production). */
    static final String HAND_FIXED_OUT = TodaysCleanRooms.HAND_FIXED_OUT;
    static final MotoServer MOTO = MotoServer.shared();
    static final GlueClient GLUE = AwsClients.build(GlueClient.builder());
    static final CleanRoomsStandIn STAND_IN = CleanRoomsStandIn.start(GLUE);
    static final CleanRoomsClient CLEAN_ROOMS = AwsClients.buildWithPatch(CleanRoomsClient.builder()
            .endpointOverride(STAND_IN.endpointUri()));
    String collaborationId;

    @BeforeEach
    void productionLikeCatalogAndCollaboration() {
        MOTO.reset();
        STAND_IN.reset();
        LakeBuilder lake = new LakeBuilder(GLUE, AwsClients.build(S3Client.builder())).database(DB)
                .bucket("omc-flywheel-data-us-east-1-dev");
        LakeBuilder.PRODUCTION_TABLES.forEach((name, columns) -> table(lake, name, columns));
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids_er",
                "s3://omc-flywheel-data-us-east-1-dev/identity/", 2,
                LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        STAND_IN.collaboration("AMC collaboration", List.of(
                new CleanRoomsStandIn.Member(AMC_SERVICE, "AMC Service", List.of("CAN_QUERY")),
                new CleanRoomsStandIn.Member(AMC_RESULTS, "AMC Results Receiver", List.of("CAN_RECEIVE_RESULTS")),
                new CleanRoomsStandIn.Member(ADVERTISER, "Advertiser", List.of("CAN_RECEIVE_RESULTS"))),
                "omc-flywheel-dev-analysis-data", MEMBERSHIP);
        collaborationId = CLEAN_ROOMS.getMembership(b -> b.membershipIdentifier(MEMBERSHIP)).membership()
                .collaborationId();
    }

    static void table(LakeBuilder lake, String name, int columns) {
        lake.table(new LakeBuilder.Table(DB, name, "s3://omc-flywheel-data-us-east-1-dev/split_part/" + name + "/",
                columns,
                LakeBuilder.Registration.PARTITIONED, List.of(0), List.of(0), Map.of()));
    }

    static AssociateTablesService service() {
        return new AssociateTablesService(GLUE, CLEAN_ROOMS, new AssociateTablesService.Settings(25, List.of(), "dev"));
    }

    /**
     * What today's scripts left in production (docs/today.md), made through the real API by
     * {@link TodaysCleanRooms} (local-run --todays-clean-rooms makes the same): a configured table for each of
     * the 27 infobase tables (DIRECT_QUERY, every data column allowed; part_miacs_02_a hand-fixed to 99 data
     * columns plus the partition key id_bucket), each with a CUSTOM rule naming both providers (the AMC
     * service and the AMC query submitter, which cannot query by its member abilities); an association
     * {@code acx_<table>} with today's role and a collaboration rule naming the two receivers for each table
     * in {@code associated}.
     */
    static void todaysProduction(java.util.Collection<String> associated) {
        TodaysCleanRooms.build(CLEAN_ROOMS, GLUE, new TodaysCleanRooms.Collaboration(DB, MEMBERSHIP, TODAYS_ROLE,
                List.of(AMC_SERVICE, AMC_RESULTS), List.of(AMC_RESULTS, ADVERTISER)), associated);
    }

    /** Today's 25 associated tables: the infobase tables but part_n_a and part_n_a_a (docs/today.md). */
    static List<String> todaysAssociatedTables() {
        return TodaysCleanRooms.associatedTables();
    }

    static String associationId(String name) {
        return CLEAN_ROOMS.listConfiguredTableAssociationsPaginator(b ->
                b.membershipIdentifier(MEMBERSHIP).maxResults(100))
                .configuredTableAssociationSummaries().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow().id();
    }

    static AssociateTablesRequest request(String sampleEvent, String... replacements) {
        String json = SampleEvents.read(sampleEvent);
        for (int i = 0; i + 1 < replacements.length; i += 2) {
            json = json.replace(replacements[i], replacements[i + 1]);
        }
        return Events.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                AssociateTablesRequest.class);
    }

    /** Associations in the membership whose schema is READY for direct analysis (both rules in place). */
    long readyAssociations() {
        return CLEAN_ROOMS.listSchemasPaginator(b -> b.collaborationIdentifier(collaborationId)).schemaSummaries()
                .stream()
                .filter(s -> CLEAN_ROOMS.getSchema(b -> b.collaborationIdentifier(collaborationId).name(s.name()))
                        .schema()
                        .schemaStatusDetails().stream().allMatch(d -> d.statusAsString().equals("READY")))
                .count();
    }
}
