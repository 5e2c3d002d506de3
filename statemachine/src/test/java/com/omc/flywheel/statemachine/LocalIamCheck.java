package com.omc.flywheel.statemachine;

import com.omc.flywheel.local.LocalCloud;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After every test of this module (registered for all of them through JUnit's extension
 * auto-detection): no AWS call the functions or state machines made was denied by the local IAM
 * check, and none was unmapped. A test that expects a denial reads and clears them itself.
 */
public final class LocalIamCheck implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) {
        LocalCloud cloud = StateMachineHarness.started();
        if (cloud == null) {
            return;
        }
        var denied = cloud.iam().describeDenials();
        var unmapped = cloud.iam().unmapped();
        cloud.iam().reset();
        if (!denied.isEmpty() || !unmapped.isEmpty()) {
            throw new AssertionError(context.getDisplayName()
                    + ": the local IAM check refused calls that AWS would refuse: "
                    + "denied " + denied + ", unmapped " + unmapped);
        }
    }
}
