package com.omc.flywheel.shared;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart priming: work registered here runs in {@code beforeCheckpoint}, when Lambda snapshots an
 * initialised execution environment of a published version, so the classes it loads (Jackson, the
 * SDK's marshallers, signers, HTTP path) are in the snapshot instead of being loaded by the first
 * request after every restore. Priming never fails the snapshot: a failure is logged and ignored.
 */
public final class Priming {
    private static final JsonLog LOG = JsonLog.forFunction("priming");
    /** Strong references: CRaC keeps registered resources weakly. */
    private static final List<Resource> RESOURCES = new CopyOnWriteArrayList<>();
    /** A name no real resource has, valid as a Glue database/table/job, DynamoDB table or ER namespace. */
    public static final String NAME = "omc_flywheel_snapstart_priming";
    /** The same for S3 buckets (no underscores there). */
    public static final String BUCKET = "omc-flywheel-snapstart-priming";
    /** An id of the right shape (Athena query, Clean Rooms membership) that names nothing. */
    public static final String ZERO_ID = "00000000-0000-0000-0000-000000000000";

    private Priming() {
    }

    public static void register(String function, Runnable prime) {
        Resource resource = new Resource() {
            @Override
            public void beforeCheckpoint(Context<? extends Resource> context) {
                run(function, prime);
            }

            @Override
            public void afterRestore(Context<? extends Resource> context) {
                // clients reconnect on their own; nothing to refresh
            }
        };
        RESOURCES.add(resource);
        Core.getGlobalContext().register(resource);
    }

    /** What the checkpoint would run, for tests: every registered priming, now. */
    public static int primeAll() {
        for (Resource r : RESOURCES) {
            try {
                r.beforeCheckpoint(null);
            } catch (Exception e) {
                throw new IllegalStateException("priming threw", e);
            }
        }
        return RESOURCES.size();
    }

    /**
     * One priming call to AWS whose answer does not matter (not found, access denied): the request
     * and response path (marshalling, signing, HTTP, unmarshalling of the error) is loaded either way.
     */
    public static void call(Runnable call) {
        try {
            call.run();
        } catch (software.amazon.awssdk.core.exception.SdkException expected) {
            // the answer is not the point
        }
    }

    static void run(String function, Runnable prime) {
        long start = System.nanoTime();
        try {
            prime.run();
            LOG.info("primed before the snapshot", "primedFunction", function, "durationMs",
                    (System.nanoTime() - start) / 1_000_000, "outcome", "PRIMED");
        } catch (RuntimeException e) {
            LOG.warn("priming failed; the snapshot is taken anyway", "primedFunction", function, "error", e.toString());
        }
    }
}
