package com.omc.flywheel.statemachine;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.PrincipalHeader;

/**
 * A handler run in this JVM (from the build's classes, not its package) as Lambda would run it, and
 * as its function's role: for the length of the call, {@link PrincipalHeader#PROPERTY} names the
 * function, so every SDK request of the test JVM carries {@link PrincipalHeader#HEADER} (local/emulators
 * registers PrincipalHeader as a global SDK interceptor on the test class path) and the local IAM
 * check authorizes it against that function's policies, exactly as it does the calls of a function
 * invoked through Lambda (whose class loader names it). A denied call therefore fails the handler
 * and, through {@link LocalIamCheck}, the test. Outside the call (a test's own fixtures and checks),
 * requests carry no principal and are not checked.
 *
 * <p>The property is global: tests that use this run one invocation at a time, and nothing else in
 * the JVM calls AWS through the local endpoint meanwhile.
 */
final class InProcess {
    private InProcess() {
    }

    /** {@link SampleEvents#invoke} as {@code function}'s role (a folder under functions/, e.g. check-status). */
    static synchronized String invoke(RequestStreamHandler handler, String function, String body) {
        StateMachineHarness.cloud().stack().roleOfFunction(function); // fails now for a function the stack lacks
        String before = System.getProperty(PrincipalHeader.PROPERTY);
        System.setProperty(PrincipalHeader.PROPERTY, function);
        try {
            return SampleEvents.invoke(handler, function, body);
        } finally {
            if (before == null) {
                System.clearProperty(PrincipalHeader.PROPERTY);
            } else {
                System.setProperty(PrincipalHeader.PROPERTY, before);
            }
        }
    }
}
