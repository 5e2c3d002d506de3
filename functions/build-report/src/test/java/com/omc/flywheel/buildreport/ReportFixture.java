package com.omc.flywheel.buildreport;

import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.entityresolution.EntityResolutionClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/** moto and the Clean Rooms stand-in, reset before each test; the report service on them. */
abstract class ReportFixture {
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String REPORTS = "omc-flywheel-dev-analysis-data";
    static final String ROOT = "s3://" + DATA + "/omc_cleanroom_data/split_part/infobase_attributes/";
    static final Instant NOW = Instant.parse("2025-11-01T02:00:00Z");
    static final MotoServer MOTO = MotoServer.shared();
    static final GlueClient GLUE = AwsClients.build(GlueClient.builder());
    static final S3Client S3 = AwsClients.build(S3Client.builder());
    static final SnsClient SNS = AwsClients.build(SnsClient.builder());
    static final CleanRoomsStandIn STAND_IN = CleanRoomsStandIn.start(GLUE);
    static final CleanRoomsClient CLEAN_ROOMS = AwsClients.buildWithPatch(CleanRoomsClient.builder()
            .endpointOverride(STAND_IN.endpointUri()));
    static final EntityResolutionClient ER = AwsClients.build(EntityResolutionClient.builder()
            .endpointOverride(STAND_IN.endpointUri()));
    LakeBuilder lake;

    @BeforeEach
    void reset() {
        MOTO.reset();
        STAND_IN.reset();
        lake = new LakeBuilder(GLUE, S3).database(DB).bucket(DATA).bucket(REPORTS);
        SNS.createTopic(b -> b.name("omc-flywheel-dev-data-monitor-alerts"));
    }

    static BuildReportService service() {
        return service(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static BuildReportService service(Clock clock) {
        // One table and one query at a time: moto hands out injected Athena results in call order.
        ReportSettings settings = new ReportSettings(1, 1, 10, 30, 0, "primary", null, null,
                Map.of("111111111111", "AMC Service", "222222222222", "Query Submitter/AMC Results Receiver",
                        "333333333333", "Advertiser"));
        return new BuildReportService(GLUE, S3, AwsClients.build(AthenaClient.builder()), SNS, CLEAN_ROOMS, ER,
                BuildReportHandler.pool(1), settings, clock);
    }

    /** A clock that moves one second further at every reading, from {@code start}. */
    static Clock ticking(Instant start) {
        java.util.concurrent.atomic.AtomicLong readings = new java.util.concurrent.atomic.AtomicLong();
        return new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return start.plusSeconds(readings.getAndIncrement());
            }
        };
    }

    static BuildReportRequest request(String sampleEvent, String... replacements) {
        String json = SampleEvents.read(sampleEvent);
        for (int i = 0; i + 1 < replacements.length; i += 2) {
            json = json.replace(replacements[i], replacements[i + 1]);
        }
        return Events.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), BuildReportRequest.class);
    }

    void put(String bucket, String key, String body) {
        S3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
    }

    String read(String key) {
        return S3.getObjectAsBytes(b -> b.bucket(REPORTS).key(key)).asString(StandardCharsets.UTF_8);
    }

    void partTable(String name, String location, int folders, List<Integer> registered) {
        lake.table(new LakeBuilder.Table(DB, name, location, 5, LakeBuilder.Registration.PARTITIONED,
                LakeBuilder.buckets(folders), registered, Map.of()));
    }
}
