package com.omc.flywheel.resolvesnapshot;

import static com.omc.flywheel.resolvesnapshot.ResolveSnapshotTest.DATA;
import static com.omc.flywheel.resolvesnapshot.ResolveSnapshotTest.S3;
import static com.omc.flywheel.resolvesnapshot.ResolveSnapshotTest.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/** A snapshot counts only when {@code snapshot_dt=D/_SUCCESS} is under every raw input prefix. */
class ResolveSnapshotMarkerTest {
    static final String ADDRESSABLE = "s3://" + DATA + "/opus/addressable_ids/raw_input/";
    static final String INFOBASE = "s3://" + DATA + "/opus/infobase_attributes/raw_input/";
    static final String BOTH = "{\"rawInputPrefixes\": [\"" + ADDRESSABLE + "\", \"" + INFOBASE + "\"]";

    /** The S3 calls the handler makes: "folders <prefix>" for a delimiter listing, "marker <key>" for a look-up. */
    final List<String> calls = new ArrayList<>();

    @BeforeEach
    void lake() {
        ResolveSnapshotTest.lake();
    }

    @Test
    void theNewestCompleteSnapshotWinsWithOneLookUpPerDateAndPrefixNewestFirst() {
        String out = SampleEvents.invoke(new ResolveSnapshotHandler(counting()), "resolve-snapshot", BOTH + "}");
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\""), out);
        assertEquals(List.of("folders opus/addressable_ids/raw_input/", "folders opus/infobase_attributes/raw_input/",
                "marker opus/addressable_ids/raw_input/snapshot_dt=2025-12-22/_SUCCESS",
                "marker opus/infobase_attributes/raw_input/snapshot_dt=2025-12-22/_SUCCESS",
                "marker opus/addressable_ids/raw_input/snapshot_dt=2025-10-22/_SUCCESS",
                "marker opus/infobase_attributes/raw_input/snapshot_dt=2025-10-22/_SUCCESS"), calls,
                "2025-11-22 is not under infobase (never looked up), 2025-09-22 is older than the first complete one");
    }

    @Test
    void aDateIsPassedOverAtTheFirstPrefixWithoutItsMarker() {
        put("opus/infobase_attributes/raw_input/snapshot_dt=2025-12-22/_SUCCESS");
        S3.deleteObject(b -> b.bucket(DATA).key("opus/addressable_ids/raw_input/snapshot_dt=2025-12-22/_SUCCESS"));
        String out = SampleEvents.invoke(new ResolveSnapshotHandler(counting()), "resolve-snapshot", BOTH + "}");
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\"")
                && out.contains("\"2025-12-22\":\"" + ADDRESSABLE + "\""), out);
        assertEquals("marker opus/addressable_ids/raw_input/snapshot_dt=2025-10-22/_SUCCESS", calls.get(3),
                "infobase's 2025-12-22 is not looked up once addressable_ids' lacks the marker: " + calls);
        assertEquals(5, calls.size(), calls.toString());
    }

    @Test
    void aMarkerOfTheNewestDateMakesItTheRunsSnapshot() {
        put("opus/infobase_attributes/raw_input/snapshot_dt=2025-12-22/_SUCCESS");
        String out = SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", BOTH + "}");
        assertTrue(out.contains("\"snapshotDt\":\"2025-12-22\"") && out.contains("\"skippedIncomplete\":{}"), out);
    }

    @Test
    void aKeyThatOnlyStartsLikeTheMarkerIsNoMarker() {
        put("opus/infobase_attributes/raw_input/snapshot_dt=2025-12-22/_SUCCESS.tmp");
        String out = SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", BOTH + "}");
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\""), out);
    }

    @Test
    void noCompleteSnapshotIsResourceNotFoundSayingWhy() {
        for (String day : List.of("2025-09-22", "2025-10-22")) {
            S3.deleteObject(b -> b.bucket(DATA).key("opus/infobase_attributes/raw_input/snapshot_dt=" + day
                    + "/_SUCCESS"));
        }
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class,
                () -> SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", BOTH + "}"));
        assertTrue(e.getMessage().contains("is complete") && e.getMessage().contains("_SUCCESS")
                && e.getMessage().contains("2025-09-22=" + INFOBASE), e.getMessage());
    }

    @Test
    void aGivenDateWithoutItsMarkersIsRejectedNamingEveryMissingMarker() {
        put("opus/addressable_ids/raw_input/snapshot_dt=2025-08-22/a.parquet");
        put("opus/infobase_attributes/raw_input/snapshot_dt=2025-08-22/a.parquet");
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class, () -> SampleEvents.invoke(
                new ResolveSnapshotHandler(counting()), "resolve-snapshot", BOTH
                        + ", \"snapshotDt\": \"2025-08-22\"}"));
        assertTrue(e.getMessage().contains(ADDRESSABLE + "snapshot_dt=2025-08-22/_SUCCESS")
                && e.getMessage().contains(INFOBASE + "snapshot_dt=2025-08-22/_SUCCESS"), e.getMessage());
        assertEquals(4, calls.size(), calls.toString());
    }

    @Test
    void aGivenCompleteDateIsTakenWithoutLookingAtOthers() {
        String out = SampleEvents.invoke(new ResolveSnapshotHandler(counting()), "resolve-snapshot",
                BOTH + ", \"snapshotDt\": \"2025-09-22\"}");
        assertTrue(out.contains("\"snapshotDt\":\"2025-09-22\"") && out.contains("\"resolved\":false"), out);
        assertEquals(4, calls.size(), calls.toString());
    }

    /** moto's S3, each listing recorded in {@link #calls}. */
    @SuppressWarnings("unchecked")
    private S3Client counting() {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[]{S3Client.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("listObjectsV2") && args != null
                            && args[0] instanceof Consumer<?> c) {
                        ListObjectsV2Request.Builder b = ListObjectsV2Request.builder();
                        ((Consumer<ListObjectsV2Request.Builder>) c).accept(b);
                        ListObjectsV2Request r = b.build();
                        calls.add((r.delimiter() != null ? "folders " : "marker ") + r.prefix());
                    }
                    try {
                        return method.invoke(S3, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
