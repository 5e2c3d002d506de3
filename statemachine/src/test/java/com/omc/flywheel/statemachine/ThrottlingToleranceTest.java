package com.omc.flywheel.statemachine;

import com.omc.flywheel.local.proxy.AwsProxy.FaultKind;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link FaultToleranceTest}'s scenarios under throttling as HTTP 400 ThrottlingException: twice on
 * the call each function cannot do without, absorbed by the SDK's adaptive retries.
 */
class ThrottlingToleranceTest extends AdaptiveRetriesTolerance {

    @TestFactory
    List<DynamicTest> throttlingIsAbsorbedByTheSdksAdaptiveRetries() {
        return FaultToleranceTest.absorbed(kind -> kind == FaultKind.THROTTLING_400);
    }
}
