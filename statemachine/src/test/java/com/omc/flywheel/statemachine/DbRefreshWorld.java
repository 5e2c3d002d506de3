package com.omc.flywheel.statemachine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.shared.AwsClients;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The world every db-refresh execution test starts from: a fresh local cloud with the Glue jobs, the
 * lake, the raw snapshots, the topics and the collaboration. Two classes run on it
 * ({@link DbRefreshStateMachineTest}, {@link DbRefreshFailureTest}), so the suite's test JVMs share
 * the executions between them.
 */
abstract class DbRefreshWorld {
    static final ObjectMapper JSON = new ObjectMapper();

    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String ROOT = "s3://" + DATA + "/omc_cleanroom_data/split_part/infobase_attributes/";
    static final String ADDRESSABLE_IDS = "s3://" + DATA + "/omc_cleanroom_data/split_part/addressable_ids/"
            + "ADDRESSABLE_IDS/";
    static final String NOTIFICATIONS = "arn:aws:sns:us-east-1:123456789012:omc-flywheel-dev-db-refresh-notifications";
    static final List<String> JOBS = List.of("etl-omc-flywheel-dev-addressable-split-and-part",
            "etl-omc-flywheel-dev-infobase-split-and-part", "etl-omc-flywheel-dev-register-part-tables");
    LocalCloud cloud;
    GlueClient glue;

    @BeforeEach
    void world() {
        cloud = StateMachineHarness.fresh();
        glue = AwsClients.build(GlueClient.builder());
        S3Client s3 = AwsClients.build(S3Client.builder());
        for (String job : JOBS) {
            StateMachineHarness.createJob(glue, job);
        }
        cloud.moto().glueJobRunsTakePolls(2);
        LakeBuilder lake = new LakeBuilder(glue, s3).database(DB).bucket(DATA).bucket("omc-flywheel-dev-analysis-data");
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            for (String day : List.of("2025-09-22", "2025-10-22")) {
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day
                        + "/part-0.parquet"),
                        RequestBody.fromString("x"));
                // The loader's last write: resolve-snapshot takes only a snapshot with its marker under every prefix.
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day + "/_SUCCESS"),
                        RequestBody.fromString(""));
            }
        }
        s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/infobase_attributes/metadata/"
                + "snapshot_dt.txt"),
                RequestBody.fromString("2025-10-22"));
        lake.table(new LakeBuilder.Table(DB, "part_ibe_01", ROOT + "IBE_01/", 6, LakeBuilder.Registration.PARTITIONED,
                LakeBuilder.buckets(8), List.of(0, 1, 2, 3), Map.of()));
        lake.table(new LakeBuilder.Table(DB, "part_ibe_02", ROOT + "IBE_02/", 4, LakeBuilder.Registration.KEY_AS_COLUMN,
                LakeBuilder.buckets(8), List.of(), Map.of()));
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids_er", "s3://" + DATA + "/identity/", 2,
                LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        // What the ER table's CTAS reads (the local Athena stand-in reads the Parquet files): 4 folders of 4 rows.
        new LakeBuilder(glue, s3).database(DB).withParquetFiles(null)
                .table(new LakeBuilder.Table(DB, "part_addressable_ids",
                ADDRESSABLE_IDS, 1, LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(4),
                        LakeBuilder.buckets(4), Map.of()));
        SnsClient sns = AwsClients.build(SnsClient.builder());
        sns.createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
        sns.createTopic(b -> b.name("omc-flywheel-dev-data-monitor-alerts"));
        cloud.cleanRooms().collaboration("AMC", List.of(
                new CleanRoomsStandIn.Member("111111111111", "AMC Service", List.of("CAN_QUERY")),
                new CleanRoomsStandIn.Member("222222222222", "AMC Results", List.of("CAN_RECEIVE_RESULTS"))),
                "omc-flywheel-dev-analysis-data", "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b");
    }

    List<JobRun> runs(String job) {
        return glue.getJobRuns(b -> b.jobName(job)).jobRuns();
    }

    List<SnsMessage> notifications() {
        return cloud.moto().snsMessages().stream().filter(m -> m.topicArn().equals(NOTIFICATIONS)).toList();
    }

    /** The input of events/db-refresh.json, changed by {@code change}. */
    static String input(java.util.function.Consumer<ObjectNode> change) {
        try {
            ObjectNode in = (ObjectNode) JSON.readTree(SampleEvents.read("db-refresh.json"));
            change.accept(in);
            return JSON.writeValueAsString(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
