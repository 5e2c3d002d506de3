package com.omc.flywheel.msckrepair;

import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.LakeBuilder.Registration;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.AwsClients;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.GetPartitionsResponse;
import software.amazon.awssdk.services.s3.S3Client;

/** moto, reset before each test, a proxy in front of it that counts calls, and a lake builder. */
abstract class LakeFixture {
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String ROOT = "s3://" + DATA + "/omc_cleanroom_data/split_part/infobase_attributes/";
    static final MotoServer MOTO = MotoServer.shared();
    static final GlueClient GLUE = AwsClients.build(GlueClient.builder());
    static final S3Client S3 = AwsClients.build(S3Client.builder());
    static final AthenaClient ATHENA = AwsClients.build(AthenaClient.builder());
    AwsProxy proxy;
    LakeBuilder lake;

    @BeforeEach
    void resetLake() {
        MOTO.reset();
        proxy = AwsProxy.start(MOTO.endpoint());
        proxy.addRule(AwsProxy.glueBatchCreatePartitionLimit());
        lake = new LakeBuilder(GLUE, S3).database(DB).bucket(DATA);
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    /** The service with every client going through the counting proxy. */
    MsckRepairService service(int tableConcurrency, int athenaConcurrency, int segmentThreshold) {
        return new MsckRepairService(
                AwsClients.build(GlueClient.builder().endpointOverride(proxy.endpointUri())),
                AwsClients.build(S3Client.builder().endpointOverride(proxy.endpointUri())),
                AwsClients.build(AthenaClient.builder().endpointOverride(proxy.endpointUri())),
                MsckRepairHandler.pool(tableConcurrency),
                new MsckRepairService.Settings(tableConcurrency, athenaConcurrency, "primary", null, segmentThreshold,
                        4));
    }

    void partitioned(String name, int folders, Collection<Integer> registered) {
        lake.table(new LakeBuilder.Table(DB, name, ROOT + name.replace("part_", "").toUpperCase() + "/", 5,
                Registration.PARTITIONED, LakeBuilder.buckets(folders), registered, Map.of()));
    }

    void table(String name, Registration registration, int folders, Map<String, String> params) {
        lake.table(new LakeBuilder.Table(DB, name, ROOT + name.replace("part_", "").toUpperCase() + "/", 5,
                registration, LakeBuilder.buckets(folders), List.of(), params));
    }

    static Set<Integer> catalogPartitions(String table) {
        Set<Integer> values = new TreeSet<>();
        for (GetPartitionsResponse page : GLUE.getPartitionsPaginator(b -> b.databaseName(DB).tableName(table))) {
            page.partitions().forEach(p -> values.add(Integer.parseInt(p.values().get(0))));
        }
        return values;
    }
}
